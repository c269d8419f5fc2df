"""Throughput, latency and CPU of the emulator's `GET /v1/ledger_accounts/{id}` against a plain FastAPI route.

Each server is started the way its users start it, in its own process, and nothing of the
emulator's serving code is shared with the baseline:
- emulator: `monite-emulator --port P` (the shipped command, `monite_emulator.serve`);
- plain: `python -m uvicorn plain_app:app --port P --no-access-log` (`bench/plain_app.py`: an
  `async def` route on the same path with the same header parameters and the same pydantic
  response model; the access log off as the emulator's is, so both servers do the same I/O).
wrk loads them in alternating rounds with the same connections, duration and headers, in the
same run on the same machine; the server's CPU time per request comes from /proc.

Also the `monite_emulator` pytest fixture's start (fresh process) and per-test reset
(`bench/fixture_bench.py`'s measurements).

Needs `wrk` (Debian/Ubuntu: `sudo apt-get install wrk`; macOS: `brew install wrk`).

    python bench/emulator_bench.py                         # 32 connections, 10 s per round, 3 rounds
    python bench/emulator_bench.py --duration 20 --rounds 5

Prints a Markdown table (paste it into bench/emulator_results.md). Target (issue 17): the emulator
serves at least 1.0x the plain route's requests/s, with a p99 at most 1.5x the plain one's.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated

import httpx
import typer

REPO = Path(__file__).resolve().parents[1]
VERSION = "2024-05-25"
ENTITY = "9d2b4c8f-2087-4738-ba91-7359683c49a4"
PATH = "/v1/ledger_accounts/{id}"

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
BENCH = Path(__file__).resolve().parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def command(which: str, port: int) -> list[str]:
    """How each server's users start it."""
    if which == "plain":
        return [sys.executable, "-m", "uvicorn", "plain_app:app", "--host", "127.0.0.1", "--port", str(port),
                "--no-access-log", "--log-level", "warning"]
    emulator = Path(sys.executable).with_name("monite-emulator")
    return [str(emulator), "--host", "127.0.0.1", "--port", str(port)]


class Child:
    def __init__(self, which: str) -> None:
        port = _free_port()
        self.proc = subprocess.Popen(command(which, port), cwd=BENCH, stdout=subprocess.DEVNULL)
        self.origin = f"http://127.0.0.1:{port}"
        for _ in range(400):
            try:
                httpx.get(self.origin + "/nothing", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{which} did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def prepare_emulator(origin: str) -> tuple[str, str]:
    """A token and the id of a seeded ledger account."""
    from monite_emulator.settings import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET

    with httpx.Client(base_url=origin, timeout=10) as c:
        c.post(f"/_emulator/entities/{ENTITY}/seed", json={"records_per_type": 5}).raise_for_status()
        token = c.post("/v1/auth/token", headers={"x-monite-version": VERSION},
                       json={"grant_type": "client_credentials", "client_id": DEFAULT_CLIENT_ID,
                             "client_secret": DEFAULT_CLIENT_SECRET}).json()["access_token"]
        headers = {"x-monite-version": VERSION, "x-monite-entity-id": ENTITY, "authorization": f"Bearer {token}"}
        account = c.get("/v1/ledger_accounts", headers=headers, params={"limit": 1}).json()["data"][0]["id"]
        c.get(f"/v1/ledger_accounts/{account}", headers=headers).raise_for_status()
    return token, account


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text.strip()).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far (Linux /proc), or None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_wrk(url: str, token: str, connections: int, threads: int, duration: int, pid: int = 0) -> dict[str, float]:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency",
               "-H", f"x-monite-version: {VERSION}", "-H", f"x-monite-entity-id: {ENTITY}",
               "-H", f"Authorization: Bearer {token}", url]
    cpu_before = cpu_seconds(pid) if pid else None
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    cpu_after = cpu_seconds(pid) if pid else None
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} non-2xx answers\n{out}")
    cpu_ms = (cpu_after - cpu_before) * 1000 / total if cpu_before is not None and cpu_after is not None else float("nan")
    return {"rps": rps, "p50": p50, "p99": p99, "cpu_ms": cpu_ms}


