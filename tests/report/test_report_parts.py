"""The report's parts on their own: operation lookup, selection, baseline, matrix, redaction."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from conformance.errors import ConfigError
from conformance.redaction import register_secret
from conformance.verdict.baseline import find, load_baseline
from conformance.report.matrix import FAILED, MISSING, NOT_DOCUMENTED, PASSED, build_matrix
from conformance.openapi.catalog import spec_catalog
from conformance.verdict.results import RunResults, TestRecord, failure_headline
from conformance.report.scrub import RedactingWriter, scrub_text
from conformance.pytest_plugin.selection import TestScope, keep

CATALOG = spec_catalog()


@pytest.mark.parametrize("method, url, expected", [
    ("GET", "http://emulator.local/v1/accounting_tax_rates/abc", "getTaxRate"),
    ("GET", "https://api.sandbox.monite.com/v1/accounting_tax_rates?limit=2", "listTaxRates"),
    ("POST", "/v1/accounting_connections/abc/sync", "syncAccountingConnection"),
    ("POST", "/v1/auth/token", "createAccessToken"),
    ("PUT", "/v1/ledger_accounts/abc", None),
    ("GET", "/_emulator/state", None),
])
def test_requests_are_attributed_to_the_spec_operation(method: str, url: str, expected: str | None) -> None:
    found = CATALOG.match(method, url)
    assert (found.operation_id if found else None) == expected


def test_a_405_counts_for_every_operation_of_its_path() -> None:
    assert {op.operation_id for op in CATALOG.on_path("/v1/ledger_accounts/abc")} == {
        "getLedgerAccount", "updateLedgerAccount", "deleteLedgerAccount"}


def test_test_ids_name_operations_by_id_or_method_and_path() -> None:
    assert CATALOG.from_test_id("test_property.py::test_coverage[getTaxRate]").operation_id == "getTaxRate"
    assert CATALOG.from_test_id("t.py::test_x[GET /ledger_accounts]").operation_id == "listLedgerAccounts"
    assert CATALOG.from_test_id("t.py::test_x[tax_rates-limit=1]") is None


def test_names_resolve_to_operations_and_unknown_names_are_refused() -> None:
    assert CATALOG.resolve(["tax-rates"]) == {"listTaxRates", "getTaxRate"}
    with pytest.raises(ValueError, match="nope"):
        CATALOG.resolve(["getTaxRate", "nope"])


def test_only_and_skip_keep_tests_by_operation_or_tag() -> None:
    tax_scenario = TestScope("scenario", frozenset(), frozenset({"tax-rates"}))
    get_tax = TestScope("property", frozenset({"getTaxRate"}), frozenset({"tax-rates"}))
    stateful = TestScope("property", frozenset(), frozenset())
    only = {"getTaxRate"}
    assert keep(get_tax, "all", only, set(), CATALOG) and keep(tax_scenario, "all", only, set(), CATALOG)
    assert not keep(stateful, "all", only, set(), CATALOG) and keep(stateful, "all", None, set(), CATALOG)
    assert not keep(get_tax, "all", None, {"getTaxRate"}, CATALOG)
    assert not keep(get_tax, "scenario", None, set(), CATALOG)


def test_baseline_entries_match_on_every_given_key(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text(json.dumps({"accepted": [{"test": "*limit*", "match": "41[6]", "reason": "r"}]}))
    [entry] = load_baseline(path)
    assert find([entry], "t.py::test_limit", set(), set(), "got 416") is entry
    assert find([entry], "t.py::test_limit", set(), set(), "got 422") is None
    assert find([entry], "t.py::test_other", set(), set(), "got 416") is None


@pytest.mark.parametrize("text, fragment", [
    ("accepted: {}", "list under 'accepted'"),
    ("accepted:\n  - {test: x}", "reason"),
    ("accepted:\n  - {reason: r}", "at least one"),
    ("accepted:\n  - {reason: r, match: '('}", "regular expression"),
    ("accepted:\n  - {reason: r, tset: x}", "unknown key"),
    ("accepted: [", "not valid YAML"),
])
def test_a_bad_baseline_is_a_config_error(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "b.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=fragment):
        load_baseline(path)


def test_a_failure_counts_against_the_operation_and_status_it_is_about() -> None:
    results = RunResults()
    failing = TestRecord("t.py::test_by_id", outcome="failed", calls={("listTaxRates", 200): 1, ("getTaxRate", 200): 2},
                         exchanges=[{"method": "GET", "url": "http://x/v1/accounting_tax_rates/a", "status_code": 200}])
    results.tests[failing.nodeid] = failing
    rows = {row.operation.operation_id: row for row in build_matrix(CATALOG, results).rows}
    assert rows["getTaxRate"].cells["200"].state == FAILED and rows["getTaxRate"].result == FAILED
    assert rows["listTaxRates"].cells["200"].state == PASSED and rows["listTaxRates"].result == PASSED
    assert rows["getTaxRate"].cells["404"].state == MISSING
    assert rows["getTaxRate"].cells["201"].state == NOT_DOCUMENTED


def test_schemathesis_failures_get_a_headline_from_their_structured_titles() -> None:
    """The checks' failures arrive as data (schemathesis' filter_failure hook), not as text to parse."""
    from types import SimpleNamespace

    report = SimpleNamespace(longrepr=None, longreprtext="a long rendered traceback")
    findings = [{"check": "Failure", "title": "Schema-violating request accepted",
                 "message": "Invalid data should have been rejected\nExpected: 400, 422"},
                {"check": "Failure", "title": "Schema-violating request accepted",
                 "message": "Invalid data should have been rejected\nExpected: 400, 422"}]
    assert failure_headline(report, findings) == ("Schema-violating request accepted: "
                                                  "Invalid data should have been rejected")
    assert failure_headline(report, []) == "a long rendered traceback"


def test_secrets_are_masked_also_escaped_and_across_writes() -> None:
    secret = "s3cr&t<value>-Abc123"
    register_secret(secret)
    assert secret not in scrub_text(f"plain {secret}") and "s3cr&amp;t&lt;value&gt;-Abc123" not in scrub_text(
        "html s3cr&amp;t&lt;value&gt;-Abc123")
    sink = io.StringIO()
    writer = RedactingWriter(sink)
    writer.write("token: s3cr&t<va")
    writer.flush()
    writer.write("lue>-Abc123 end\n")
    writer.finish()
    assert secret not in sink.getvalue() and "[REDACTED]" in sink.getvalue()


def test_cleanup_undoes_what_a_test_created_and_left() -> None:
    import warnings

    from conformance.evidence import created
    from conformance.safety.cleanup import remove
    from monite_emulator.app import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient
    entity = "9d2b4c8f-2087-4738-ba91-7359683c49a4"
    app = create_app()
    with TestClient(app, base_url="http://emulator.local") as http:
        token = http.post("/v1/auth/token", headers={"x-monite-version": "2024-05-25"}, json={
            "grant_type": "client_credentials", "client_id": app.state.settings.client_id,
            "client_secret": app.state.settings.client_secret}).json()["access_token"]
        headers = {"x-monite-version": "2024-05-25", "x-monite-entity-id": entity, "authorization": f"Bearer {token}"}
        kept = http.post("/v1/ledger_accounts", headers=headers, json={"name": "kept by the test"})
        removed = http.post("/v1/ledger_accounts", headers=headers, json={"name": "removed by the test"})
        created.take()
        created.note("createLedgerAccount", 201, kept)
        created.note("createLedgerAccount", 201, removed)
        gone = http.delete(f"/v1/ledger_accounts/{removed.json()['id']}", headers=headers)
        created.note("deleteLedgerAccount", gone.status_code, gone)
        leftovers = created.take()
        assert [item.id for item in leftovers] == [kept.json()["id"]]
        assert created.is_ours(kept.json()["id"]) and created.is_ours(removed.json()["id"])
        assert remove(leftovers, "http://emulator.local/v1", "2024-05-25", lambda: token, http) == []
        assert http.get(f"/v1/ledger_accounts/{kept.json()['id']}", headers=headers).status_code == 404
        assert created.take() == []
