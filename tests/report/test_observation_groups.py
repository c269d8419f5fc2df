"""Observations a person can read (conformance.report.observations): one row per rule with its
count, what the target chose and what the emulator does, up to three example requests and the
tests; the target profile; the same rows in summary.md, report.html and summary.json."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.findings import assumption, probe
from conformance.report.observations import by_rule, profile, split_profile_entry
from conformance.expectations.kinds import Expectations, MoniteObservation, observation

PATH_ID = assumption("A7", "a path id that is not a uuid gives 404; the published document gives format: uuid")
LIMIT = probe("limit-range-416", "docs: api/concepts/pagination-sorting-filtering",
              "the concepts page says limit is 1..100 and 416 beyond; the endpoint reference says 1..250")
CURL = "curl -X GET 'http://t/v1/ledger_accounts/x{n}' -H \"Authorization: Bearer $MONITE_TOKEN\""


def _seen(rule: Any, status: int, n: int, test: str, message: str = "refused") -> dict[str, Any]:
    exchange = f"GET http://t/v1/ledger_accounts/x{n} -> {status}\nresponse body: {{}}\nreproduce: {CURL.format(n=n)}"
    return {"test": test, **observation(rule, message, exchange).as_dict()}


def _observations() -> list[dict[str, Any]]:
    seen = [_seen(PATH_ID, 422, n, f"t::test_{n % 2}") for n in range(5)]
    seen.append(_seen(PATH_ID, 404, 9, "t::test_9"))
    seen.append(_seen(LIMIT, 422, 7, "t::test_limit"))
    return seen


def test_one_row_per_rule_with_count_choices_examples_and_tests() -> None:
    rows = by_rule(_observations())
    assert [(row["rule"], row["kind"], row["count"]) for row in rows] == [("A7", "assumption", 6),
                                                                         ("limit-range-416", "probe", 1)]
    a7 = rows[0]
    assert a7["choices"] == {"422": 5, "404": 1}
    assert len(a7["examples"]) == 3 and a7["examples"][0]["curl"] == CURL.format(n=0)
    assert a7["examples"][0]["request"] == "GET http://t/v1/ledger_accounts/x0 -> 422"
    assert a7["tests"] == ["t::test_0", "t::test_1", "t::test_9"] and a7["tests_count"] == 3
    assert a7["operations"] == ["getLedgerAccount"]
    assert "the target answered 422 (5×), 404 (1×)" in a7["sentence"]
    assert "a path id that is not a uuid gives 404" in a7["sentence"]  # what the emulator does
    assert rows[1]["sentence"].startswith("Where the docs disagree (docs: api/concepts/pagination-sorting-filtering")
    assert a7["sentence"].startswith("Where the docs are silent: the target answered 422 (5×), 404 (1×); "
                                     "the emulator's choice (A7): a path id that is not a uuid gives 404")


def test_the_profile_is_stable_and_comparable() -> None:
    rows = by_rule(_observations())
    assert profile(rows) == {"A7": "a path id that is not a uuid gives 404 → 404 | 422",
                             "limit-range-416": "the concepts page says limit is 1..100 and 416 beyond → 422"}
    assert profile(by_rule(list(reversed(_observations())))) == profile(rows)  # order of observation: same
    assert split_profile_entry(profile(rows)["A7"]) == ("a path id that is not a uuid gives 404", "404 | 422")


def test_missing_fields_are_the_choice_of_a_schema_deviation() -> None:
    found = observation(assumption("A32", "list pages always carry both pagination tokens"),
                        "Response violates schema: 'next_pagination_token' is a required property; "
                        "'prev_pagination_token' is a required property", "GET http://t/v1/tax_rates -> 200")
    assert found.choice == "200 without next_pagination_token, prev_pagination_token"


def test_a_stated_choice_and_operation_specific_statements() -> None:
    check = Expectations(assumptions_bind=False, context=lambda: "(no request sent)")
    with pytest.warns(MoniteObservation):
        check.observe(assumption("A20", "tokens live 1800 s"), "expires_in is 86400")
        check.observe(LIMIT, "/tax_rates: limit='0' -> 416; the target follows the concepts page")
    assert [found.choice for found in check.observations] == ["expires_in is 86400", "the target follows the concepts page"]
    rows = by_rule([{"test": "t::a", **found.as_dict()} for found in check.observations])
    [a20] = [row for row in rows if row["rule"] == "A20"]
    assert a20["sentence"].startswith("Where the docs are silent: expires_in is 86400 (1×); the emulator's choice (A20)")
    statements = [assumption("A32", "the 200 body of GET /tax_rates lacks fields the docs do not require "
                                    "($: \"x\" is a required property); only the emulator is held to them"),
                  assumption("A32", "the 200 body of GET /ledger_accounts lacks fields the docs do not require "
                                    "($: \"y\" is a required property); only the emulator is held to them")]
    seen = [{"test": "t::b", **observation(rule, "", "GET http://t/v1/tax_rates -> 200", choice="200").as_dict()}
            for rule in statements]
    assert profile(by_rule(seen)) == {"A32": "the 200 body of an operation lacks fields the docs do not require → 200"}


def test_no_observation_no_row() -> None:
    assert by_rule([]) == [] and profile([]) == {}


def test_secrets_stay_out_of_rows() -> None:
    seen = _seen(PATH_ID, 422, 1, "t::x", message="sent Authorization: Bearer abc.def-secret-token")
    assert "abc.def-secret-token" not in str(by_rule([seen]))


def test_every_report_shows_the_rows_and_keeps_the_list() -> None:
    import io
    import json
    from pathlib import Path

    from rich.console import Console

    from conformance.report.console import print_summary
    from conformance.report.html import render_sections
    from conformance.report.matrix import build_matrix
    from conformance.report.summary import build_summary, render_markdown
    from conformance.openapi.catalog import spec_catalog
    from conformance.verdict.results import RunResults, TestRecord

    results = RunResults()
    for obs in _observations():
        record = results.tests.setdefault(obs["test"], TestRecord(nodeid=obs["test"], kind="scenario"))
        record.observations.append({key: value for key, value in obs.items() if key != "test"})
    catalog = spec_catalog()
    matrix = build_matrix(catalog, results)
    meta = {"target": "https://sandbox.example/v1", "api_version": "2024-05-25", "profile": "quick", "suite": "all",
            "seed": 1, "spec_sha256": "ab" * 32, "duration_seconds": 1.0}
    summary = json.loads(json.dumps(build_summary(meta, results, matrix, catalog, "conforms", stale=[])))

    assert len(summary["observations"]) == 7 and summary["counts"]["observations"] == 7
    assert [(row["rule"], row["count"]) for row in summary["observations_by_rule"]] == [("A7", 6),
                                                                                       ("limit-range-416", 1)]
    assert summary["target_profile"]["A7"] == "a path id that is not a uuid gives 404 → 404 | 422"

    markdown = render_markdown(summary, matrix)
    assert "### Observations: 7 for 2 rules" in markdown
    [a7_line] = [line for line in markdown.splitlines() if line.startswith("| A7 (assumption) | 6 |")]
    assert a7_line.count("`curl -X GET") == 3 and "the target answered 422 (5×), 404 (1×)" in a7_line
    assert "| A7 | a path id that is not a uuid gives 404 → 404 \\| 422 |" in markdown

    html = "".join(render_sections(summary, matrix))
    assert html.count('<tr data-rule="') == 2 and '<tr data-rule="A7" data-kind="assumption">' in html
    assert "<details><summary>all 6 observations</summary>" in html  # the full evidence, folded
    assert 'id="monite-target-profile"' in html

    out = io.StringIO()
    print_summary(Console(file=out, width=400), summary, report_dir=Path("r"), exit_code=0)
    assert "~ observed A7 ×6: Where the docs are silent: the target answered 422 (5×), 404 (1×)" in out.getvalue()
    assert "e.g. curl -X GET" in out.getvalue()
