"""`monite-conformance run` end to end: exit codes, the four reports, the matrix, the baseline.

Each run is a fresh process against the embedded emulator (or a broken variant of it from
tests/faults/cli_faults.py), narrowed to the tax-rate operations so the module stays cheap.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import yaml

from conformance.openapi.files import load_spec, spec_sha256
from tests.cli_support import REPORT_FILES, CliRun, run_cli

NARROW = ("run", "--suite", "scenario", "--only", "tax-rates")
BROKEN = "asgi:tests.faults.cli_faults:tax_rate_total_as_string"
BROKEN_TEST = "test_each_tax_rate_by_id_matches_the_list"


def _operation_ids() -> set[str]:
    return {op["operationId"] for item in load_spec()["paths"].values() for op in item.values()
            if isinstance(op, dict) and "operationId" in op}


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> CliRun:
    """A conforming run with the default report folder (reports/<timestamp>/ under the cwd)."""
    cwd = tmp_path_factory.mktemp("good")
    run = run_cli(*NARROW, cwd=cwd)
    latest = cwd / "reports" / "latest"
    run.report_dir = latest.resolve() if latest.exists() else None
    return run


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> CliRun:
    cwd = tmp_path_factory.mktemp("broken")
    return run_cli(*NARROW, "--target", BROKEN, cwd=cwd, report_dir=cwd / "out")


def test_a_conforming_target_exits_0_with_all_four_reports(good: CliRun) -> None:
    assert good.returncode == 0, good.stdout + good.stderr
    assert good.report_dir is not None, "reports/latest was not created"
    for name in REPORT_FILES:
        assert (good.report_dir / name).stat().st_size > 0, name
    latest = good.cwd / "reports" / "latest"
    assert latest.is_symlink() and latest.resolve().parent == (good.cwd / "reports").resolve()
    assert "the target conforms (exit 0)" in good.stdout


def test_summary_json_has_counts_operations_and_run_metadata(good: CliRun) -> None:
    summary = good.summary()
    assert summary["verdict"] == "conforms"
    assert summary["counts"]["passed"] > 0 and summary["counts"]["failed"] == 0
    assert set(summary["operations"]) == _operation_ids()
    assert summary["operations"]["listTaxRates"]["result"] == "passed"
    assert summary["operations"]["listTaxRates"]["statuses"]["200"]["state"] == "passed"
    assert summary["operations"]["pushSyncedRecord"]["result"] == "not-exercised"
    run = summary["run"]
    assert run["target"] == "emulator" and run["api_version"] == "2024-05-25"
    assert run["spec_sha256"] == spec_sha256() and run["suite_version"] and isinstance(run["seed"], int)
    assert run["duration_seconds"] > 0
    assert all(test["duration_seconds"] >= 0 for test in summary["tests"])


def test_html_report_opens_with_the_matrix_of_every_operation_and_status(good: CliRun) -> None:
    html = good.text("report.html")
    assert html.index('id="monite-matrix"') < html.index('id="results-table"')
    for operation in load_spec()["paths"].values():
        for entry in operation.values():
            if not isinstance(entry, dict):
                continue
            row_start = html.index(f'data-operation="{entry["operationId"]}"')
            row = html[row_start:html.index("</tr>", row_start)]
            for status in entry["responses"]:
                assert f'data-status="{status}"' in row, (entry["operationId"], status)
    assert 'data-operation="listTaxRates" data-result="passed"' in html
    assert "<script" in html and "<link" not in html  # self-contained, one file


def test_junit_and_markdown_agree_with_the_summary(good: CliRun) -> None:
    cases = good.junit_cases()
    counts = good.summary()["counts"]
    assert len(cases) == counts["total"]
    assert not [case for case in cases if case.find("failure") is not None or case.find("error") is not None]
    markdown = good.text("summary.md")
    assert markdown.startswith("## Monite conformance: ✅ the target conforms")
    assert "| `listTaxRates` | passed |" in markdown


def test_a_contract_violation_exits_1_and_names_the_operation_and_why(broken: CliRun) -> None:
    assert broken.returncode == 1, broken.stdout + broken.stderr
    summary = broken.summary()
    assert summary["verdict"] == "failures"
    failure = next(f for f in summary["failures"] if BROKEN_TEST in f["test"])
    assert failure["operation"] == "getTaxRate"
    assert "differs from its list entry" in failure["reason"]
    assert failure["exchange"]["status_code"] == 200
    assert failure["exchange"]["curl"].startswith("curl -X GET ")
    assert "$MONITE_TOKEN" in failure["exchange"]["curl"]
    assert '"total_tax_rate": "' in failure["exchange"]["response_body"]
    assert summary["operations"]["getTaxRate"]["result"] == "failed"
    assert summary["operations"]["getTaxRate"]["statuses"]["200"]["state"] == "failed"
    assert summary["operations"]["listTaxRates"]["result"] == "passed"  # the failure is not about it
    html = broken.text("report.html")
    assert 'data-operation="getTaxRate" data-result="failed"' in html
    assert 'id="monite-failures"' in html and "differs from its list entry" in html and "curl -X GET" in html
    assert "getTaxRate" in broken.stdout and "conformance failures (exit 1)" in broken.stdout
    failed_cases = [case for case in broken.junit_cases() if case.find("failure") is not None]
    assert [case.get("name") for case in failed_cases] == [BROKEN_TEST]


def test_a_baseline_accepts_a_known_deviation_and_keeps_it_visible(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.yaml"
    baseline.write_text(yaml.safe_dump({"accepted": [
        {"test": f"*{BROKEN_TEST}*", "operation": "getTaxRate", "reason": "ticket TAX-1: rates as strings"},
        {"operation": "pushSyncedRecord", "reason": "never matches in this run"},
    ]}), encoding="utf-8")
    run = run_cli(*NARROW, "--target", BROKEN, "--baseline", str(baseline), cwd=tmp_path,
                  report_dir=tmp_path / "out")
    assert run.returncode == 0, run.stdout + run.stderr
    summary = run.summary()
    assert summary["verdict"] == "conforms" and summary["counts"]["accepted"] == 1
    accepted = summary["accepted"][0]
    assert BROKEN_TEST in accepted["test"] and accepted["reason"] == "ticket TAX-1: rates as strings"
    assert "differs from its list entry" in accepted["failure"]
    assert summary["stale_baseline_entries"] == ["operation='pushSyncedRecord': never matches in this run"]
    assert summary["operations"]["getTaxRate"]["result"] == "accepted"
    html = run.text("report.html")
    assert 'id="monite-accepted"' in html and "ticket TAX-1: rates as strings" in html
    skipped = [case.find("skipped") for case in run.junit_cases() if BROKEN_TEST in (case.get("name") or "")]
    assert skipped[0] is not None and "ticket TAX-1" in skipped[0].get("message", "")
    assert "Accepted deviations" in run.text("summary.md")


def _one_line_error(run: CliRun, code: int, *fragments: str) -> None:
    assert run.returncode == code, run.stdout + run.stderr
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("monite-conformance: error: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0]
    assert "Traceback" not in run.stdout + run.stderr


def test_a_production_base_url_is_refused_without_allow_production(tmp_path: Path) -> None:
    env = {"MONITE_TOKEN": "prod-token-never-sent", "MONITE_ENTITY_ID": "9d2b4c8f-2087-4738-ba91-7359683c49a4"}
    run = run_cli("run", "--target", "https://api.monite.com/v1", cwd=tmp_path, env=env)
    _one_line_error(run, 2, "production", "--allow-production")
    assert not (tmp_path / "reports").exists()
    run = run_cli("run", cwd=tmp_path, env={**env, "MONITE_BASE_URL": "https://api.monite.com"})
    _one_line_error(run, 2, "production")


@pytest.mark.parametrize("args, fragment", [
    (("--profile", "slow"), "--profile"),
    (("--suite", "everything"), "--suite"),
    (("--workers", "0"), "--workers"),
    (("--only", "noSuchOperation"), "noSuchOperation"),
    (("--skip", "getTaxRate,nope"), "'nope'"),
    (("--api-version", "yesterday"), "--api-version"),
    (("--target", "ftp://example.invalid"), "--target"),
    (("--baseline", "missing-baseline.yaml"), "missing-baseline.yaml"),
    (("--no-such-option",), "No such option"),
], ids=lambda value: value if isinstance(value, str) else " ".join(value))
def test_a_bad_option_is_one_line_and_exit_2(tmp_path: Path, args: tuple[str, ...], fragment: str) -> None:
    _one_line_error(run_cli("run", *args, cwd=tmp_path), 2, fragment)


def test_a_malformed_baseline_is_one_line_and_exit_2(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.yaml"
    baseline.write_text("accepted:\n  - test: '*x*'\n", encoding="utf-8")  # no reason
    _one_line_error(run_cli("run", "--baseline", str(baseline), cwd=tmp_path), 2, "reason")


def test_an_unreachable_target_is_one_line_and_exit_3(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {"MONITE_TOKEN": "tok-unreachable-123456", "MONITE_ENTITY_ID": "9d2b4c8f-2087-4738-ba91-7359683c49a4"}
    run = run_cli("run", "--target", f"http://127.0.0.1:{port}", cwd=tmp_path, env=env)
    _one_line_error(run, 3, f"127.0.0.1:{port}")
    assert "tok-unreachable-123456" not in run.stdout + run.stderr


def test_rejected_credentials_are_one_line_and_exit_3(tmp_path: Path) -> None:
    token = "tok-rejected-Qm4Zx8Lp2Ws6"
    run = run_cli("run", cwd=tmp_path, env={"MONITE_TOKEN": token})
    _one_line_error(run, 3, "rejected MONITE_TOKEN", "401")
    assert token not in run.stdout + run.stderr


def test_ctrl_c_exits_130_and_still_writes_partial_reports(tmp_path: Path) -> None:
    """The full default run, Ctrl-C pressed while its first test runs (held there by the command's
    test hook, so the signal lands during a test however busy the machine is: no sleep)."""
    from tests.interrupt_support import start

    out = tmp_path / "out"
    command = start(["run", "--report-dir", str(out)], tmp_path, hold="test")
    command.wait_for("holding test")
    command.ctrl_c()
    output = command.finish()
    assert command.returncode == 130, output
    assert "Traceback" not in output
    assert output.splitlines()[1].startswith("running "), output  # the signal came after collection
    summary = CliRun(130, command.stdout, command.stderr, tmp_path, out).summary()
    assert summary["verdict"] == "interrupted"
    assert summary["counts"]["total"] < 10, summary["counts"]  # stopped at the first test, not at the end
    assert (out / "report.html").exists() and (out / "junit.xml").exists()
