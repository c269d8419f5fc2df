"""Start-up and per-test reset of the `monite_emulator` pytest fixture (issue 11: reset <= 5 ms
median, start <= 1 s).

- start: a fresh Python process per run; what the session fixture does (create the app,
  serve it on a pre-bound loopback socket, wait until uvicorn accepts), timed from before
  anything is imported (FastAPI, httpx, uvicorn, the emulator: wall time and the process's
  CPU time, which a loaded machine does not inflate) and once the imports are done;
- reset: what the per-test fixture does before each test, after a test that seeded an entity
  (30 records per type), created a connection, a ledger account and a fault rule.

    python bench/fixture_bench.py                 # 5 starts, 200 resets
    python bench/fixture_bench.py --starts 10 --resets 500

Prints a Markdown table (paste it into bench/fixture_results.md).
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from typing import Annotated

import typer

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)

START_PROBE = """
import json, time
t0, c0 = time.perf_counter(), time.process_time()
import fastapi, httpx, uvicorn  # what the emulator needs; a service's tests often import httpx anyway
from monite_emulator.testing import ServedEmulator
import monite_emulator.app
t1 = time.perf_counter()
emulator = ServedEmulator.start()
t2, c2 = time.perf_counter(), time.process_time()
assert httpx.get(emulator.origin + "/_emulator").status_code == 200
emulator.stop()
print(json.dumps({"with_imports": t2 - t0, "cpu_with_imports": c2 - c0, "without_imports": t2 - t1}))
"""


def measure_starts(count: int) -> dict[str, list[float]]:
    runs: dict[str, list[float]] = {"with_imports": [], "cpu_with_imports": [], "without_imports": []}
    for _ in range(count):
        out = subprocess.run([sys.executable, "-c", START_PROBE], capture_output=True, text=True, check=True).stdout
        for key, value in json.loads(out.strip().splitlines()[-1]).items():
            runs[key].append(value * 1000)
    return runs


def measure_resets(count: int) -> dict[str, list[float]]:
    import httpx

    from monite_emulator.testing import ServedEmulator

    emulator = ServedEmulator.start()
    runs: dict[str, list[float]] = {"after a typical test": [], "empty state": []}
    try:
        with emulator.client() as client:
            for _ in range(count):
                headers = emulator.headers()
                emulator.seed_entity(records_per_type=30)
                client.post("/accounting_connections", headers=emulator.headers("00000000-0000-4000-8000-00000000000a"))
                client.post("/ledger_accounts", headers=headers, json={"name": "x"})
                emulator.add_fault(operation="getLedgerAccount", status=503)
                started = time.perf_counter()
                emulator.reset()
                runs["after a typical test"].append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                emulator.reset()
                runs["empty state"].append((time.perf_counter() - started) * 1000)
            assert client.get("/accounting_connections", headers=emulator.headers()).json() == {"data": []}
    except httpx.HTTPError:
        raise
    finally:
        emulator.stop()
    return runs


def _row(name: str, values: list[float], target: str) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return (f"| {name} | {len(values)} | {statistics.median(values):.2f} | {p95:.2f} | {max(values):.2f} | "
            f"{target} |")


@app.command()
def main(
    starts: Annotated[int, typer.Option(min=1, help="fresh processes to time the start in")] = 5,
    resets: Annotated[int, typer.Option(min=1, help="resets to time")] = 200,
) -> None:
    start_runs = measure_starts(starts)
    reset_runs = measure_resets(resets)
    print(f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}; "
          f"load average now: {os.getloadavg()[0]:.2f}\n")
    print("| what | runs | median ms | p95 ms | max ms | target |")
    print("|---|---:|---:|---:|---:|---|")
    print(_row("start, imports included: wall", start_runs["with_imports"], "<= 1000 ms"))
    print(_row("start, imports included: CPU time of the process", start_runs["cpu_with_imports"], ""))
    print(_row("start, imports done (create app, serve, accept)", start_runs["without_imports"], ""))
    print(_row("reset after a typical test", reset_runs["after a typical test"], "<= 5 ms median"))
    print(_row("reset of an empty emulator", reset_runs["empty state"], ""))


if __name__ == "__main__":
    app()
