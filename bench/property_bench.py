"""Benchmark of the property tests: wall time and generated cases per profile and transport,
and a repeat run that checks the quick profile's verdict is stable.

    python bench/property_bench.py matrix            # quick and full, in-process and over HTTP
    python bench/property_bench.py repeat --runs 20  # quick in-process, N times in a row
    python bench/property_bench.py coverage          # quick in-process: cases per operation and phase

Each run is `pytest --pyargs conformance.suite -m property` in a fresh subprocess (imports and
Hypothesis' per-run caches included, as a user pays them). Prints Markdown for
bench/property_results.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PHASES = ("examples", "coverage", "fuzzing", "stateful")


@dataclass
class Run:
    profile: str
    target: str
    seconds: float
    returncode: int
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    inside: float = 0.0  # the session's time as pytest reports it (junit testsuite time)
    cases_by_phase: Counter[str] = field(default_factory=Counter)
    waits_on_429: int = 0
    rows: list[dict] = field(default_factory=list)

    @property
    def cases(self) -> int:
        return sum(self.cases_by_phase.values())


def run_property_tests(profile: str, target: str) -> Run:
    with tempfile.TemporaryDirectory() as tmp:
        stats, junit = Path(tmp) / "stats.json", Path(tmp) / "junit.xml"
        env = dict(os.environ, MONITE_PROPERTY_STATS=str(stats))
        env.pop("MONITE_BASE_URL", None)
        command = [sys.executable, "-m", "pytest", "--pyargs", "conformance.suite", "-m", "property", "-q",
                   "-p", "no:cacheprovider", "-o", "addopts=", f"--junitxml={junit}",
                   f"--monite-profile={profile}", f"--monite-target={target}"]
        started = time.perf_counter()
        done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False)
        run = Run(profile, target, time.perf_counter() - started, done.returncode)
        if junit.exists():
            suite = ET.parse(junit).find(".//testsuite")
            run.inside = float(suite.get("time", 0.0)) if suite is not None else 0.0
            for case in ET.parse(junit).iter("testcase"):
                if case.find("failure") is not None or case.find("error") is not None:
                    run.failed += 1
                elif case.find("skipped") is not None:
                    run.skipped += 1
                else:
                    run.passed += 1
        if stats.exists():
            data = json.loads(stats.read_text())
            run.rows = data["cases"]
            for row in data["cases"]:
                run.cases_by_phase[row["phase"]] += row["count"]
            run.waits_on_429 = data["waits_on_429"]
        if done.returncode not in (0, 1):
            sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
        return run


def machine() -> str:
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def matrix() -> None:
    runs = [run_property_tests(profile, target) for profile in ("quick", "full")
            for target in ("emulator", "emulator-http")]
    print(f"Machine: {machine()}; load average before: {os.getloadavg()[0]:.2f}\n")
    print("| profile | target | wall time | tests passed / failed / skipped | generated cases "
          "| examples | coverage | fuzzing | stateful steps |")
    print("|---|---|---|---|---|---|---|---|---|")
    for run in runs:
        phases = " | ".join(str(run.cases_by_phase[phase]) for phase in PHASES)
        print(f"| {run.profile} | {run.target} | {run.seconds:.1f} s | {run.passed} / {run.failed} / {run.skipped} "
              f"| {run.cases} | {phases} |")


def repeat(runs: int) -> None:
    print(f"Machine: {machine()}; load average before: {os.getloadavg()[0]:.2f}\n")
    print("| run | wall time | inside pytest | passed | failed | skipped | generated cases |")
    print("|---|---|---|---|---|---|---|")
    times, inside, clean = [], [], 0
    for index in range(1, runs + 1):
        run = run_property_tests("quick", "emulator")
        times.append(run.seconds)
        inside.append(run.inside)
        clean += run.failed == 0 and run.returncode == 0
        print(f"| {index} | {run.seconds:.1f} s | {run.inside:.1f} s | {run.passed} | {run.failed} | {run.skipped} "
              f"| {run.cases} |", flush=True)
    print(f"\n{clean}/{runs} runs with zero failures; wall time min {min(times):.1f} s, "
          f"median {sorted(times)[len(times) // 2]:.1f} s, max {max(times):.1f} s; inside pytest min "
          f"{min(inside):.1f} s, median {sorted(inside)[len(inside) // 2]:.1f} s, max {max(inside):.1f} s")


def coverage() -> None:
    """Cases per operation and phase (positive/negative; stateful: through a link/all) and statuses."""
    run = run_property_tests("quick", "emulator")
    cells: dict[tuple[str, str], Counter[str]] = {}
    statuses: dict[str, set[int]] = {}
    for row in run.rows:
        cell = cells.setdefault((row["operation_id"], row["phase"]), Counter())
        cell[row["mode"]] += row["count"]
        cell["link"] += row["count"] if row["via_link"] else 0
        statuses.setdefault(row["operation_id"], set()).add(row["status_code"])
    print(f"quick, in-process: {run.passed} passed, {run.failed} failed, {run.cases} cases\n")
    print("| operation | examples | coverage +/- | fuzzing +/- | stateful (via link / all) | statuses seen |")
    print("|---|---|---|---|---|---|")
    def mixed(operation: str, phase: str) -> str:
        cell = cells.get((operation, phase), Counter())
        return f"{cell['positive']} / {cell['negative']}"

    for operation in dict.fromkeys(row["operation_id"] for row in run.rows):
        examples = sum(cells.get((operation, "examples"), Counter()).values())
        stateful = cells.get((operation, "stateful"), Counter())
        print(f"| {operation} | {examples} | {mixed(operation, 'coverage')} | {mixed(operation, 'fuzzing')} "
              f"| {stateful['link']} / {stateful['positive'] + stateful['negative']} "
              f"| {', '.join(map(str, sorted(statuses[operation])))} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("matrix", help="quick and full, in-process and over HTTP")
    repeat_parser = sub.add_parser("repeat", help="quick in-process, several times in a row")
    repeat_parser.add_argument("--runs", type=int, default=20)
    sub.add_parser("coverage", help="quick in-process: cases per operation and phase")
    args = parser.parse_args()
    if args.command == "matrix":
        matrix()
    elif args.command == "coverage":
        coverage()
    else:
        repeat(args.runs)


if __name__ == "__main__":
    main()