@app.command()
def main(
    duration: Annotated[int, typer.Option(min=1, help="seconds of load per server and round")] = 10,
    rounds: Annotated[int, typer.Option(min=1, help="alternating rounds (the median is reported)")] = 3,
    connections: Annotated[int, typer.Option(min=1)] = 32,
    threads: Annotated[int, typer.Option(min=1, help="wrk threads")] = 2,
    warmup: Annotated[int, typer.Option(min=0, help="seconds of unmeasured load before measuring")] = 2,
    starts: Annotated[int, typer.Option(min=0, help="fixture starts to time (fresh processes)")] = 3,
    resets: Annotated[int, typer.Option(min=0, help="fixture resets to time")] = 100,
) -> None:
    load_before = os.getloadavg()[0]
    if shutil.which("wrk") is None:
        print("emulator_bench: wrk is not installed (Debian/Ubuntu: sudo apt-get install wrk; macOS: brew install wrk)",
              file=sys.stderr)
        raise typer.Exit(2)
    emulator, plain = Child("emulator"), Child("plain")
    try:
        token, account = prepare_emulator(emulator.origin)
        urls = {"plain": plain.origin + PATH.format(id=account), "emulator": emulator.origin + PATH.format(id=account)}
        pids = {"plain": plain.proc.pid, "emulator": emulator.proc.pid}
        results: dict[str, list[dict[str, float]]] = {"plain": [], "emulator": []}
        for name, url in urls.items():
            if warmup:
                run_wrk(url, token, connections, threads, warmup)
        for _ in range(rounds):
            for name, url in urls.items():
                results[name].append(run_wrk(url, token, connections, threads, duration, pids[name]))
                print(name, results[name][-1], file=sys.stderr, flush=True)
    finally:
        emulator.stop()
        plain.stop()
    med = {name: {k: statistics.median(r[k] for r in runs) for k in ("rps", "p50", "p99", "cpu_ms")}
           for name, runs in results.items()}
    ratio = med["emulator"]["rps"] / med["plain"]["rps"]
    p99_ratio = med["emulator"]["p99"] / med["plain"]["p99"]
    print(f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}; "
          f"load average before: {load_before:.2f}, after: {os.getloadavg()[0]:.2f}")
    print(f"wrk -t{threads} -c{connections} -d{duration}s, {rounds} alternating rounds (median), "
          f"{warmup} s warm-up each\n")
    print("| server | req/s | p50 ms | p99 ms | server CPU ms per request | every round req/s |")
    print("|---|---:|---:|---:|---:|---|")
    for name in ("plain", "emulator"):
        m = med[name]
        every = ", ".join(f"{r['rps']:.0f}" for r in results[name])
        print(f"| {name} | {m['rps']:.0f} | {m['p50']:.2f} | {m['p99']:.2f} | {m['cpu_ms']:.3f} | {every} |")
    verdict = "met" if ratio >= 1.0 and p99_ratio <= 1.5 else "NOT met"
    print(f"\nemulator / plain: throughput {ratio:.2f}x (target >= 1.0x), p99 {p99_ratio:.2f}x (target <= 1.5x): {verdict}")
    print(f"plain / emulator CPU per request: {med['plain']['cpu_ms'] / med['emulator']['cpu_ms']:.2f}x "
          "(the throughput ratio the two would show with a core each)")
    if starts or resets:
        from fixture_bench import measure_resets, measure_starts

        print("\n| fixture | median ms | every run ms |\n|---|---:|---|")
        if starts:
            for key, values in measure_starts(starts).items():
                print(f"| start: {key} | {statistics.median(values):.0f} | {', '.join(f'{v:.0f}' for v in values)} |")
        if resets:
            for key, values in measure_resets(resets).items():
                print(f"| reset: {key} | {statistics.median(values):.2f} | (n={len(values)}) |")


if __name__ == "__main__":
    app()
