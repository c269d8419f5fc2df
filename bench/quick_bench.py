"""The quick profile (`monite-conformance run`, in-process emulator), timed, beside raw schemathesis.

    python bench/quick_bench.py runs --rounds 3                          # this tree
    python bench/quick_bench.py runs --rounds 3 --before /tmp/base       # and an older tree, alternating
    python bench/quick_bench.py raw                                      # raw `schemathesis run --checks all`

`runs`: each run is `python -m conformance.cli run` in a fresh subprocess, exactly what `make
conformance` runs; reported per run: the wall time, the "exercised in" figure (summary.json
`run.duration_seconds`), the CPU time of the run's process (user + system, from `wait4`),
the verdict, and the load average before it. With `--before DIR`, DIR (a tree holding an older
`conformance/`, `monite_emulator/` and `spec/`, e.g. `git archive <commit> conformance
monite_emulator spec | tar -x -C DIR`) is put first on PYTHONPATH for the alternate runs, so
both are measured in the same minutes. On a shared machine the CPU time is the steadier figure:
the wall time depends on what else runs.

`raw`: `schemathesis run --checks all` on the base spec against the emulator served over loopback
by `monite-emulator` (schemathesis' CLI reaches only URLs), as a user of schemathesis would run it
beside our suite; and, for the same comparison, the suite's property tests alone over HTTP
(`--suite property --target emulator-http`). Per generated case: the CPU time of the client
process divided by the cases it generated (schemathesis' own count; the suite's count from
MONITE_PROPERTY_STATS, checks' follow-up probes not counted on either side); the emulator's CPU
counts on both sides (it runs in the suite's process for emulator-http, in this one for schemathesis).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


def _timed(command: list[str], env: dict[str, str], cwd: Path = REPO) -> tuple[float, float, int, str]:
    """Run `command`; (wall seconds, CPU seconds of it and its children, exit code, output)."""
    started = time.monotonic()
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.monotonic() - started
        out.seek(0)
        text = out.read()
    return wall, usage.ru_utime + usage.ru_stime, proc.returncode, text


def one_run(tree: Path | None, workers: int | None, extra: list[str]) -> dict[str, object]:
    env = dict(os.environ)
    if tree is not None:
        env["PYTHONPATH"] = str(tree) + os.pathsep + env.get("PYTHONPATH", "")
    with tempfile.TemporaryDirectory() as folder:
        command = [PYTHON, "-m", "conformance.cli", "run", "--report-dir", folder, *extra]
        if workers is not None:
            command += ["--workers", str(workers)]
        load = os.getloadavg()[0]
        # `python -m` puts the working directory first on sys.path: the tree's own packages load.
        wall, cpu, code, output = _timed(command, env, cwd=tree or REPO)
        summary = json.loads((Path(folder) / "summary.json").read_text())
    counts = summary.get("counts", {})
    return {"tree": str(tree) if tree else "this tree", "wall": wall, "exercised": summary["run"]["duration_seconds"],
            "cpu": cpu, "exit": code, "verdict": summary.get("verdict"), "load": load,
            "passed": counts.get("passed"), "failed": counts.get("failed"), "skipped": counts.get("skipped")}


def runs(args: argparse.Namespace) -> None:
    trees: list[Path | None] = [None] + ([Path(args.before)] if args.before else [])
    results: dict[str, list[dict[str, object]]] = {}
    for _ in range(args.rounds):
        for tree in trees:
            row = one_run(tree, args.workers, args.extra or [])
            results.setdefault(str(row["tree"]), []).append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
    print(f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}\n")
    print("| tree | run | exercised in s | wall s | CPU s (user+sys) | verdict | passed/failed/skipped | load avg before |")
    print("|---|---:|---:|---:|---:|---|---|---:|")
    for tree, rows in results.items():
        for n, row in enumerate(rows, 1):
            print(f"| {tree} | {n} | {row['exercised']:.1f} | {row['wall']:.1f} | {row['cpu']:.1f} | {row['verdict']} "
                  f"| {row['passed']}/{row['failed']}/{row['skipped']} | {row['load']:.2f} |")
    print()
    for tree, rows in results.items():
        print(f"- {tree}: median exercised in {statistics.median(float(r['exercised']) for r in rows):.1f} s, "
              f"median CPU {statistics.median(float(r['cpu']) for r in rows):.1f} s")


def raw(args: argparse.Namespace) -> None:
    exe = shutil.which("schemathesis", path=str(Path(PYTHON).parent))
    if exe is None:
        sys.exit("schemathesis CLI not found next to this python")
    from conformance.target.targets import serve_emulator

    rows = []
    for _ in range(args.rounds):
        with serve_emulator() as origin, tempfile.TemporaryDirectory() as folder:
            # Seeded like the suite's entity, so list links lead somewhere; the same token the suite uses.
            import httpx

            from monite_emulator.settings import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
            from conformance.target.targets import EMULATOR_ENTITY_ID

            with httpx.Client(base_url=origin, timeout=30) as http:
                http.post(f"/_emulator/entities/{EMULATOR_ENTITY_ID}/seed",
                          json={"records_per_type": 10, "tax_rates": 6, "ledger_accounts": 6}).raise_for_status()
                http.put("/_emulator/rate_limit", json={"per_second": 1_000_000}).raise_for_status()
                token = http.post("/v1/auth/token", headers={"x-monite-version": "2024-05-25"},
                                  json={"grant_type": "client_credentials", "client_id": DEFAULT_CLIENT_ID,
                                        "client_secret": DEFAULT_CLIENT_SECRET}).json()["access_token"]
            command = [exe, "run", str(REPO / "spec" / "monite-accounting.yaml"), "--url", origin + "/v1",
                       "--checks", "all", "--seed", "20240525", "--generation-deterministic",
                       "-H", f"Authorization: Bearer {token}", "-H", "x-monite-version: 2024-05-25",
                       "-H", f"x-monite-entity-id: {EMULATOR_ENTITY_ID}",
                       "--max-examples", "12", "--no-color"]
            load = os.getloadavg()[0]
            # The emulator serves from a thread of this process: its CPU counts on this side too,
            # as it does for the suite's emulator-http run (the emulator in the suite's process).
            own = resource.getrusage(resource.RUSAGE_SELF)
            # In the temporary folder: schemathesis writes its cache (.schemathesis/) where it runs.
            wall, cpu, code, output = _timed(command, dict(os.environ), cwd=Path(folder))
            after = resource.getrusage(resource.RUSAGE_SELF)
            cpu += (after.ru_utime + after.ru_stime) - (own.ru_utime + own.ru_stime)
            cases = _schemathesis_cases(output)
            rows.append({"what": "schemathesis run --checks all (HTTP)", "wall": wall, "cpu": cpu, "cases": cases,
                         "load": load, "exit": code})
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
            if args.show:
                print(output[-3000:], file=sys.stderr)
        with tempfile.TemporaryDirectory() as folder:
            stats = Path(folder) / "stats.json"
            env = dict(os.environ, MONITE_PROPERTY_STATS=str(stats))
            command = [PYTHON, "-m", "conformance.cli", "run", "--report-dir", folder, "--suite", "property",
                       "--target", "emulator-http"]
            load = os.getloadavg()[0]
            wall, cpu, code, _ = _timed(command, env)
            cases = sum(row["count"] for row in json.loads(stats.read_text())["cases"])
            rows.append({"what": "monite-conformance run --suite property --target emulator-http", "wall": wall,
                         "cpu": cpu, "cases": cases, "load": load, "exit": code})
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    print(f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}\n")
    print("| client | wall s | client CPU s | generated cases | CPU ms per case | load avg before | exit |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(f"| {row['what']} | {row['wall']:.1f} | {row['cpu']:.1f} | {row['cases']} | "
              f"{1000 * row['cpu'] / max(1, row['cases']):.2f} | {row['load']:.2f} | {row['exit']} |")


def _schemathesis_cases(output: str) -> int:
    """The cases schemathesis says it generated ("N generated" in its summary)."""
    found = re.search(r"(\d+) generated", output)
    return int(found.group(1)) if found else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("runs")
    r.add_argument("--rounds", type=int, default=3)
    r.add_argument("--before", help="a tree with an older conformance/ and monite_emulator/, run alternately")
    r.add_argument("--workers", type=int, default=None)
    r.add_argument("extra", nargs="*", help="more options of `monite-conformance run`")
    w = sub.add_parser("raw")
    w.add_argument("--rounds", type=int, default=1)
    w.add_argument("--show", action="store_true", help="print the end of schemathesis' output")
    args = parser.parse_args()
    {"runs": runs, "raw": raw}[args.command](args)


if __name__ == "__main__":
    main()
