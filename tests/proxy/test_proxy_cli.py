"""`monite-conformance proxy` as a user runs it: a fresh process, stopped by a signal.

SIGTERM and SIGINT write the reports and exit by `--fail-on`: 1 when that side broke a
rule, else 0; SIGUSR1 writes them without stopping. A bad option is one line and exit 2;
an upstream that does not answer at start, one line and exit 3 (both end before a server
starts, so they run through the console entry point in this process).
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.proxy.helpers import Service, seed
from tests.proxy.ports import free_port

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "conformance.cli", "proxy", *args]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITE_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


class ProxyProcess:
    def __init__(self, upstream: str, report_dir: Path, *extra: str) -> None:
        self.report_dir = report_dir
        self.process = subprocess.Popen(
            _command("--upstream", upstream, "--port", "0", "--report-dir", str(report_dir), *extra),
            cwd=REPO, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.first_line = self._first_line()
        self.base_url = self.first_line.split()[2]

    def _first_line(self) -> str:
        assert self.process.stdout is not None
        selector = selectors.DefaultSelector()
        selector.register(self.process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout=START_TIMEOUT):
            self.process.kill()
            raise AssertionError("the proxy printed nothing")
        line = self.process.stdout.readline()
        assert line.startswith("monite-conformance proxy: http://127.0.0.1:"), line + self.process.stderr.read()
        return line

    def stop(self, sig: signal.Signals) -> tuple[int, str, str]:
        self.process.send_signal(sig)
        out, err = self.process.communicate(timeout=600)  # a hang guard only
        return self.process.returncode, out, err

    def summary(self) -> dict:
        return json.loads((self.report_dir / "summary.json").read_text())


def _readable_summary(folder: Path) -> bool:
    try:
        json.loads((folder / "summary.json").read_text())
    except (OSError, ValueError):
        return False
    return True


@pytest.fixture
def fresh_emulator(emulator: str) -> Iterator[str]:
    httpx.post(f"{emulator}/_emulator/reset").raise_for_status()
    seed(emulator, ledger_accounts=3)
    yield emulator


def test_sigterm_after_a_bad_request_writes_reports_and_exits_1(fresh_emulator: str, tmp_path: Path) -> None:
    proxy = ProxyProcess(f"{fresh_emulator}/v1", tmp_path)
    assert "(emulator)" in proxy.first_line and "fail on request" in proxy.first_line
    service = Service(proxy.base_url)
    assert service.get("/ledger_accounts", params={"limit": 500}).status_code == 422
    code, out, err = proxy.stop(signal.SIGTERM)
    assert code == 1, out + err
    assert sorted(path.name for path in tmp_path.iterdir()) == ["junit.xml", "report.html", "report.sarif",
                                                               "summary.json", "summary.md"]
    summary = proxy.summary()
    assert [item["rule"] for item in summary["violations"]] == ["request.limit-out-of-range"]
    assert summary["exit_code"] == 1 and summary["proxy"]["fail_on"] == "request"
    assert "1 request and 0 response violations" in out and "exit 1" in out
    assert service.token() not in out + err


def test_sigint_after_clean_traffic_exits_0_and_sigusr1_reports_on_the_way(fresh_emulator: str,
                                                                          tmp_path: Path) -> None:
    proxy = ProxyProcess(f"{fresh_emulator}/v1", tmp_path, "--fail-on", "any")
    service = Service(proxy.base_url)
    assert service.get("/ledger_accounts", params={"limit": 2}).status_code == 200
    proxy.process.send_signal(signal.SIGUSR1)
    while not _readable_summary(tmp_path):  # the event: the reports are written (no deadline)
        assert proxy.process.poll() is None, "the proxy ended on SIGUSR1"
        time.sleep(0.05)
    assert proxy.summary()["counts"]["exchanges"] == 2 and proxy.process.poll() is None  # still serving
    assert service.get("/accounting_tax_rates").status_code == 200
    code, out, err = proxy.stop(signal.SIGINT)
    assert code == 0, out + err
    summary = proxy.summary()
    assert summary["verdict"] == "clean" and summary["counts"]["exchanges"] == 3


@pytest.mark.parametrize("args, message", [
    (("--upstream", "not-a-url"), "--upstream must be an http(s) URL"),
    (("--upstream", "http://127.0.0.1:9/v1", "--fail-on", "sometimes"), "Invalid value for '--fail-on'"),
    (("--upstream", "http://127.0.0.1:9/v1", "--port", "70000"), "Invalid value for '--port'"),
    ((), "give --upstream"),
])
def test_a_bad_option_is_one_line_and_exit_2(args: tuple[str, ...], message: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert _main("proxy", *args) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1, err


def test_a_report_folder_that_cannot_be_made_is_exit_2(emulator: str, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert _main("proxy", "--upstream", f"{emulator}/v1", "--port", "0", "--report-dir", str(blocker / "r")) == 2
    err = capsys.readouterr().err
    assert "cannot write reports to" in err and len(err.strip().splitlines()) == 1, err


def test_an_upstream_that_does_not_answer_is_one_line_and_exit_3(capsys: pytest.CaptureFixture[str]) -> None:
    assert _main("proxy", "--upstream", f"http://127.0.0.1:{free_port()}/v1", "--port", "0") == 3
    err = capsys.readouterr().err
    assert "did not answer" in err and len(err.strip().splitlines()) == 1, err


def _main(*argv: str) -> int:
    """The console entry point in this process (usage errors end before any server starts)."""
    from conformance.cli import main

    with pytest.raises(SystemExit) as stopped:
        main(list(argv))
    return int(stopped.value.code or 0)


@pytest.mark.parametrize("moment", ["loading", "before-serving"])
def test_ctrl_c_before_the_proxy_serves_exits_130_without_a_traceback(emulator: str, tmp_path: Path,
                                                                       moment: str) -> None:
    """While the command loads, or before it listens: exit 130 and one line. (Once it serves,
    SIGINT is its documented stop: reports, then the --fail-on exit code.)"""
    from tests.interrupt_support import start

    command = start(["proxy", "--upstream", f"{emulator}/v1", "--port", "0", "--report-dir", str(tmp_path / "r")],
                    tmp_path, hold=moment)
    command.wait_for(f"holding {moment}")
    command.ctrl_c()
    output = command.finish()
    assert command.returncode == 130, output
    assert "Traceback" not in output and "interrupted" in command.stderr
