"""`monite-conformance compare`: every kind of difference from a minimal pair of hand-made
summaries, the three report files, and the exit codes (0, 1 by --fail-on, 2 for bad input)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conformance.cli import main
from conformance.compare.differences import COMPARE_RULES, KINDS, REGRESSION_KINDS, compare_runs, difference_dict
from conformance.compare.runs import Run

TEST_GET = "conformance/suite/scenarios/test_08_ledger_accounts.py::test_get"
TEST_LIST = "conformance/suite/scenarios/test_08_ledger_accounts.py::test_list"


def clean() -> dict[str, Any]:
    """A small clean run: two passing tests, two operations, one observation, an observed contract."""
    return {
        "schema_version": 1,
        "verdict": "conforms",
        "run": {"target": "emulator", "api_version": "2024-05-25", "profile": "quick", "suite": "scenario",
                "seed": 1, "suite_version": "0.1.0", "spec_sha256": "ab" * 32, "started_at": "2026-01-01T00:00:00Z",
                "duration_seconds": 1.5},
        "counts": {"passed": 2, "failed": 0, "error": 0, "accepted": 0, "skipped": 0, "observations": 1, "total": 2},
        "operations": {
            "getLedgerAccount": {"method": "GET", "path": "/ledger_accounts/{ledger_account_id}", "result": "passed",
                                 "statuses": {"200": {"state": "passed", "responses": 3},
                                              "404": {"state": "passed", "responses": 1},
                                              "500": {"state": "not-exercised", "responses": 0}},
                                 "undocumented_statuses": {}},
            "listLedgerAccounts": {"method": "GET", "path": "/ledger_accounts", "result": "passed",
                                   "statuses": {"200": {"state": "passed", "responses": 2}},
                                   "undocumented_statuses": {}},
        },
        "failures": [],
        "accepted": [],
        "observations": [{"test": TEST_LIST, "rule": "limit-range-416", "source": "docs: pagination",
                          "message": "the target follows the endpoint reference"}],
        "target_profile": {"limit-range-416": "the concepts page says limit is 1..100 → 422"},
        "tests": [
            {"id": TEST_GET, "kind": "scenario", "outcome": "passed", "operations": ["getLedgerAccount"]},
            {"id": TEST_LIST, "kind": "scenario", "outcome": "passed", "operations": ["listLedgerAccounts"]},
        ],
        "observed": {
            "getLedgerAccount": {
                "200": {"fields": {"/id": {"types": ["string"], "null_seen": False},
                                   "/currency": {"types": ["string"], "null_seen": True},
                                   "/current_balance": {"types": ["integer"], "null_seen": False}},
                        "headers": ["x-request-id", "x-monite-version"]},
                "404": {"fields": {"/error/message": {"types": ["string"], "null_seen": False}},
                        "headers": ["x-request-id"]},
            },
        },
    }


def failing_get(summary: dict[str, Any]) -> None:
    summary["verdict"] = "failures"
    summary["tests"][0]["outcome"] = "failed"
    summary["failures"] = [{"test": TEST_GET, "operation": "getLedgerAccount", "phase": "call", "outcome": "failed",
                            "reason": "AssertionError: seed 004: name is a string",
                            "exchange": {"method": "GET", "status_code": 500, "response_body": "{}"}}]


def write(folder: Path, summary: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    return folder


def cli(*args: str) -> int:
    with pytest.raises(SystemExit) as exited:
        main(["compare", *map(str, args)])
    return int(exited.value.code)


def differences(base: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    return [difference_dict(d) for d in compare_runs(Run(Path("base/summary.json"), base), Run(Path("new/summary.json"), new))]


# --- whole runs ---------------------------------------------------------------------------------
def test_two_clean_runs_have_no_difference(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base, new = write(tmp_path / "base", clean()), write(tmp_path / "new", clean())
    assert cli(base, new, "--fail-on", "any") == 0
    report = json.loads((new / "compare.json").read_text(encoding="utf-8"))  # default: NEW's folder
    assert report["differences"] == []
    assert report["counts"] == {**{kind: 0 for kind in KINDS}, "total": 0}
    assert report["base"]["summary"] == str(base / "summary.json")
    assert report["new"]["run"]["api_version"] == "2024-05-25" and report["new"]["verdict"] == "conforms"
    assert "no difference" in (new / "compare.md").read_text(encoding="utf-8")
    assert "No difference between the two runs." in (new / "compare.html").read_text(encoding="utf-8")
    assert "no difference" in capsys.readouterr().out


def test_a_failing_test_is_a_regression_with_its_operation_and_status(tmp_path: Path) -> None:
    broken = clean()
    failing_get(broken)
    base, new, out = write(tmp_path / "base", clean()), write(tmp_path / "new", broken), tmp_path / "out"
    assert cli(base, new, "--report-dir", out) == 1
    report = json.loads((out / "compare.json").read_text(encoding="utf-8"))
    assert report["differences"] == [{
        "operation": "getLedgerAccount", "operations": ["getLedgerAccount"], "kind": "regression", "status": "500",
        "subject": TEST_GET,
        "detail": f"{TEST_GET}: passed → failed (answered 500): AssertionError: seed 004: name is a string"}]
    assert report["counts"]["regression"] == 1 and report["counts"]["total"] == 1
    assert report["base"]["verdict"] == "conforms" and report["new"]["verdict"] == "failures"
    md = (out / "compare.md").read_text(encoding="utf-8")
    assert "| regression | `getLedgerAccount` | 500 |" in md
    assert 'class="regression"' in (out / "compare.html").read_text(encoding="utf-8")
    assert not (new / "compare.json").exists()
    # the same pair, read the other way round, is a fix
    assert cli(new, base, "--report-dir", out) == 0
    assert [d["kind"] for d in json.loads((out / "compare.json").read_text())["differences"]] == ["fixed"]


def test_fail_on_decides_the_exit_code(tmp_path: Path) -> None:
    broken, observed = clean(), clean()
    failing_get(broken)
    observed["observations"] = []
    base = write(tmp_path / "base", clean())
    regression, other = write(tmp_path / "regression", broken), write(tmp_path / "other", observed)
    assert cli(base, regression) == 1  # default: regression
    assert cli(base, regression, "--fail-on", "none") == 0
    assert cli(base, other) == 0 and cli(base, other, "--fail-on", "regression") == 0
    assert cli(base, other, "--fail-on", "any") == 1


# --- each kind from a minimal pair ------------------------------------------------------------
Mutation = Callable[[dict[str, Any]], None]


def _set(path: list[Any], value: Any) -> Mutation:
    def mutate(summary: dict[str, Any]) -> None:
        node = summary
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return mutate


def _delete(path: list[Any]) -> Mutation:
    def mutate(summary: dict[str, Any]) -> None:
        node = summary
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]
    return mutate


def _add_test(summary: dict[str, Any]) -> None:
    summary["tests"].append({"id": "conformance/suite/scenarios/test_12_versions.py::test_new", "kind": "scenario",
                             "outcome": "passed", "operations": ["listLedgerAccounts"]})


OBS_200 = ["observed", "getLedgerAccount", "200"]

# kind, how NEW differs from the clean BASE, the one difference expected (operation, status, subject)
PAIRS: list[tuple[str, Mutation, tuple[str, str | None, str | None]]] = [
    ("regression", failing_get, ("getLedgerAccount", "500", TEST_GET)),
    ("outcome-changed", _set(["tests", 1, "outcome"], "skipped"), ("listLedgerAccounts", None, TEST_LIST)),
    ("test-added", _add_test, ("listLedgerAccounts", None, "conformance/suite/scenarios/test_12_versions.py::test_new")),
    ("test-removed", lambda s: s["tests"].pop(0), ("getLedgerAccount", None, TEST_GET)),
    ("status-appeared", _set(["operations", "getLedgerAccount", "undocumented_statuses", "405"],
                             {"state": "passed", "responses": 1}), ("getLedgerAccount", "405", None)),
    ("status-vanished", _set(["operations", "listLedgerAccounts", "statuses", "200", "responses"], 0),
     ("listLedgerAccounts", "200", None)),
    ("field-appeared", _set(OBS_200 + ["fields", "/created_at"], {"types": ["string"], "null_seen": False}),
     ("getLedgerAccount", "200", "/created_at")),
    ("field-vanished", _delete(OBS_200 + ["fields", "/current_balance"]), ("getLedgerAccount", "200", "/current_balance")),
    ("type-changed", _set(OBS_200 + ["fields", "/current_balance", "types"], ["string"]),
     ("getLedgerAccount", "200", "/current_balance")),
    # `id` may not be null (spec): null in NEW only is a change of contract.
    ("nullable-changed", _set(OBS_200 + ["fields", "/id", "null_seen"], True),
     ("getLedgerAccount", "200", "/id")),
    ("header-appeared", _set(OBS_200 + ["headers"], ["x-request-id", "x-monite-version", "Retry-After"]),
     ("getLedgerAccount", "200", "retry-after")),
    ("header-vanished", _set(OBS_200 + ["headers"], ["x-request-id"]), ("getLedgerAccount", "200", "x-monite-version")),
    ("observation-appeared", lambda s: s["observations"].append(
        {"test": TEST_GET, "rule": "A7", "message": "unknown id gave 400"}), ("getLedgerAccount", None, f"A7 @ {TEST_GET}")),
    ("observation-vanished", _set(["observations"], []), ("listLedgerAccounts", None, f"limit-range-416 @ {TEST_LIST}")),
    ("observation-changed", _set(["observations", 0, "message"], "the target answers 416"),
     ("listLedgerAccounts", None, f"limit-range-416 @ {TEST_LIST}")),
    ("profile-changed", _set(["target_profile", "limit-range-416"], "the concepts page says limit is 1..100 → 416"),
     ("", None, "limit-range-416")),
]


def test_null_in_one_run_only_is_data_where_both_contracts_allow_null() -> None:
    """`currency` is nullable (seed 004): seen null in BASE only is what the runs met, no difference."""
    new = clean()
    _set(OBS_200 + ["fields", "/currency", "null_seen"], False)(new)
    assert differences(clean(), new) == []


def test_every_kind_has_a_minimal_pair() -> None:
    assert {kind for kind, _, _ in PAIRS} | {"fixed"} == set(KINDS)


@pytest.mark.parametrize(("kind", "mutate", "expected"), PAIRS, ids=[kind for kind, _, _ in PAIRS])
def test_each_kind_is_detected(kind: str, mutate: Mutation, expected: tuple[str, str | None, str | None]) -> None:
    new = clean()
    mutate(new)
    found = differences(clean(), new)
    assert [(d["kind"], d["operation"], d.get("status"), d.get("subject")) for d in found] == [(kind, *expected)]
    assert found[0]["detail"]


def test_a_profile_change_says_what_the_target_chose_before_and_now() -> None:
    new = clean()
    new["target_profile"]["limit-range-416"] = "the concepts page says limit is 1..100 → 416"
    [found] = differences(clean(), new)
    assert found["detail"] == "limit-range-416 (the concepts page says limit is 1..100): 422 → 416"
    del new["target_profile"]  # a run without a profile (older summary.json): nothing to compare
    assert differences(clean(), new) == []


def test_fixed_is_the_reverse_of_a_regression() -> None:
    broken = clean()
    failing_get(broken)
    found = differences(broken, clean())
    assert [(d["kind"], d["operation"], d.get("status")) for d in found] == [("fixed", "getLedgerAccount", "500")]


def test_a_new_status_is_one_difference_not_one_per_field() -> None:
    new = clean()
    new["observed"]["getLedgerAccount"]["422"] = {"fields": {"/detail": {"types": ["array"], "null_seen": False}},
                                                  "headers": ["x-request-id"]}
    assert [(d["kind"], d.get("status")) for d in differences(clean(), new)] == [("status-appeared", "422")]


def test_without_the_observed_contract_in_both_runs_fields_are_not_compared(tmp_path: Path) -> None:
    new = clean()
    del new["observed"]
    new["operations"]["getLedgerAccount"]["statuses"]["404"]["responses"] = 0
    # 404 was in BASE's observed contract and matrix; NEW has neither: one status-vanished, no field noise
    assert [(d["kind"], d.get("status")) for d in differences(clean(), new)] == [("status-vanished", "404")]
    base = clean()
    del base["observed"]
    assert differences(base, copy.deepcopy(base)) == []
    out = tmp_path / "out"
    assert cli(write(tmp_path / "a", base), write(tmp_path / "b", new), "--report-dir", out) == 0
    assert "observed contract" in (out / "compare.md").read_text(encoding="utf-8")


def test_differences_come_in_a_stable_order() -> None:
    new = clean()
    failing_get(new)
    new["observations"] = []
    _add_test(new)
    kinds = [(d["operation"], d["kind"]) for d in differences(clean(), new)]
    assert kinds == [("getLedgerAccount", "regression"), ("listLedgerAccounts", "test-added"),
                     ("listLedgerAccounts", "observation-vanished")]


def test_the_html_escapes_what_the_runs_say(tmp_path: Path) -> None:
    new = clean()
    new["observations"][0]["message"] = "<script>alert(1)</script>"
    out = tmp_path / "out"
    cli(write(tmp_path / "a", clean()), write(tmp_path / "b", new), "--report-dir", out)
    page = (out / "compare.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- bad input: one line, exit 2 --------------------------------------------------------------
def _bad_inputs(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    (tmp_path / "empty").mkdir()
    (tmp_path / "text.json").write_text("not json", encoding="utf-8")
    (tmp_path / "other.json").write_text('{"changes": []}', encoding="utf-8")
    bad_observed = clean()
    bad_observed["observed"] = {"getLedgerAccount": {"200": {"fields": [], "headers": []}}}
    write(tmp_path / "bad-observed", bad_observed)
    return {
        "missing": (tmp_path / "missing", "does not exist"),
        "folder without summary": (tmp_path / "empty", "has no summary.json"),
        "not JSON": (tmp_path / "text.json", "is not JSON"),
        "not a summary": (tmp_path / "other.json", "is not a monite-conformance summary.json"),
        "malformed observed": (tmp_path / "bad-observed", "observed.getLedgerAccount.200.fields must map JSON paths"),
    }


@pytest.mark.parametrize("case", ["missing", "folder without summary", "not JSON", "not a summary", "malformed observed"])
def test_a_bad_run_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str) -> None:
    path, message = _bad_inputs(tmp_path)[case]
    good = write(tmp_path / "good", clean())
    assert cli(good, path) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err and "Traceback" not in err
    assert cli(path, good) == 2
    assert not (good / "compare.json").exists()


@pytest.mark.parametrize("args", [[], ["only-one"], ["a", "b", "--fail-on", "sometimes"], ["a", "b", "--bogus"]])
def test_usage_errors_are_one_line_and_exit_2(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    assert cli(*args) == 2
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err
    if args:
        assert len(err.splitlines()) == 1, err


def test_every_kind_is_a_rule_and_only_a_regression_fails_by_default() -> None:
    assert list(COMPARE_RULES) == list(KINDS)
    assert {kind for kind, rule in COMPARE_RULES.items() if rule.fails(assumptions_bind=True)} == REGRESSION_KINDS
    assert all(rule.statement == KINDS[kind] for kind, rule in COMPARE_RULES.items())
