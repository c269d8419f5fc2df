"""Throughput and p99 of the emulator's `GET /v1/ledger_accounts/{id}` against a plain FastAPI route.

Both servers run under uvicorn exactly as `monite-emulator` runs (`monite_emulator.serve.serve_forever`),
each in its own process on a pre-bound loopback socket, and are loaded in turn by `wrk` with
the same connections, duration and headers, in the same run on the same machine. The plain
route is what a FastAPI user would write for this operation: the same path, the same header
parameters (`x-monite-version`, `x-monite-entity-id` as a UUID, a bearer credential) and the
same pydantic response model (`monite_emulator.http.schemas.LedgerAccount`), built from a dict
and validated and serialised by FastAPI through `response_model`.

Needs `wrk` (Debian/Ubuntu: `sudo apt-get install wrk`; macOS: `brew install wrk`).

    python bench/emulator_bench.py                         # 32 connections, 10 s per round, 2 rounds
    python bench/emulator_bench.py --duration 20 --rounds 3

Prints a Markdown table (paste it into bench/emulator_results.md). Target (issue 11): the
emulator reaches at least 60% of the plain route's requests/s, with a p99 at most 2x the plain one's.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import httpx
import typer
from fastapi import Depends, FastAPI, Header
from fastapi.security import HTTPBearer

from monite_emulator.http.schemas import LedgerAccount

REPO = Path(__file__).resolve().parents[1]
VERSION = "2024-05-25"
ENTITY = "9d2b4c8f-2087-4738-ba91-7359683c49a4"
PATH = "/v1/ledger_accounts/{id}"

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


def plain_app() -> Any:
    """The baseline: a plain FastAPI route with the same path, headers and response model."""
    bearer = HTTPBearer(auto_error=False)
    account = {
        "created_at": "2024-05-25T10:00:00Z", "updated_at": "2024-05-25T10:00:00Z",
        "is_bank_account": False, "status": "Active", "type": "Asset", "currency": "EUR",
        "current_balance": 0, "description": "Accounts Receivable (from the accounting system)",
        "is_external": True, "name": "Accounts Receivable", "nominal_code": "200", "subtype": "Current",
    }
    plain = FastAPI()

    @plain.get("/v1/ledger_accounts/{ledger_account_id}", response_model=LedgerAccount)
    async def get_ledger_account(
        ledger_account_id: str,
        x_monite_version: Annotated[str, Header(alias="x-monite-version")],
        x_monite_entity_id: Annotated[UUID, Header(alias="x-monite-entity-id")],
        _credentials: Annotated[object, Depends(bearer)] = None,
    ) -> Any:
        return LedgerAccount.model_validate(dict(account, id=ledger_account_id))

    return plain


def emulator_app() -> Any:
    from monite_emulator.app import create_app

    return create_app()


def serve(which: str) -> None:
    """Child process: serve one app on a pre-bound loopback socket; print the port first."""
    from monite_emulator.serve import bind, serve_forever

    sock = bind()
    print(sock.getsockname()[1], flush=True)
    serve_forever(plain_app() if which == "plain" else emulator_app(), sock)


class Child:
    def __init__(self, which: str) -> None:
        self.proc = subprocess.Popen([sys.executable, __file__, "serve", which], cwd=REPO,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.origin = f"http://127.0.0.1:{int(self.proc.stdout.readline())}"
        for _ in range(200):
            try:
                httpx.get(self.origin + "/nothing", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.05)
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
    rounds: Annotated[int, typer.Option(min=1, help="alternating rounds (the median is reported)")] = 2,
    connections: Annotated[int, typer.Option(min=1)] = 32,
    threads: Annotated[int, typer.Option(min=1, help="wrk threads")] = 2,
    warmup: Annotated[int, typer.Option(min=0, help="seconds of unmeasured load before measuring")] = 2,
) -> None:
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
          f"load average before: {os.getloadavg()[0]:.2f}")
    print(f"wrk -t{threads} -c{connections} -d{duration}s, {rounds} alternating rounds (median), "
          f"{warmup} s warm-up each\n")
    print("| server | req/s | p50 ms | p99 ms | server CPU ms per request | every round req/s |")
    print("|---|---:|---:|---:|---:|---|")
    for name in ("plain", "emulator"):
        m = med[name]
        every = ", ".join(f"{r['rps']:.0f}" for r in results[name])
        print(f"| {name} | {m['rps']:.0f} | {m['p50']:.2f} | {m['p99']:.2f} | {m['cpu_ms']:.3f} | {every} |")
    verdict = "met" if ratio >= 0.60 and p99_ratio <= 2.0 else "NOT met"
    print(f"\nemulator / plain: throughput {ratio:.0%} (target >= 60%), p99 {p99_ratio:.2f}x (target <= 2x): {verdict}")
    print(f"plain / emulator CPU per request: {med['plain']['cpu_ms'] / med['emulator']['cpu_ms']:.0%} "
          "(the throughput ratio a machine to itself would give)")


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"]:
        serve(sys.argv[2])
    else:
        app()
