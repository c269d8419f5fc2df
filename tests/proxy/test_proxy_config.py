"""`monite-conformance proxy` driven by a configuration file: its `[proxy]` table gives the upstream
(through a `${ENV}` reference), the port, the report folder and `--fail-on`; a flag still wins."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import httpx

from tests.proxy.helpers import Service
from tests.proxy.test_proxy_cli import START_TIMEOUT, _command, _env


def _start(cwd: Path, *args: str, env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(_command(*args), cwd=cwd, env={**_env(), **env}, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()  # the proxy prints its address first (or exits)
    assert line.startswith("monite-conformance proxy: http://127.0.0.1:"), line + process.stderr.read()
    return process, line


def test_a_file_drives_the_proxy_and_a_flag_overrides_it(emulator: str, tmp_path: Path) -> None:
    httpx.post(f"{emulator}/_emulator/reset").raise_for_status()
    (tmp_path / "monite-conformance.toml").write_text(
        '[proxy]\nupstream = "${UPSTREAM_API}"\nport = 0\nreport-dir = "proxy-reports"\nfail-on = "response"\n',
        encoding="utf-8")
    process, line = _start(tmp_path, env={"UPSTREAM_API": f"{emulator}/v1"})
    try:
        assert f"-> {emulator}/v1 (emulator)" in line and "fail on response" in line, line
        service = Service(line.split()[2])
        assert service.get("/ledger_accounts", params={"limit": 500}).status_code == 422  # a request violation
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=START_TIMEOUT)
    # fail-on response (the file's): the bad request alone does not fail the session
    assert process.returncode == 0, out + err
    summary = json.loads((tmp_path / "proxy-reports" / "summary.json").read_text(encoding="utf-8"))
    assert summary["proxy"]["fail_on"] == "response" and summary["counts"]["exchanges"] >= 1

    process, line = _start(tmp_path, "--fail-on", "request", env={"UPSTREAM_API": f"{emulator}/v1"})
    try:
        assert "fail on request" in line, line
        assert Service(line.split()[2]).get("/ledger_accounts", params={"limit": 500}).status_code == 422
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=START_TIMEOUT)
    assert process.returncode == 1, out + err
