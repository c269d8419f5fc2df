"""The differential run (issue 10 item 5), and the honest verdict of a run whose checks could not
all run (issue 9 item 6).

Two real differentials against the embedded emulator, narrowed to the scenarios about
getLedgerAccount so the module stays cheap: 2023-09-01 vs 2024-05-25 (the documented
ledger-account differences) and 2024-01-31 vs 2024-05-25 (the same contract: no difference).
The first runs with --require-complete: at 2023-09-01 the scenarios that need POST, PATCH or
DELETE skip, so that run is incomplete (exit 5) and says so everywhere; at 2024-05-25 every
check runs (exit 0). Its 2024-05-25 run also shows the observed contract (issue 10 item 3) that
`compare` reads. The whole suite's figures are in the report of issue 10's Done-when.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from conformance.cli import main
from conformance.commands.differential import differential_exit_code
from conformance.compare.differences import compare_runs, difference, difference_dict
from conformance.compare.runs import Run, load_run
from conformance.verdict.decision import worst_exit_code
from tests.cli_support import CliRun, run_cli

NARROW = ("run", "--suite", "scenario", "--only", "getLedgerAccount")
OLD, NEW, SAME = "2023-09-01", "2024-05-25", "2024-01-31"
DOCUMENTED_FIELDS = {"created_at", "updated_at", "currency", "is_external"}  # absent at 2023-09-01 (overlay)
ABSENT_OPERATIONS = {"createLedgerAccount", "updateLedgerAccount", "deleteLedgerAccount"}


def _compare(run: CliRun) -> dict[str, Any]:
    assert run.report_dir is not None
    return json.loads((run.report_dir / "compare.json").read_text(encoding="utf-8"))


def _summary(run: CliRun, version: str) -> dict[str, Any]:
    assert run.report_dir is not None
    return json.loads((run.report_dir / version / "summary.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def old_vs_new(tmp_path_factory: pytest.TempPathFactory) -> CliRun:
    cwd = tmp_path_factory.mktemp("differential")
    return run_cli(*NARROW, "--api-version", OLD, "--api-version", NEW, "--require-complete", cwd=cwd,
                   report_dir=cwd / "out")


@pytest.fixture(scope="module")
def same_contract(tmp_path_factory: pytest.TempPathFactory) -> CliRun:
    cwd = tmp_path_factory.mktemp("same")
    return run_cli(*NARROW, "--api-version", SAME, "--api-version", NEW, "--fail-on-difference", cwd=cwd,
                   report_dir=cwd / "out")


def test_one_folder_per_version_and_the_comparison_beside_them(old_vs_new: CliRun) -> None:
    assert old_vs_new.returncode == 5, old_vs_new.stdout + old_vs_new.stderr  # the worst: 2023-09-01's
    out = old_vs_new.report_dir
    assert out is not None
    for version in (OLD, NEW):
        for name in ("report.html", "junit.xml", "summary.json", "summary.md"):
            assert (out / version / name).stat().st_size > 0, (version, name)
        assert _summary(old_vs_new, version)["run"]["api_version"] == version
    for name in ("compare.json", "compare.md", "compare.html"):
        assert (out / name).stat().st_size > 0, name
    report = _compare(old_vs_new)
    assert report["base"]["run"]["api_version"] == OLD and report["new"]["run"]["api_version"] == NEW
    assert "differential run, API 2023-09-01 vs 2024-05-25" in old_vs_new.stdout
    assert "compare: API 2023-09-01 → 2024-05-25" in old_vs_new.stdout


def test_the_documented_differences_and_their_consequences_only(old_vs_new: CliRun) -> None:
    differences = _compare(old_vs_new)["differences"]
    assert differences, "no difference found between 2023-09-01 and 2024-05-25"
    fields = {(d["operation"], d["status"], d["subject"]) for d in differences if d["kind"] == "field-appeared"}
    assert fields == {("listLedgerAccounts", "200", f"/data/items/{name}") for name in DOCUMENTED_FIELDS}
    for difference in differences:
        kind = difference["kind"]
        if kind == "field-appeared":
            continue
        if kind == "outcome-changed":  # a scenario that needs an operation 2023-09-01 lacks
            assert difference["detail"].endswith("skipped → passed"), difference
            continue
        # what the scenarios that need POST, PATCH and DELETE saw only where they ran
        assert kind == "status-appeared", difference
        assert difference["operation"] in ABSENT_OPERATIONS | {"getLedgerAccount", "listLedgerAccounts"}, difference
    assert not [d for d in differences if d["kind"] in ("regression", "fixed", "type-changed", "field-vanished")]


def test_every_difference_names_its_operations(old_vs_new: CliRun) -> None:
    """issue 19: the scenarios that skip at 2023-09-01 are about the operations they need."""
    differences = _compare(old_vs_new)["differences"]
    assert [d for d in differences if not d["operation"] or not d["operations"]] == []
    skipped = [d for d in differences if d["kind"] == "outcome-changed"]
    assert skipped and all(set(d["operations"]) & ABSENT_OPERATIONS for d in skipped), skipped


def test_scenarios_needing_an_absent_operation_skip_with_the_reason(old_vs_new: CliRun) -> None:
    old = {test["id"]: test for test in _summary(old_vs_new, OLD)["tests"]}
    new = {test["id"]: test for test in _summary(old_vs_new, NEW)["tests"]}
    create = "conformance/suite/scenarios/test_08_ledger_accounts.py::test_create_at_the_length_bounds"
    assert old[create]["outcome"] == "skipped" and new[create]["outcome"] == "passed"
    assert old[create]["reason"] == ("operation absent in API version 2023-09-01: "
                                     "POST /ledger_accounts (createLedgerAccount)")
    skipped = [test for test in old.values() if test["outcome"] == "skipped"]
    assert skipped and all(test["reason"].startswith("operation absent in API version 2023-09-01: ")
                           for test in skipped)
    assert not [test for test in new.values() if test["outcome"] == "skipped"]


def test_the_same_contract_under_two_dates_has_no_difference(same_contract: CliRun) -> None:
    assert same_contract.returncode == 0, same_contract.stdout + same_contract.stderr
    report = _compare(same_contract)
    assert report["differences"] == [] and report["counts"]["total"] == 0
    assert "no difference" in same_contract.stdout


def test_the_exit_code_is_the_worst_of_the_runs() -> None:
    assert worst_exit_code([0, 0]) == 0
    assert worst_exit_code([0, 1]) == 1 and worst_exit_code([1, 0]) == 1
    assert worst_exit_code([1, 3]) == 3 and worst_exit_code([4, 3]) == 4
    assert worst_exit_code([2, 4]) == 2 and worst_exit_code([130, 2]) == 130
    field = difference("getLedgerAccount", "field-appeared", "x", "200", "/x")
    assert differential_exit_code([0, 0], [field], fail_on_difference=False) == 0
    assert differential_exit_code([0, 0], [field], fail_on_difference=True) == 1
    assert differential_exit_code([0, 0], [], fail_on_difference=True) == 0
    assert differential_exit_code([3, 0], [field], fail_on_difference=True) == 3
    assert differential_exit_code([0, 1], None, fail_on_difference=True) == 1  # no comparison: the runs decide


@pytest.mark.parametrize("args, fragment", [
    (("--api-version", NEW, "--api-version", NEW), "two different API versions"),
    (("--api-version", OLD, "--api-version", NEW, "--api-version", SAME), "3 times"),
    (("--api-version", OLD, "--api-version", "yesterday"), "--api-version"),
    (("--fail-on-difference",), "--api-version twice"),
], ids=["same version", "three versions", "bad second version", "fail-on-difference alone"])
def test_a_bad_differential_is_one_line_and_exit_2(tmp_path: Path, args: tuple[str, ...], fragment: str) -> None:
    run = run_cli("run", *args, cwd=tmp_path)
    assert run.returncode == 2, run.stdout + run.stderr
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and fragment in lines[0] and "Traceback" not in run.stderr
    assert not (tmp_path / "reports").exists()


# --- issue 9 item 6: a run whose checks could not all run says so --------------------------------
def test_an_incomplete_run_says_so_in_every_output_and_fails_with_require_complete(old_vs_new: CliRun) -> None:
    assert old_vs_new.report_dir is not None
    summary = _summary(old_vs_new, OLD)
    skipped = summary["counts"]["skipped"]
    assert skipped > 0 and summary["verdict"] == "incomplete"
    assert summary["incomplete"] == {"complete": False, "count": skipped, "not_sent_cases": {},
                                     "reasons": {"operation absent in API version 2023-09-01": skipped}}
    line = f"{skipped} checks could not run: {skipped} operation absent in API version 2023-09-01"
    assert f"incomplete: checks could not run (--require-complete) — {line} (exit 5)" in old_vs_new.stdout
    folder = old_vs_new.report_dir / OLD
    markdown = (folder / "summary.md").read_text(encoding="utf-8")
    assert markdown.splitlines()[0] == ("## Monite conformance: ⚠️ incomplete: checks could not run "
                                        f"(--require-complete) — {line}")
    assert f"| {skipped} | operation absent in API version 2023-09-01 |" in markdown
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert line in html and 'id="monite-incomplete"' in html
    assert "differential run: exit 5 (API 2023-09-01: exit 5, API 2024-05-25: exit 0)" in old_vs_new.stdout


def test_a_complete_run_exits_0_with_require_complete(old_vs_new: CliRun) -> None:
    summary = _summary(old_vs_new, NEW)
    assert summary["run"]["require_complete"] is True
    assert summary["verdict"] == "conforms" and summary["counts"]["skipped"] == 0
    assert summary["incomplete"] == {"complete": True, "count": 0, "reasons": {}, "not_sent_cases": {}}
    assert "the target conforms (exit 0)" in old_vs_new.stdout


# --- issue 10 item 3: the observed contract of a real run, and compare reading it -----------------
def test_a_run_records_what_each_operation_answered(old_vs_new: CliRun) -> None:
    contract = _summary(old_vs_new, NEW)["observed"]
    answered = contract["getLedgerAccount"]["200"]
    assert answered["fields"]["/name"] == {"types": ["string"], "null_seen": False}
    assert answered["fields"]["/currency"]["null_seen"] is True  # A21: an account created without one
    assert answered["fields"]["/created_at"]["types"] == ["string"]
    assert {"x-monite-version", "x-request-id", "ratelimit-limit"} <= set(answered["headers"])
    assert answered["headers"] == sorted(answered["headers"]) and answered["responses"] > 0
    assert contract["listLedgerAccounts"]["200"]["fields"]["/data/items/name"]["types"] == ["string"]
    assert "/error/message" in contract["getLedgerAccount"]["404"]["fields"]
    old = _summary(old_vs_new, OLD)["observed"]["listLedgerAccounts"]["200"]["fields"]
    assert "/data/items/name" in old and "/data/items/created_at" not in old
    assert old_vs_new.report_dir is not None
    load_run(old_vs_new.report_dir / NEW)  # compare accepts it as it is


def test_compare_reports_a_field_whose_type_changed(old_vs_new: CliRun, tmp_path: Path) -> None:
    assert old_vs_new.report_dir is not None
    base = _summary(old_vs_new, NEW)
    new = copy.deepcopy(base)
    new["observed"]["getLedgerAccount"]["200"]["fields"]["/name"]["types"] = ["integer"]
    found = [difference_dict(d) for d in compare_runs(Run(Path("b"), base), Run(Path("n"), new))]
    assert found == [{"operation": "getLedgerAccount", "operations": ["getLedgerAccount"], "kind": "type-changed",
                      "status": "200", "subject": "/name",
                      "detail": "getLedgerAccount 200: /name was string, is integer"}]
    folder = tmp_path / "new"
    folder.mkdir()
    (folder / "summary.json").write_text(json.dumps(new), encoding="utf-8")
    with pytest.raises(SystemExit) as exited:
        main(["compare", str(old_vs_new.report_dir / NEW), str(folder), "--fail-on", "any"])
    assert exited.value.code == 1
    assert "type-changed" in (folder / "compare.md").read_text(encoding="utf-8")
