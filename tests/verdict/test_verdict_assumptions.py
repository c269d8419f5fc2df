"""Which check failures break only an assumption (conformance.verdict.assumptions): each rule
with a minimal pair, the answer it excuses and the twin that still breaks the documented contract."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.openapi.assumed import assumption_ids, strict
from conformance.openapi.contract import Contract, documented_contract
from conformance.verdict.assumptions import (
    ACCEPTED_NEGATIVE,
    ALLOW_HEADER,
    CUSTOM,
    REJECTED_POSITIVE,
    RESPONSE_SCHEMA,
    UNDEFINED_STATUS,
    UNSUPPORTED_METHOD,
    Answer,
    excuse,
)

CONTRACT = documented_contract("2024-05-25")
LEDGER_ID = "0f5c2a8e-1d3b-4c5a-9e7f-2b6d8a1c4e90"


def _excused(code: str, answer: Answer, check: str = "", contract: Contract = CONTRACT) -> str | None:
    rule = excuse(code, check, answer, contract)
    return None if rule is None else rule.id


# -- status codes -------------------------------------------------------------------------------

def test_another_success_status_where_the_docs_give_none_breaks_only_our_choice() -> None:
    # POST /ledger_accounts: the docs list only its error codes; 201 is A27.
    assert _excused(UNDEFINED_STATUS, Answer("POST", "/v1/ledger_accounts", 200)) == "A27"
    # DELETE: A10 chose 204.
    assert _excused(UNDEFINED_STATUS, Answer("DELETE", f"/v1/ledger_accounts/{LEDGER_ID}", 200)) == "A10"


def test_another_success_status_where_the_docs_give_one_stands() -> None:
    # POST /accounting_connections -> 201 is documented (facts: Accounting connections).
    assert _excused(UNDEFINED_STATUS, Answer("POST", "/v1/accounting_connections", 200)) is None
    # sync -> 202 is documented (seed 002).
    assert _excused(UNDEFINED_STATUS, Answer("POST", f"/v1/accounting_connections/{LEDGER_ID}/sync", 200)) is None


def test_416_for_a_limit_is_the_concepts_page_answer_but_not_elsewhere() -> None:
    assert _excused(UNDEFINED_STATUS, Answer("GET", "/v1/ledger_accounts", 416, query={"limit": "0"})) == "limit-range-416"
    # An operation without `limit` has no reason to answer 416.
    assert _excused(UNDEFINED_STATUS, Answer("GET", f"/v1/ledger_accounts/{LEDGER_ID}", 416)) is None


def test_an_unknown_operation_is_never_excused_by_status() -> None:
    assert _excused(UNDEFINED_STATUS, Answer("GET", "/v1/no_such_thing", 200)) is None


# -- rejected valid requests ----------------------------------------------------------------------

@pytest.mark.parametrize("status", [404, 422])
def test_a_non_uuid_path_id_may_be_404_or_422(status: int) -> None:
    answer = Answer("GET", "/v1/ledger_accounts/abc", status, path_parameters={"ledger_account_id": "abc"})
    assert _excused(REJECTED_POSITIVE, answer) == "D4"  # the seeds (404) vs the published uuid (422): a probe


def test_a_uuid_path_id_refused_with_422_stands() -> None:
    answer = Answer("GET", f"/v1/ledger_accounts/{LEDGER_ID}", 422, path_parameters={"ledger_account_id": LEDGER_ID})
    assert _excused(REJECTED_POSITIVE, answer) is None


def test_a_limit_over_the_concepts_maximum_may_be_refused() -> None:
    assert _excused(REJECTED_POSITIVE, Answer("GET", "/v1/ledger_accounts", 416, query={"limit": "150"})) == "limit-range-416"
    assert _excused(REJECTED_POSITIVE, Answer("GET", "/v1/ledger_accounts", 416, query={"limit": "50"})) is None


def test_a_state_conflict_answered_400_breaks_only_the_status_we_chose() -> None:
    # A second active connection: the docs forbid it but give no status (A5: 409).
    assert _excused(REJECTED_POSITIVE, Answer("POST", "/v1/accounting_connections", 400)) == "A5"
    # A list refused with 400 has no state assumption behind it.
    assert _excused(REJECTED_POSITIVE, Answer("GET", "/v1/accounting_connections", 400)) is None
    # A creation refused with 400: its x-assumption (A21) is about fields, not a state's status.
    assert _excused(REJECTED_POSITIVE, Answer("POST", "/v1/ledger_accounts", 400)) is None


# -- bodies ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("status", "rule"), [(404, "A7"), (405, "A9")])
def test_error_bodies_the_docs_do_not_document(status: int, rule: str) -> None:
    fastapi = {"detail": "Not Found" if status == 404 else "Method Not Allowed"}
    answer = Answer("TRACE" if status == 405 else "GET", "/v1/accounting_connections", status, body=fastapi)
    assert _excused(CUSTOM, answer, check="monite_error_body_shape") == rule
    assert _excused(RESPONSE_SCHEMA, Answer("GET", f"/v1/ledger_accounts/{LEDGER_ID}", status, body=fastapi)) == rule


def test_a_documented_error_body_of_another_shape_stands() -> None:
    answer = Answer("GET", "/v1/ledger_accounts", 401, body={"detail": "Unauthorized"})
    assert _excused(CUSTOM, answer, check="monite_error_body_shape") is None
    # Another Monite check on the same answer is not excused by the error-body rule.
    assert _excused(CUSTOM, Answer("GET", "/v1/ledger_accounts", 405), check="monite_version_echoed") is None


def test_a_wrong_method_answer_is_our_choice() -> None:
    for code in (UNSUPPORTED_METHOD, ALLOW_HEADER):
        assert _excused(code, Answer("TRACE", "/v1/ledger_accounts", 400)) == "A9"


def test_accepted_invalid_data_is_never_excused() -> None:
    assert _excused(ACCEPTED_NEGATIVE, Answer("GET", "/v1/ledger_accounts", 200, query={"limit": "0"})) is None


# -- a field the docs do not require ---------------------------------------------------------------

def _document(with_assumed: bool) -> dict[str, Any]:
    """GET /things/{id} -> a Thing {id (documented), name (A99)} with parts [{label (A98)}]."""
    item: dict[str, Any] = {"type": "object", "required": ["id"],
                            "properties": {"id": {"type": "string"}, "name": {"type": "string"},
                                           "parts": {"type": "array", "items": {"$ref": "#/components/schemas/Part"}}}}
    part: dict[str, Any] = {"type": "object", "properties": {"label": {"type": "string"}}}
    if with_assumed:
        item["x-assumed-constraints"] = {"assumption": "A99", "required": ["name"]}
        part["x-assumed-constraints"] = {"assumption": "A98", "required": ["label"]}
    return {
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {"/things/{id}": {"get": {"operationId": "getThing", "responses": {"200": {
            "description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}}}},
        "components": {"schemas": {"Thing": item, "Part": part}},
    }


def test_strict_merges_the_assumed_required_fields() -> None:
    document = _document(with_assumed=True)
    assert strict(document)["components"]["schemas"]["Thing"]["required"] == ["id", "name"]
    assert document["components"]["schemas"]["Thing"]["required"] == ["id"], "the documented spec is not changed"
    assert assumption_ids({"$ref": "#/components/schemas/Thing"}, document) == ["A99", "A98"]


def test_a_body_without_a_field_only_our_choice_requires_is_excused() -> None:
    document = _document(with_assumed=True)
    contract, strict_contract = Contract(document), Contract(strict(document))
    answer = Answer("GET", "/v1/things/1", 200, body={"id": "1", "parts": [{"label": "a"}]})
    rule = excuse(RESPONSE_SCHEMA, "", answer, contract, strict_contract)
    assert rule is not None and rule.id == "A99" and "name" in rule.statement, rule
    # Only the choice the body breaks is cited (the nested part has its label: A98 holds).
    nested = Answer("GET", "/v1/things/1", 200, body={"id": "1", "name": "n", "parts": [{}]})
    rule = excuse(RESPONSE_SCHEMA, "", nested, contract, strict_contract)
    assert rule is not None and rule.id == "A98", rule
    # Without the strict contract every choice the schema holds is cited.
    assert _excused(RESPONSE_SCHEMA, answer, contract=contract) == "A99, A98"


def test_a_body_without_a_documented_field_stands() -> None:
    contract = Contract(_document(with_assumed=True))
    assert _excused(RESPONSE_SCHEMA, Answer("GET", "/v1/things/1", 200, body={"name": "x"}), contract=contract) is None
    # Without an assumed constraint there is nothing to excuse a schema failure with.
    plain = Contract(_document(with_assumed=False))
    assert _excused(RESPONSE_SCHEMA, Answer("GET", "/v1/things/1", 200, body={"id": "1"}), contract=plain) is None


# -- a field the docs disagree on (x-disputed-constraints): a probe naming both sources -------------

def _disputed_document() -> dict[str, Any]:
    """A Thing {id (documented), name (A99), code (D9: published requires it, a docs page does not)}."""
    document = _document(with_assumed=True)
    thing = document["components"]["schemas"]["Thing"]
    thing["properties"]["code"] = {"type": "string"}
    thing["x-disputed-constraints"] = {"probe": "D9", "sources": ["published OpenAPI: code required",
                                                                  "docs: some page: no code"], "required": ["code"]}
    return document


def test_strict_merges_the_disputed_required_fields_too() -> None:
    document = _disputed_document()
    assert strict(document)["components"]["schemas"]["Thing"]["required"] == ["id", "name", "code"]
    assert assumption_ids({"$ref": "#/components/schemas/Thing"}, document) == ["A99", "D9", "A98"]


def test_a_body_without_a_disputed_field_is_a_probe_naming_both_sources() -> None:
    document = _disputed_document()
    contract, strict_contract = Contract(document), Contract(strict(document))
    answer = Answer("GET", "/v1/things/1", 200, body={"id": "1", "name": "n", "parts": []})
    rule = excuse(RESPONSE_SCHEMA, "", answer, contract, strict_contract)
    assert rule is not None and rule.kind == "probe" and rule.id == "D9", rule
    assert "published OpenAPI: code required" in rule.source and "docs: some page: no code" in rule.source
    assert "code" in rule.statement
    # Missing an assumed field as well: the assumption binds on the emulator, so the rule is one.
    both = Answer("GET", "/v1/things/1", 200, body={"id": "1", "parts": []})
    rule = excuse(RESPONSE_SCHEMA, "", both, contract, strict_contract)
    assert rule is not None and rule.kind == "assumption" and rule.id == "A99, D9", rule
    # The documented field stays documented.
    assert excuse(RESPONSE_SCHEMA, "", Answer("GET", "/v1/things/1", 200, body={"name": "n", "code": "c"}),
                  contract, strict_contract) is None


def test_the_spec_disputes_connection_url_on_disconnect_only() -> None:
    from conformance.openapi.contract import documented_contract, strict_contract

    connection = {"id": LEDGER_ID, "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z",
                  "business_info": None, "errors": None, "last_pull": None, "platform": "xero", "status": "disconnected"}
    documented, strict_one = documented_contract("2024-05-25"), strict_contract("2024-05-25")
    disconnect = Answer("POST", f"/v1/accounting_connections/{LEDGER_ID}/disconnect", 200, body=connection)
    rule = excuse(RESPONSE_SCHEMA, "", disconnect, documented, strict_one)
    assert rule is not None and rule.kind == "probe" and rule.id == "D1", rule
    assert "seed 002" in rule.source and "published OpenAPI" in rule.source
    # GET of the same connection: the published document requires connection_url, no page disagrees.
    get = Answer("GET", f"/v1/accounting_connections/{LEDGER_ID}", 200, body=connection)
    assert excuse(RESPONSE_SCHEMA, "", get, documented, strict_one) is None
