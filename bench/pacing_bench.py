"""Paced runs against sandbox-like deployments: requests, 429s and wall time (issue 17, item 4).

    python bench/pacing_bench.py                                  # both deployments below
    python bench/pacing_bench.py sandbox_10rps_60ms               # one of them
    python bench/pacing_bench.py sandbox_10rps_60ms --workers 1   # another number of workers
    python bench/pacing_bench.py --keep /tmp/runs                 # keep each run's report and timeline

Each deployment (tests/deployments/variants.py, `PACED`) is the emulator without its control
plane, seeded like a sandbox entity, served on loopback, that answers 60 ms later than the
emulator and allows (and advertises) 10 or 30 requests per second per token. The whole suite
runs against it as a QA engineer runs it: `python -m conformance.cli run --target <url>` (quick
profile, default options: no `--rate-limit`). Reported per run: the requests the deployment
received and how many it answered 429 (its own request log), the wall time of the CLI, the
allowance's floor (requests ÷ limit), the workers the run chose (summary.json `run.workers`),
summary.json's `pacing` (waits, 429s waited out, requests sent paced, most in flight across the
workers, the limit followed), the exit code, the load average before, and the tests' span (the
first test's start to the last one's end, from the timeline of tests/deployments/timeline.py).

Targets (issue 17): at 10/s at most 5 answers 429 and a wall time ≤ 1.1 × requests ÷ 10; at 30/s
a wall time ≤ 1.2 × requests ÷ 30 plus the in-process time (the run's own work).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.deployments import timeline  # noqa: E402
from tests.deployments.launcher import serve  # noqa: E402
from tests.deployments.runs import run_with_cli  # noqa: E402
from tests.deployments.variants import PACED  # noqa: E402

LIMITS = {"sandbox_10rps_60ms": 10, "sandbox_30rps_60ms": 30}
# The deployments are served on loopback, where the run chooses one worker (no distance to hide):
# given here, the workers it chose for them measuring their round trip on the loaded machine.
WORKERS = {"sandbox_10rps_60ms": 3, "sandbox_30rps_60ms": 4}


def measure(name: str, workers: int | None = None, keep: Path | None = None) -> dict[str, object]:
    load = os.getloadavg()[0]
    workers = WORKERS[name] if workers is None else workers
    with serve(name) as served, tempfile.TemporaryDirectory() as folder:
        outcome = run_with_cli(served, Path(folder), "--workers", str(workers))
        statuses = [entry.status for entry in served.log.requests]
        tests = timeline.read(Path(folder) / "timeline.jsonl")
        if keep is not None:
            shutil.copytree(folder, keep / f"{name}-{workers}w-{int(load * 100)}", dirs_exist_ok=True)
    pacing = (outcome.summary or {}).get("pacing", {})
    requests = len(statuses)
    limit = LIMITS[name]
    span = round(max(t["stop"] for t in tests) - min(t["start"] for t in tests), 1) if tests else None
    return {"deployment": name, "limit": limit, "requests": requests, "answers_429": statuses.count(429),
            "wall_seconds": round(outcome.seconds, 1), "floor_seconds": round(requests / limit, 1),
            "wall_over_floor": round(outcome.seconds / (requests / limit), 2) if requests else None,
            "tests_span_seconds": span,
            "exit": outcome.returncode, "verdict": (outcome.summary or {}).get("verdict"),
            "session_seconds": (outcome.summary or {}).get("run", {}).get("duration_seconds"),
            "workers": (outcome.summary or {}).get("run", {}).get("workers"),
            "pacing": pacing, "load_before": round(load, 2),
            "failures": sorted(outcome.failures)[:5], "observed_rules": sorted(outcome.observed_rules())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="deployment", help=f"of {', '.join(PACED)} (default: both)")
    parser.add_argument("--workers", type=int, help="instead of the counts in WORKERS")
    parser.add_argument("--keep", type=Path, help="copy each run's folder (report, timeline) here")
    options = parser.parse_args()
    unknown = sorted(set(options.names) - set(PACED))
    if unknown:
        parser.error(f"unknown deployment(s) {', '.join(unknown)}; choose from {', '.join(PACED)}")
    rows = []
    for name in options.names or list(PACED):
        rows.append(measure(name, options.workers, options.keep))
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    print(f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}\n")
    print("| deployment | workers | requests | answers 429 | wall s | requests ÷ limit s | wall ÷ floor "
          "| tests' span s | summary.json pacing | exit / verdict | load before |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|---|---:|")
    for row in rows:
        print(f"| {row['deployment']} | {row['workers']} | {row['requests']} | {row['answers_429']} "
              f"| {row['wall_seconds']} | {row['floor_seconds']} | {row['wall_over_floor']} "
              f"| {row['tests_span_seconds']} | `{json.dumps(row['pacing'])}` | {row['exit']} / {row['verdict']} "
              f"| {row['load_before']} |")


if __name__ == "__main__":
    main()
