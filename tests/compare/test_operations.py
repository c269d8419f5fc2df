"""Issue 19: every difference of `compare` names the operation(s) its test is about.

The pair below is shaped like the 2023-09-01 and 2024-05-25 runs of the issue (the real pair is
compared in tests/commands/test_differential.py): at 2023-09-01 the ledger-account operations POST, PATCH
and DELETE do not exist, so their property tests are absent and the scenarios that need them
skip with a reason; at 2024-05-25 they run and call several operations each. Before the fix these
differences had an empty `operation`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conformance.compare.about import operations_of
from conformance.compare.differences import compare_runs, difference_dict
from conformance.compare.runs import Run

PROPERTY = "conformance/suite/property/test_property.py"
SCENARIOS = "conformance/suite/scenarios"
CREATE_COVERAGE = f"{PROPERTY}::test_coverage[POST /ledger_accounts]"
CREATE_EXAMPLES = f"{PROPERTY}::test_examples[createLedgerAccount]"
AT_BOUNDS = f"{SCENARIOS}/test_08_ledger_accounts.py::test_create_at_the_length_bounds"
SORTED = f"{SCENARIOS}/test_04_sorting.py::test_sorted_across_pages[ledger_accounts-name-asc]"
OLD_SORT = f"{SCENARIOS}/test_04_sorting.py::test_sorted_by_default[ledger_accounts]"
TOKEN = f"{SCENARIOS}/test_09_headers_auth.py::test_token_lifetime"
ABSENT = "operation absent in API version 2023-09-01: POST /ledger_accounts (createLedgerAccount)"


def summary(version: str, tests: list[dict[str, Any]]) -> dict[str, Any]:
    return {"run": {"api_version": version}, "operations": {}, "tests": tests, "failures": [], "observations": []}


def entry(test_id: str, outcome: str, operations: list[str], reason: str | None = None) -> dict[str, Any]:
    return {"id": test_id, "outcome": outcome, "operations": operations, **({"reason": reason} if reason else {})}


BASE = summary("2023-09-01", [
    entry(AT_BOUNDS, "skipped", [], ABSENT),
    entry(SORTED, "skipped", [], "operation absent in API version 2023-09-01"),
    entry(OLD_SORT, "passed", []),
    entry(TOKEN, "passed", ["createAccessToken"]),
])
NEW = summary("2024-05-25", [
    entry(AT_BOUNDS, "passed", ["createAccessToken", "createLedgerAccount", "getLedgerAccount"]),
    entry(SORTED, "passed", ["createLedgerAccount", "deleteLedgerAccount", "listLedgerAccounts"]),
    entry(TOKEN, "failed", ["createAccessToken"]),
    entry(CREATE_COVERAGE, "passed", []),
    entry(CREATE_EXAMPLES, "skipped", []),
])
NEW["failures"] = [{"test": TOKEN, "operation": "createAccessToken", "exchange": {"status_code": 500}}]
NEW["observations"] = [{"test": AT_BOUNDS, "rule": "A21", "message": "defaults differ"}]


def differences() -> list[dict[str, Any]]:
    found = compare_runs(Run(Path("base/summary.json"), BASE), Run(Path("new/summary.json"), NEW))
    return [difference_dict(d) for d in found]


def test_no_difference_is_without_an_operation() -> None:
    found = differences()
    assert len(found) == 7
    assert [d for d in found if not d["operation"] or not d["operations"]] == []
    assert all(d["operation"] == d["operations"][0] for d in found)


def test_each_test_level_difference_names_what_its_test_is_about() -> None:
    about = {(d["kind"], d["subject"]): d["operations"] for d in differences()}
    assert about == {
        # the property tests' ids name the operation, by method and path or by operationId
        ("test-added", CREATE_COVERAGE): ["createLedgerAccount"],
        ("test-added", CREATE_EXAMPLES): ["createLedgerAccount"],
        # the skip reason names it; the calls in NEW add the rest, not the incidental token request
        ("outcome-changed", AT_BOUNDS): ["createLedgerAccount", "getLedgerAccount"],
        ("observation-appeared", f"A21 @ {AT_BOUNDS}"): ["createLedgerAccount", "getLedgerAccount"],
        # skipped without naming one: what it called where it ran
        ("outcome-changed", SORTED): ["createLedgerAccount", "deleteLedgerAccount", "listLedgerAccounts"],
        # a failing token test is about the token operation, which leads
        ("regression", TOKEN): ["createAccessToken"],
        # ran in BASE only and called nothing it recorded: the operations of the tag its id names
        ("test-removed", OLD_SORT): ["createLedgerAccount", "deleteLedgerAccount", "getLedgerAccount",
                                     "listLedgerAccounts", "updateLedgerAccount"],
    }


def test_the_failure_s_operation_leads() -> None:
    failures = [{"test": AT_BOUNDS, "operation": "getLedgerAccount"}]
    assert operations_of(AT_BOUNDS, [entry(AT_BOUNDS, "failed", ["createLedgerAccount", "getLedgerAccount"])],
                         failures) == ("getLedgerAccount", "createLedgerAccount")


# -- the real pair ---------------------------------------------------------------------------------
# tests/compare/runs/: the summary.json of each half of a differential run on the emulator,
# `monite-conformance run --suite all --only createLedgerAccount --profile quick
#  --api-version 2023-09-01 --api-version 2024-05-25` (2026-12-03): property tests whose ids name
# `POST /ledger_accounts`, and the scenarios that skip at 2023-09-01.
RUNS = Path(__file__).parent / "runs"


def test_the_real_2023_09_01_and_2024_05_25_runs_have_no_difference_without_an_operation() -> None:
    from conformance.compare.runs import load_run

    found = [difference_dict(d) for d in compare_runs(load_run(RUNS / "2023-09-01"), load_run(RUNS / "2024-05-25"))]
    test_level = [d for d in found if d["kind"] in ("test-added", "outcome-changed")]
    assert len(test_level) == 11, found
    assert [d for d in found if not d["operation"]] == []
    added = {d["subject"].rpartition("::")[2]: d["operations"] for d in found if d["kind"] == "test-added"}
    assert added == {f"test_{phase}[POST /ledger_accounts]": ["createLedgerAccount"]
                     for phase in ("coverage", "examples", "fuzzing")}
    assert all("createLedgerAccount" in d["operations"] for d in test_level)
