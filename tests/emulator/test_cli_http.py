"""The CLI and the emulator over real HTTP (uvicorn)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid

import httpx
import pytest

from emu_helpers import CLIENT_ID, CLIENT_SECRET, VERSION

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "monite_emulator", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)


@pytest.mark.parametrize("args", [["--bogus"], ["--port", "x"], ["--port", "70000"], ["--rate-limit", "0"],
                                  ["--sync-delay", "-1"], ["--db", "/no/such/dir/x.db"], ["extra"]])
def test_bad_option_one_line_exit_2(args: list[str]) -> None:
    p = run_cli(*args)
    assert p.returncode == 2
    lines = [line for line in p.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("monite-emulator: error:"), p.stderr


def test_help() -> None:
    p = run_cli("--help")
    assert p.returncode == 0 and "--port" in p.stdout and "--db" in p.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serves_over_http(tmp_path) -> None:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "monite_emulator", "--port", str(port), "--db",
                             str(tmp_path / "e.db"), "--sync-delay", "0.2"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        assert proc.stdout is not None
        banner = proc.stdout.readline().decode()  # printed once the socket listens: connectable from now on
        assert f"127.0.0.1:{port}" in banner, banner
        with httpx.Client(base_url=base, timeout=60) as c:
            tok = c.post("/v1/auth/token", headers={"x-monite-version": VERSION},
                         json={"grant_type": "client_credentials", "client_id": CLIENT_ID,
                               "client_secret": CLIENT_SECRET}).json()["access_token"]
            h = {"x-monite-version": VERSION, "Authorization": f"Bearer {tok}", "x-monite-entity-id": str(uuid.uuid4())}
            conn = c.post("/v1/accounting_connections", headers=h).json()
            assert conn["connection_url"].startswith(base + "/_emulator/connect/")
            assert c.get(conn["connection_url"]).json()["status"] == "connected"
            assert c.post(f"/v1/accounting_connections/{conn['id']}/sync", headers=h).status_code == 202
            # The queued sync job, run now through the control plane (not by waiting out --sync-delay).
            assert c.post("/_emulator/jobs/run").status_code == 200
            assert c.get(f"/v1/accounting_connections/{conn['id']}", headers=h).json()["last_pull"]
            assert c.request("PATCH", "/v1/accounting_connections", headers=h).status_code == 405
    finally:
        proc.terminate()
        proc.wait(timeout=300)  # a hang guard only
