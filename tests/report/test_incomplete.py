"""Issue 9 item 6 in parts: skip reasons grouped, counted, and shown in every output; the verdict
and exit code of --require-complete. (A real run: tests/commands/test_differential.py.)"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from conformance.report.console import print_summary
from conformance.report.html import render_sections
from conformance.report.incomplete import NOT_SENT_LABEL, describe, incomplete, reason_group
from conformance.report.matrix import build_matrix
from conformance.report.summary import build_summary, render_markdown
from conformance.safety.guard import NOT_SENT
from conformance.openapi.catalog import spec_catalog
from conformance.verdict.results import RunResults, TestRecord
from conformance.verdict.decision import CONFORMS, EXIT_CODES, FAILURES, INCOMPLETE, verdict_of

SECOND_ENTITY = "no second entity (MONITE_OTHER_ENTITY_ID)"


@pytest.mark.parametrize("reason, group", [
    (f"{NOT_SENT} (PATCH on ledger account 1b2c)", NOT_SENT_LABEL),
    (f"{NOT_SENT}: all 12 generated cases", NOT_SENT_LABEL),
    (f"{NOT_SENT}: every linked chain reached a resource the run did not create", NOT_SENT_LABEL),
    ("needs a second entity: set MONITE_OTHER_ENTITY_ID", SECOND_ENTITY),
    ("needs the emulator's control plane to deauthorize a connection; the target has none",
     "needs the emulator's control plane"),
    ("operation absent in API version 2023-09-01: POST /ledger_accounts (createLedgerAccount)",
     "operation absent in API version 2023-09-01"),
    ("/ledger_accounts has at most 5 items for this entity; the scenario needs a second page",
     "/ledger_accounts has at most N items for this entity"),
    ("the entity has no tax rates (no connected accounting system?)", "the entity has no tax rates"),
    ("the entity has 2 receivable records; the filters need at least 3", "the entity has N receivable records"),
    ("stateful scenarios stopped: the target answered a replayed scenario differently (x)", "stateful scenarios stopped"),
    ("", "no reason given"),
])
def test_skip_reasons_are_grouped_under_a_short_label(reason: str, group: str) -> None:
    assert reason_group(reason) == group


def _results(*outcomes: tuple[str, str]) -> RunResults:
    results = RunResults()
    for number, (outcome, reason) in enumerate(outcomes):
        nodeid = f"conformance/suite/scenarios/test_10_isolation.py::test_{number}"
        results.tests[nodeid] = TestRecord(nodeid=nodeid, kind="scenario", outcome=outcome, reason=reason,
                                           operations=["listLedgerAccounts"])
    return results


SKIPS = [("skipped", f"{NOT_SENT} (PATCH on ledger account {n})") for n in range(3)] + [
    ("skipped", "needs a second entity: set MONITE_OTHER_ENTITY_ID"), ("passed", ""), ("xfailed", "known")]


def test_skipped_tests_are_counted_by_reason_and_withheld_cases_by_operation() -> None:
    found = incomplete(_results(*SKIPS), {"updateLedgerAccount": 7, "listLedgerAccounts": 0})
    assert found == {"complete": False, "count": 4, "reasons": {NOT_SENT_LABEL: 3, SECOND_ENTITY: 1},
                     "not_sent_cases": {"updateLedgerAccount": 7}}
    assert describe(found) == (f"4 checks could not run: 3 {NOT_SENT_LABEL}, 1 {SECOND_ENTITY}; "
                               "7 generated cases not sent (would change data the run did not create)")
    only_cases = incomplete(_results(("passed", "")), {"updateLedgerAccount": 1})
    assert not only_cases["complete"] and describe(only_cases).startswith("1 generated case not sent")
    complete = incomplete(_results(("passed", ""), ("xfailed", "known")), {})
    assert complete == {"complete": True, "count": 0, "reasons": {}, "not_sent_cases": {}} and describe(complete) == ""


def _summary(verdict: str, results: RunResults, not_sent: dict[str, int]) -> tuple[dict, object]:
    catalog = spec_catalog()
    matrix = build_matrix(catalog, results)
    meta = {"target": "https://sandbox.example/v1", "api_version": "2024-05-25", "profile": "quick", "suite": "all",
            "seed": 1, "spec_sha256": "ab" * 32, "duration_seconds": 1.0}
    summary = build_summary(meta, results, matrix, catalog, verdict, stale=[], incomplete=incomplete(results, not_sent))
    return json.loads(json.dumps(summary)), matrix


def test_a_conforming_run_with_skips_says_so_in_console_markdown_json_and_html() -> None:
    summary, matrix = _summary(CONFORMS, _results(*SKIPS), {})
    line = f"4 checks could not run: 3 {NOT_SENT_LABEL}, 1 {SECOND_ENTITY}"
    assert summary["incomplete"]["count"] == 4
    out = io.StringIO()
    print_summary(Console(file=out, width=300), summary, report_dir=Path("r"), exit_code=0)
    assert f"the target conforms — {line} (exit 0)" in out.getvalue()
    markdown = render_markdown(summary, matrix)  # type: ignore[arg-type]
    assert markdown.splitlines()[0] == f"## Monite conformance: ✅ the target conforms — {line}"
    assert f"| 3 | {NOT_SENT_LABEL} |" in markdown and f"| 1 | {SECOND_ENTITY} |" in markdown
    html = "".join(render_sections(summary, matrix))  # type: ignore[arg-type]
    assert f"The target conforms. <span class=\"monite-incomplete\">— {line}</span>" in html
    assert 'id="monite-incomplete"' in html and "<td>3</td><td>not sent (would change data" in html


def test_a_complete_run_shows_no_such_line() -> None:
    summary, matrix = _summary(CONFORMS, _results(("passed", "")), {})
    out = io.StringIO()
    print_summary(Console(file=out, width=300), summary, report_dir=Path("r"), exit_code=0)
    assert "the target conforms (exit 0)" in out.getvalue() and "could not run" not in out.getvalue()
    assert "could not run" not in render_markdown(summary, matrix)  # type: ignore[arg-type]
    assert 'id="monite-incomplete"' not in "".join(render_sections(summary, matrix))  # type: ignore[arg-type]


def test_require_complete_turns_an_incomplete_conforming_run_into_exit_5_and_nothing_else() -> None:
    results = _results(*SKIPS)
    assert verdict_of(0, results, False, incomplete=False) == CONFORMS
    assert verdict_of(0, results, False, incomplete=True) == INCOMPLETE and EXIT_CODES[INCOMPLETE] == 5
    failing = _results(*SKIPS, ("failed", "boom"))
    assert verdict_of(1, failing, False, incomplete=True) == FAILURES  # a failure stays a failure
