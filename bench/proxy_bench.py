"""Latency the validating proxy adds per request, on loopback, against the emulator.

Three processes, as a user runs them: the emulator (`monite-emulator`), the proxy in front
of it (`monite-conformance proxy`, every check on) and this client. The client sends the
same sequential keep-alive requests straight to the emulator and through the proxy, in
alternating blocks (so machine noise hits both alike), and prints a Markdown table:
median and p99 of each, the median added by the proxy, and the CPU time the proxy process
spent per request (from /proc: its own work, which machine load does not inflate). The proxy is then stopped with
SIGTERM; its exit code and counts show that the traffic was judged (and found clean).

    python bench/proxy_bench.py                      # 3 rounds of 2000 requests each way, GET /ledger_accounts/{id}
    python bench/proxy_bench.py --rounds 5 --requests 1000 --path list
"""

from __future__ import annotations

import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

REPO = Path(__file__).resolve().parents[1]
VERSION = "2024-05-25"
ENTITY = "9d2b4c8f-2087-4738-ba91-7359683c49a4"
CLIENT_ID, CLIENT_SECRET = "5e7c0a1b-2c3d-4e5f-8a9b-0c1d2e3f4a5b", "emulator-secret"
BLOCK = 100  # requests per block; direct and proxied blocks alternate

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


def _start(command: list[str], ready: str) -> tuple[subprocess.Popen[str], str]:
    """Start a process; return it and its first stdout line containing `ready`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITE_")}
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    for line in process.stdout:
        if ready in line:
            return process, line
    raise RuntimeError(f"{command[:3]} did not start: {process.stderr.read() if process.stderr else ''}")


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used (Linux /proc): the proxy's own work, whatever the load."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def _round(clients: dict[str, httpx.Client], target: str, requests: int, proxy_pid: int) -> dict[str, Any]:
    """`requests` each way in alternating blocks: the timings, and the proxy's CPU per request."""
    timings: dict[str, list[float]] = {"direct": [], "proxy": []}
    proxy_cpu = 0.0
    for block in range(requests // BLOCK * 2):
        name = "direct" if block % 2 == 0 else "proxy"
        client = clients[name]
        cpu_before = _cpu_seconds(proxy_pid)
        for _ in range(BLOCK):
            started = time.perf_counter()
            answer = client.get(target)
            timings[name].append((time.perf_counter() - started) * 1000)
            if answer.status_code != 200:
                raise RuntimeError(f"{name}: {answer.status_code} {answer.text[:200]}")
        if name == "proxy":
            proxy_cpu += _cpu_seconds(proxy_pid) - cpu_before
    return {"timings": timings, "cpu_ms": proxy_cpu / len(timings["proxy"]) * 1000,
            "load": os.getloadavg()[0]}


@app.command()
def main(
    requests: Annotated[int, typer.Option(min=BLOCK, help="requests each way per round")] = 2000,
    rounds: Annotated[int, typer.Option(min=1, help="rounds (same processes); each is reported")] = 3,
    path: Annotated[str, typer.Option(help="'one': GET /ledger_accounts/{id}; 'list': GET /ledger_accounts?limit=12")]
    = "one",
) -> None:
    load_before = os.getloadavg()
    port = _free_port()
    bin_dir = Path(sys.executable).parent
    emulator, _ = _start([str(bin_dir / "monite-emulator"), "--port", str(port)], "monite-emulator")
    report_dir = Path(tempfile.mkdtemp(prefix="proxy-bench-"))
    proxy, line = _start([sys.executable, "-m", "conformance.cli", "proxy", "--upstream", f"http://127.0.0.1:{port}/v1",
                          "--port", "0", "--report-dir", str(report_dir)], "monite-conformance proxy:")
    proxy_base = line.split()[2]
    direct_base = f"http://127.0.0.1:{port}/v1"
    results = []
    try:
        with httpx.Client(timeout=30) as control:
            control.post(f"http://127.0.0.1:{port}/_emulator/entities/{ENTITY}/seed", json={}).raise_for_status()
            token = control.post(f"{direct_base}/auth/token", headers={"x-monite-version": VERSION}, json={
                "grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
            }).json()["access_token"]
            headers = {"x-monite-version": VERSION, "x-monite-entity-id": ENTITY, "Authorization": f"Bearer {token}"}
            first = control.get(f"{direct_base}/ledger_accounts", headers=headers).json()["data"][0]["id"]
        target = f"/ledger_accounts/{first}" if path == "one" else "/ledger_accounts?limit=12"
        with httpx.Client(base_url=direct_base, headers=headers) as direct, \
                httpx.Client(base_url=proxy_base, headers=headers) as proxied:
            clients = {"direct": direct, "proxy": proxied}
            for client in clients.values():  # warm up: connections, caches, the proxy's pool
                for _ in range(50):
                    client.get(target).raise_for_status()
            results = [_round(clients, target, requests, proxy.pid) for _ in range(rounds)]
    finally:
        proxy.send_signal(signal.SIGTERM)
        proxy_exit = proxy.wait(timeout=30)
        emulator.send_signal(signal.SIGTERM)
        emulator.wait(timeout=30)
    counts = json.loads((report_dir / "summary.json").read_text())["counts"]
    print(f"GET {target.split('?')[0].rsplit('/', 1)[0] + '/{id}' if path == 'one' else target} · {rounds} rounds of "
          f"{requests} sequential keep-alive requests each way · Python {platform.python_version()} · "
          f"{os.cpu_count()} CPUs · load average before {load_before[0]:.2f}")
    print()
    print("| round | direct median ms | proxy median ms | added median ms | direct p99 ms | proxy p99 ms "
          "| proxy CPU ms/request | load average |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    added = []
    for number, result in enumerate(results, 1):
        direct_ms, proxy_ms = result["timings"]["direct"], result["timings"]["proxy"]
        added.append(statistics.median(proxy_ms) - statistics.median(direct_ms))
        print(f"| {number} | {statistics.median(direct_ms):.3f} | {statistics.median(proxy_ms):.3f} | "
              f"{added[-1]:.3f} | "
              f"{_percentile(direct_ms, 0.99):.3f} | {_percentile(proxy_ms, 0.99):.3f} | {result['cpu_ms']:.3f} | "
              f"{result['load']:.2f} |")
    print()
    print(f"Added by the proxy, median of the rounds: **{statistics.median(added):.3f} ms**.")
    print(f"Proxy exit {proxy_exit} after SIGTERM; it judged {counts['exchanges']} exchanges: "
          f"{counts['request_violations']} request and {counts['response_violations']} response violations.")


if __name__ == "__main__":
    app()
