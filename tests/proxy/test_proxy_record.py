"""`proxy --record`: every exchange the proxy forwards, redacted, in exchanges.har (HAR 1.2, the
writer of `run --record`), which `replay` judges to the proxy's own verdict."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import httpx

from conformance.proxy.replay import replay
from conformance.proxy.server import running_proxy
from conformance.proxy.upstream import Upstream
from conformance.proxy.fail_on import FailOn
from tests.cli_support import run_cli
from tests.har_support import assert_har_1_2
from tests.proxy.helpers import CLIENT_SECRET, Service, seed
from tests.proxy.test_proxy_cli import START_TIMEOUT, ProxyProcess, _command, _env


def _har(folder: Path) -> dict:
    return json.loads((folder / "exchanges.har").read_text(encoding="utf-8"))


def _assert_har_1_2(log: dict) -> None:
    assert_har_1_2(log)
    for entry in log["entries"]:
        assert entry["_test"] == "proxy" and entry["time"] >= 0


def test_a_recorded_session_has_every_forwarded_exchange_no_secret_and_replays_to_its_verdict(
        emulator: str, tmp_path: Path) -> None:
    httpx.post(f"{emulator}/_emulator/reset").raise_for_status()
    seed(emulator, ledger_accounts=3)
    folder = tmp_path / "proxy"
    proxy = ProxyProcess(f"{emulator}/v1", folder, "--record", "--fail-on", "any")
    assert "recording to exchanges.har" in proxy.first_line
    service = Service(proxy.base_url)
    token = service.token()  # POST /auth/token with the client secret in its body
    assert service.get("/ledger_accounts", params={"limit": 2}).status_code == 200
    assert service.get("/ledger_accounts", params={"limit": 500}).status_code == 422  # a request violation
    assert service.get("/accounting_tax_rates").status_code == 200
    assert httpx.get(proxy.base_url.removesuffix("/v1") + "/_emulator").status_code == 200  # outside /v1
    assert httpx.get(proxy.base_url.removesuffix("/v1") + "/_proxy/status").status_code == 200  # not forwarded
    code, out, err = proxy.stop(signal.SIGTERM)
    assert code == 1, out + err
    summary = proxy.summary()
    assert summary["counts"]["exchanges"] == 5

    text = (folder / "exchanges.har").read_text(encoding="utf-8")
    assert CLIENT_SECRET not in text and token not in text
    log = _har(folder)["log"]
    _assert_har_1_2(log)
    sent = [(entry["request"]["method"], entry["request"]["url"].split("?")[0].removeprefix(emulator),
             entry["response"]["status"]) for entry in log["entries"]]
    assert sent == [("POST", "/v1/auth/token", 200), ("GET", "/v1/ledger_accounts", 200),
                    ("GET", "/v1/ledger_accounts", 422), ("GET", "/v1/accounting_tax_rates", 200),
                    ("GET", "/_emulator", 200)]
    token_answer = json.loads(log["entries"][0]["response"]["content"]["text"])
    assert token_answer["access_token"] == "[REDACTED]"
    assert json.loads(log["entries"][0]["request"]["postData"]["text"])["client_secret"] == "[REDACTED]"
    for entry in log["entries"][1:4]:
        authorization = [h["value"] for h in entry["request"]["headers"] if h["name"] == "authorization"]
        assert authorization == ["Bearer [REDACTED]"]
    assert log["_run"]["target_is_emulator"] is True and log["_run"]["recorded_by"] == "proxy"
    assert not list(folder.glob(".exchanges-*"))  # the part file was joined and removed

    replayed_dir = tmp_path / "replayed"
    replayed = run_cli("replay", str(folder / "exchanges.har"), "--fail-on", "any", "--report-dir",
                       str(replayed_dir), cwd=tmp_path)
    assert replayed.returncode == code, replayed.stdout + replayed.stderr
    again = json.loads((replayed_dir / "summary.json").read_text(encoding="utf-8"))
    assert again["verdict"] == summary["verdict"] == "violations"
    assert again["counts"] == summary["counts"]
    assert [item["rule"] for item in again["violations"]] == [item["rule"] for item in summary["violations"]] \
        == ["request.limit-out-of-range"]


def test_a_report_on_the_way_keeps_recording_and_the_last_report_holds_every_exchange(
        emulator: str, tmp_path: Path) -> None:
    httpx.post(f"{emulator}/_emulator/reset").raise_for_status()
    folder = tmp_path / "reports"
    with running_proxy(Upstream(f"{emulator}/v1", is_emulator=True), folder, FailOn.response,
                       record=True) as running:
        service = Service(running.base_url)
        assert service.get("/accounting_tax_rates").status_code == 200
        running.session.settled_traffic()
        assert httpx.get(running.base_url.removesuffix("/v1") + "/_proxy/report").status_code == 200
        assert len(_har(folder)["log"]["entries"]) == 2  # token and tax rates so far
        assert service.get("/ledger_accounts").status_code == 200
        running.session.settled_traffic()
    log = _har(folder)["log"]
    _assert_har_1_2(log)
    assert [entry["request"]["url"].split("?")[0].removeprefix(f"{emulator}/v1") for entry in log["entries"]] \
        == ["/auth/token", "/accounting_tax_rates", "/ledger_accounts"]
    assert not list(folder.glob(".exchanges-*"))
    written = replay(folder / "exchanges.har", tmp_path / "replay", FailOn.response)
    assert written["verdict"] == "clean" and written["counts"]["exchanges"] == 3


def test_without_record_no_har_is_written(proxy, service: Service) -> None:  # type: ignore[no-untyped-def]
    assert service.get("/accounting_tax_rates").status_code == 200
    proxy.session.write_reports()
    assert not (proxy.session.report_dir / "exchanges.har").exists()
    assert not list(proxy.session.report_dir.glob(".exchanges-*"))


def test_record_true_in_the_proxy_table_of_the_configuration_file_records(emulator: str, tmp_path: Path) -> None:
    httpx.post(f"{emulator}/_emulator/reset").raise_for_status()
    (tmp_path / "monite-conformance.toml").write_text(
        f'[proxy]\nupstream = "{emulator}/v1"\nport = 0\nreport-dir = "out"\nrecord = true\n', encoding="utf-8")
    process = subprocess.Popen(_command(), cwd=tmp_path, env=_env(), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    try:
        assert "recording to exchanges.har" in line, line + (process.stderr.read() if process.poll() else "")
        assert Service(line.split()[2]).get("/accounting_tax_rates").status_code == 200
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=START_TIMEOUT)
    assert process.returncode == 0, out + err
    assert [entry["response"]["status"] for entry in _har(tmp_path / "out")["log"]["entries"]] == [200, 200]
