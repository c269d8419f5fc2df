"""The contract's change history (facts digest, "How the contract changed over time") classified.

`published(stage)` builds a small document with what the published contract had at each stage
(2024-06 … 2025-10). Every stage also changes generator noise — the `/v1` prefix, 3.0 vs 3.1
null spellings, an enum schema losing `type: string`, `additionalProperties: false` on
responses, descriptions — so each consecutive diff must report the documented changes and
nothing else.
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance.diff import diff_documents

STAGES = ["2024-06", "2024-08", "2024-09", "2024-12", "2025-02", "2025-03", "2025-07", "2025-10"]
OLD_CURRENCIES = ["EUR", "GBP", "HRK", "SLL", "USD"]
NEW_CURRENCIES = ["EUR", "GBP", "USD", "AED", "BGN", "CHF", "CZK", "DKK", "HUF", "NOK", "PLN", "RON", "SEK", "SLE"]


def published(stage: str, flip: bool = False) -> dict[str, Any]:
    """The contract at `stage`; `flip` swaps every kind of noise for its other spelling."""
    at = STAGES.index(stage)

    def since(when: str) -> bool:
        return at >= STAGES.index(when)

    odd = (at % 2 == 1) != flip  # noise flips from one stage to the next

    def nullable(schema: dict[str, Any]) -> dict[str, Any]:
        return {"anyOf": [schema, {"type": "null"}]} if odd else {**schema, "nullable": True}

    def enum(values: list[str]) -> dict[str, Any]:
        return {"enum": values} if odd else {"type": "string", "enum": values, "description": f"stage {stage}"}

    def obj(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
        schema = {"type": "object", "properties": properties, "required": required}
        return {**schema, "additionalProperties": False} if odd else schema

    def page(item: str) -> dict[str, Any]:
        return obj({"data": {"type": "array", "items": ref(item)}, "next_pagination_token": nullable(STRING)}, ["data"])

    def ref(name: str) -> dict[str, Any]:
        return {"$ref": f"#/components/schemas/{name}"}

    def body(schema: dict[str, Any], status: str = "200") -> dict[str, Any]:
        return {status: {"description": "ok", "content": {"application/json": {"schema": schema}}},
                "422": {"description": "validation error"}}

    def path_id(name: str) -> dict[str, Any]:
        schema = {"type": "string", **({"format": "uuid"} if since("2025-02") and name == "connection_id" else {})}
        return {"name": name, "in": "path", "required": True, "schema": schema}

    limit_max = 250 if since("2025-07") else 100
    limit = {"name": "limit", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 1, "maximum": limit_max, "default": limit_max}}
    object_types = ["product", "customer", "vendor", "receivable", "bill"] + (
        ["payment_record"] if since("2025-02") else [])
    platforms = ["xero", "quickbooks_online"] + (["quickbooks"] if since("2024-12") else [])

    schemas: dict[str, Any] = {
        "AccountingConnection": obj({
            "id": {"type": "string", "format": "uuid"},
            "status": enum(["connected", "disconnected", "deauthorized", "pending_auth"]),
            "connection_url": STRING,
            **({"business_info": nullable(obj({"legal_name": STRING}, []))} if since("2025-03") else {}),
        }, ["id", "status", "connection_url"]),
        "LedgerAccount": obj({
            "id": {"type": "string", "format": "uuid"},
            "name": STRING,
            "currency": nullable(enum(NEW_CURRENCIES if since("2025-03") else OLD_CURRENCIES)),
            "current_balance": nullable({"type": "integer"}),
            **({"is_external": {"type": "boolean", "default": False},
                "created_at": DATE_TIME, "updated_at": DATE_TIME} if since("2025-10") else {}),
        }, ["id", *([] if since("2025-10") else ["name"]),
            *(["created_at", "updated_at"] if since("2025-10") else [])]),
        "TaxRate": obj({
            "id": {"type": "string", "format": "uuid"}, "name": STRING, "total_tax_rate": {"type": "integer"},
            **({"is_external": {"type": "boolean"}, "created_at": DATE_TIME, "updated_at": DATE_TIME}
               if since("2025-10") else {}),
        }, ["id", "name", *(["created_at", "updated_at"] if since("2025-10") else [])]),
        "SyncRecord": obj({
            "id": {"type": "string", "format": "uuid"},
            "object_type": enum(object_types),
            "platform": nullable(enum(platforms)),
        }, ["id", "object_type"]),
    }
    prefix = "/v1" if odd else ""
    paths: dict[str, Any] = {
        "/accounting_connections": {"post": {
            **({"requestBody": {"required": False, "content": {"application/json": {"schema": obj(
                {"platform": enum(["xero", "quickbooks_online"])},
                [] if since("2024-08") else ["platform"])}}}} if not since("2025-02") else {}),
            "responses": body(ref("AccountingConnection"), "201")}},
        "/accounting_connections/{connection_id}": {"get": {
            "parameters": [path_id("connection_id")], "responses": body(ref("AccountingConnection"))}},
        "/ledger_accounts": {
            "get": {"parameters": [limit], "responses": body(page("LedgerAccount"))},
            **({"post": {"requestBody": {"required": True, "content": {"application/json": {
                "schema": obj({"name": {"type": "string", "maxLength": 500}}, [])}}},
                "responses": body(ref("LedgerAccount"), "201")}} if since("2025-10") else {}),
        },
        "/ledger_accounts/{ledger_account_id}": {
            "parameters": [path_id("ledger_account_id")],
            "get": {"responses": body(ref("LedgerAccount"))},
            **({"patch": {"responses": body(ref("LedgerAccount"))},
                "delete": {"responses": {"204": {"description": "deleted"}}}} if since("2025-10") else {}),
        },
    }
    if since("2024-08"):
        object_ids = [
            {"name": "object_id", "in": "query", "schema": {"type": "string", "format": "uuid"}},
            {"name": "object_id__in", "in": "query",
             "schema": {"type": "array", "minItems": 1, "items": {"type": "string", "format": "uuid"}}},
        ] if since("2024-09") else []
        object_type = {"name": "object_type", "in": "query", "required": True, "schema": enum(object_types)}
        paths.update({
            "/accounting_connections/{connection_id}/sync": {"post": {
                "parameters": [path_id("connection_id")],
                "responses": body(obj({"message": STRING}, ["message"]), "202")}},
            "/accounting_synced_records": {"get": {
                "parameters": [object_type, limit, *object_ids], "responses": body(page("SyncRecord"))}},
            "/accounting_synced_records/{synced_record_id}": {"get": {
                "parameters": [path_id("synced_record_id")], "responses": body(ref("SyncRecord"))}},
            "/accounting_synced_records/{synced_record_id}/push": {"post": {
                "parameters": [path_id("synced_record_id")], "responses": body(ref("SyncRecord"))}},
            "/accounting_tax_rates": {
                "get": {"parameters": [limit], "responses": body(page("TaxRate"))},
                **({"post": {"responses": body(ref("TaxRate"), "201")}} if since("2025-10") else {}),
            },
            "/accounting_tax_rates/{tax_rate_id}": {
                "parameters": [path_id("tax_rate_id")],
                "get": {"responses": body(ref("TaxRate"))},
                **({"patch": {"responses": body(ref("TaxRate"))},
                    "delete": {"responses": {"204": {"description": "deleted"}}}} if since("2025-10") else {}),
            },
        })
    return {"openapi": "3.1.0" if odd else "3.0.3", "info": {"title": "Monite", "version": "2024-05-25"},
            "paths": {f"{prefix}{path}": item for path, item in paths.items()},
            "components": {"schemas": schemas}}


STRING = {"type": "string"}
DATE_TIME = {"type": "string", "format": "date-time"}
B, M, N = "breaking", "may-break", "non-breaking"
CONN, RECORDS, RECORD, PUSH = ("/accounting_connections/{connection_id}", "/accounting_synced_records",
                               "/accounting_synced_records/{synced_record_id}",
                               "/accounting_synced_records/{synced_record_id}/push")
LEDGERS, LEDGER = "/ledger_accounts", "/ledger_accounts/{ledger_account_id}"
TAXES, TAX = "/accounting_tax_rates", "/accounting_tax_rates/{tax_rate_id}"


def _on_objects(rule: str, level: str, pointer: str, operations: list[tuple[str, str, str]]) -> set[tuple[str, ...]]:
    """The same change at `pointer` of each (operation, status, list-or-one) response."""
    return {(operation, rule, level, f"response {status} {'/data/items' if many else ''}{pointer}")
            for operation, status, many in operations}


_RECORD_RESPONSES = [(f"GET {RECORDS}", "200", True), (f"GET {RECORD}", "200", False), (f"POST {PUSH}", "200", False)]
_LEDGER_RESPONSES = [(f"GET {LEDGERS}", "200", True), (f"GET {LEDGER}", "200", False)]
_TAX_RESPONSES = [(f"GET {TAXES}", "200", True), (f"GET {TAX}", "200", False)]

EXPECTED: dict[str, set[tuple[str, ...]]] = {
    "2024-08": {
        *{(f"{method} {path}", "endpoint-added", N, "operation") for method, path in [
            ("POST", f"{CONN}/sync"), ("GET", RECORDS), ("GET", RECORD), ("POST", PUSH), ("GET", TAXES), ("GET", TAX)]},
        ("POST /accounting_connections", "request-property-became-optional", N, "request body /platform"),
    },
    "2024-09": {
        (f"GET {RECORDS}", "new-optional-request-parameter", N, "query parameter object_id"),
        (f"GET {RECORDS}", "new-optional-request-parameter", N, "query parameter object_id__in"),
    },
    "2024-12": _on_objects("response-property-enum-value-added", M, "/platform", _RECORD_RESPONSES),
    "2025-02": {
        ("POST /accounting_connections", "request-body-removed", M, "request body"),
        (f"GET {CONN}", "request-parameter-format-added", M, "path parameter connection_id"),
        (f"POST {CONN}/sync", "request-parameter-format-added", M, "path parameter connection_id"),
        (f"GET {RECORDS}", "request-parameter-enum-value-added", N, "query parameter object_type"),
        *_on_objects("response-property-enum-value-added", M, "/object_type", _RECORD_RESPONSES),
    },
    "2025-03": {
        *_on_objects("response-optional-property-added", N, "/business_info",
                     [("POST /accounting_connections", "201", False), (f"GET {CONN}", "200", False)]),
        *_on_objects("response-property-enum-value-added", M, "/currency", _LEDGER_RESPONSES),
        *_on_objects("response-property-enum-value-removed", N, "/currency", _LEDGER_RESPONSES),
    },
    "2025-07": {
        *{(f"GET {path}", rule, level, "query parameter limit")
          for path in (RECORDS, TAXES, LEDGERS)
          for rule, level in [("request-parameter-max-increased", N), ("request-parameter-default-value-changed", M)]},
    },
    "2025-10": {
        *{(f"{method} {path}", "endpoint-added", N, "operation") for method, path in [
            ("POST", LEDGERS), ("PATCH", LEDGER), ("DELETE", LEDGER),
            ("POST", TAXES), ("PATCH", TAX), ("DELETE", TAX)]},
        *_on_objects("response-optional-property-added", N, "/is_external", _LEDGER_RESPONSES + _TAX_RESPONSES),
        *_on_objects("response-required-property-added", N, "/created_at", _LEDGER_RESPONSES + _TAX_RESPONSES),
        *_on_objects("response-required-property-added", N, "/updated_at", _LEDGER_RESPONSES + _TAX_RESPONSES),
        *_on_objects("response-property-became-optional", B, "/name", _LEDGER_RESPONSES),
    },
}


@pytest.mark.parametrize("stage", STAGES[1:])
def test_each_published_change_is_classified_as_the_issue_says(stage: str) -> None:
    before = published(STAGES[STAGES.index(stage) - 1])
    changes = diff_documents(before, published(stage)).changes
    assert {(c.operation, c.rule.id, c.rule.level, c.location) for c in changes} == EXPECTED[stage]
    assert len(changes) == len(EXPECTED[stage])


@pytest.mark.parametrize("stage", STAGES)
def test_a_stage_against_its_own_noise_flipped_twin_is_no_change(stage: str) -> None:
    assert diff_documents(published(stage), published(stage, flip=True)).changes == []
    assert diff_documents(published(stage, flip=True), published(stage)).changes == []


def test_the_currency_change_names_the_codes_gained_and_lost() -> None:
    changes = diff_documents(published("2025-02"), published("2025-03")).changes
    removed = next(c for c in changes if c.rule.id == "response-property-enum-value-removed")
    assert '"HRK"' in removed.observed and '"SLL"' in removed.observed
    added = next(c for c in changes if c.rule.id == "response-property-enum-value-added")
    assert added.observed.count('"') == 2 * 11


def test_the_whole_history_at_once_keeps_the_breaking_changes() -> None:
    changes = diff_documents(published(STAGES[0]), published(STAGES[-1])).changes
    breaking = {(c.operation, c.rule.id) for c in changes if c.rule.level == B}
    assert breaking == {
        (f"GET {LEDGERS}", "response-property-became-optional"),
        (f"GET {LEDGER}", "response-property-became-optional"),
    }
