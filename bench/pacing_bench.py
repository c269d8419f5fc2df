"""Paced runs against sandbox-like deployments: requests, 429s and wall time (issue 17, item 4).

    python bench/pacing_bench.py                                  # both deployments below
    python bench/pacing_bench.py sandbox_10rps_60ms               # one of them

Each deployment (tests/deployments/variants.py, `PACED`) is the emulator without its control
plane, seeded like a sandbox entity, served on loopback, that answers 60 ms later than the
emulator and allows (and advertises) 10 or 30 requests per second per token. The whole suite
runs against it as a QA engineer runs it: `python -m conformance.cli run --target <url>` (quick
profile, default options: no `--rate-limit`). Reported per run: the requests the deployment
received and how many it answered 429 (its own request log), the wall time of the CLI, the
allowance's floor (requests ÷ limit), the workers the run chose (summary.json `run.workers`),
summary.json's `pacing` (waits, 429s waited out, requests sent paced, most in flight across the
workers, the limit followed), the exit code, and the load average before.

Targets (issue 17): at 10/s at most 5 answers 429 and a wall time ≤ 1.1 × requests ÷ 10; at 30/s
a wall time ≤ 1.2 × requests ÷ 30 plus the in-process time (the run's own work).
"""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.deployments.launcher import serve  # noqa: E402
from tests.deployments.runs import run_with_cli  # noqa: E402
from tests.deployments.variants import PACED  # noqa: E402

LIMITS = {"sandbox_10rps_60ms": 10, "sandbox_30rps_60ms": 30}
# The deployments are served on loopback, where the run chooses one worker (no distance to hide):
# given here, the workers it chose for them measuring their round trip on the loaded machine.
WORKERS = {"sandbox_10rps_60ms": 3, "sandbox_30rps_60ms": 4}


def measure(name: str) -> dict[str, object]:
    load = os.getloadavg()[0]
    with serve(name) as served, tempfile.TemporaryDirectory() as folder:
        outcome = run_with_cli(served, Path(folder), "--workers", str(WORKERS[name]))
        statuses = [entry.status for entry in served.log.requests]
    pacing = (outcome.summary or {}).get("pacing", {})
    requests = len(statuses)
    limit = LIMITS[name]
    return {"deployment": name, "limit": limit, "requests": requests, "answers_429": statuses.count(429),
            "wall_seconds": round(outcome.seconds, 1), "floor_seconds": round(requests / limit, 1),
            "wall_over_floor": round(outcome.seconds / (requests / limit), 2) if requests else None,
            "exit": outcome.returncode, "verdict": (outcome.summary or {}).get("verdict"),
            "session_seconds": (outcome.summary or {}).get("run", {}).get("duration_seconds"),
            "workers": (outcome.summary or {}).get("run", {}).get("workers"),
            "pacing": pacing, "load_before": round(load, 2),
            "failures": sorted(outcome.failures)[:5]}


def main() -> None:
    names = sys.argv[1:] or list(PACED)
    rows = []
    for name in names:
        rows.append(measure(name))
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    print(f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}\n")
    print("| deployment | workers | requests | answers 429 | wall s | requests ÷ limit s | wall ÷ floor "
          "| summary.json pacing | exit / verdict | load before |")
    print("|---|---:|---:|---:|---:|---:|---:|---|---|---:|")
    for row in rows:
        print(f"| {row['deployment']} | {row['workers']} | {row['requests']} | {row['answers_429']} "
              f"| {row['wall_seconds']} | {row['floor_seconds']} | {row['wall_over_floor']} "
              f"| `{json.dumps(row['pacing'])}` | {row['exit']} / {row['verdict']} | {row['load_before']} |")


if __name__ == "__main__":
    main()
