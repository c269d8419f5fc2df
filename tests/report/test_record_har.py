"""`run --record`: every exchange of the run (property tests, scenarios, cleanup) in exchanges.har,
HAR 1.2, redacted, each entry naming the test that sent it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_support import CliRun, run_cli
from tests.har_support import assert_har_1_2

SECRET = "record-test-secret-5b1f"  # the emulator accepts the client secret from the environment
CLIENT_ID = "0b9e6d57-3c2a-4f1e-9d8c-7a6b5c4d3e2f"


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> CliRun:
    cwd = tmp_path_factory.mktemp("record")
    return run_cli("run", "--only", "getTaxRate,ledger-accounts", "--record", cwd=cwd, report_dir=cwd / "out",
                   env={"MONITE_CLIENT_ID": CLIENT_ID, "MONITE_CLIENT_SECRET": SECRET})


def _har(run: CliRun) -> dict:
    assert run.report_dir is not None
    return json.loads((run.report_dir / "exchanges.har").read_text(encoding="utf-8"))


def test_the_har_file_is_har_1_2_with_every_required_field(recorded: CliRun) -> None:
    assert recorded.returncode == 0, recorded.stdout + recorded.stderr
    log = _har(recorded)["log"]
    assert log["entries"]
    assert_har_1_2(log)
    starts = [entry["startedDateTime"] for entry in log["entries"]]
    assert starts == sorted(starts)
    assert not list(recorded.report_dir.glob(".exchanges-*"))  # the per-process parts were joined


def test_every_exchange_of_the_run_is_there_with_its_test(recorded: CliRun) -> None:
    entries = _har(recorded)["log"]["entries"]
    summary = recorded.summary()
    by_test: dict[str, int] = {}
    for entry in entries:
        assert entry["_test"] and entry["comment"] == f"test: {entry['_test']}"
        by_test[entry["_test"]] = by_test.get(entry["_test"], 0) + 1
    tests = {test["id"] for test in summary["tests"] if test["outcome"] == "passed"}
    assert {test for test in tests if "test_property.py" in test} <= set(by_test)  # property tests
    assert any("scenarios" in test for test in by_test)  # scenarios
    # Every status the matrix saw an operation answer is in an entry to its path.
    for op_id, operation in summary["operations"].items():
        path = operation["path"]
        if "{" in path:
            continue
        to_path = [entry for entry in entries if entry["request"]["url"].split("?")[0].endswith("/v1" + path)]
        for status, cell in operation["statuses"].items():
            if cell["responses"]:
                assert any(str(entry["response"]["status"]) == status for entry in to_path), (op_id, status)
    deletes = [entry for entry in entries if entry["request"]["method"] == "DELETE"
               and "/ledger_accounts/" in entry["request"]["url"] and entry["response"]["status"] == 204]
    assert deletes, "the cleanup of created ledger accounts is recorded"


def test_no_secret_is_recorded(recorded: CliRun) -> None:
    assert recorded.report_dir is not None
    text = (recorded.report_dir / "exchanges.har").read_text(encoding="utf-8")
    assert SECRET not in text
    entries = _har(recorded)["log"]["entries"]
    token_calls = [entry for entry in entries if entry["request"]["url"].endswith("/auth/token")
                   and entry["response"]["status"] == 200]
    assert token_calls
    for entry in token_calls:
        assert json.loads(entry["response"]["content"]["text"])["access_token"] == "[REDACTED]"
    for entry in entries:
        for header in entry["request"]["headers"]:
            if header["name"].lower() == "authorization":
                # The credential is masked; the scheme word stays (a fuzzed header's is garbage).
                assert header["value"].endswith("[REDACTED]"), header


def test_without_record_there_is_no_har(tmp_path: Path) -> None:
    run = run_cli("run", "--suite", "scenario", "--only", "getTaxRate", cwd=tmp_path, report_dir=tmp_path / "out")
    assert run.returncode == 0, run.stdout + run.stderr
    assert not (tmp_path / "out" / "exchanges.har").exists()
