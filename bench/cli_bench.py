"""End-to-end wall time of `monite-conformance run` against the embedded emulator.

Each measurement is a fresh process, as a user or CI runs it, from start to exit: startup,
the suite, every report. Prints a Markdown table (paste it into bench/cli_results.md).

    python bench/cli_bench.py                       # quick and full, 1 worker
    python bench/cli_bench.py --profile quick --workers 1 --workers 2 --repeat 3
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

REPO = Path(__file__).resolve().parents[1]
SCRATCH = REPO / "bench" / ".tmp"

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


def measure(profile: str, workers: int, number: int) -> dict[str, object]:
    """One run: its wall time, exit code and what the summary counted."""
    report_dir = SCRATCH / f"{profile}-w{workers}-{number}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITE_")}
    command = [sys.executable, "-m", "conformance.cli", "run", "--profile", profile, "--workers", str(workers),
               "--report-dir", str(report_dir)]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    summary = json.loads((report_dir / "summary.json").read_text()) if (report_dir / "summary.json").exists() else {}
    counts = summary.get("counts", {})
    return {"profile": profile, "workers": workers, "wall": wall, "exit": done.returncode,
            "tests": counts.get("total", 0), "failed": counts.get("failed", 0) + counts.get("error", 0),
            "pytest": summary.get("run", {}).get("duration_seconds", 0.0)}


@app.command()
def main(
    profile: Annotated[list[str] | None, typer.Option(help="quick and/or full")] = None,
    workers: Annotated[list[int] | None, typer.Option(help="xdist workers to try")] = None,
    repeat: Annotated[int, typer.Option(min=1, help="runs per combination (the median is shown)")] = 1,
) -> None:
    SCRATCH.mkdir(parents=True, exist_ok=True)
    rows = []
    for chosen_profile in profile or ["quick", "full"]:
        for chosen_workers in workers or [1]:
            runs = [measure(chosen_profile, chosen_workers, n) for n in range(repeat)]
            walls = [float(run["wall"]) for run in runs]
            last = runs[-1]
            rows.append(f"| {chosen_profile} | {chosen_workers} | {statistics.median(walls):.1f} | "
                        f"{min(walls):.1f}–{max(walls):.1f} | {float(last['pytest']):.1f} | {last['tests']} | "
                        f"{last['failed']} | {last['exit']} |")
            print(rows[-1], file=sys.stderr, flush=True)
    print(f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}\n")
    print("| profile | workers | wall s (median) | range | inside pytest s | tests | failed | exit |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    app()
