"""Equal contracts compare equal: generator noise, spelling and recursion give no change."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from conformance.diff import diff_documents
from conformance.diff.errors import DocumentError
from conformance.diff.load import load_document
from conformance.openapi.files import load_spec
from tests.diff.builders import document, get_ledger, ok

CURRENCIES = ["EUR", "GBP", "USD"]

# (old, new) response schemas that mean the same thing, each a kind of noise seen in published
# documents or a different spelling of the same contract.
NOISE_SCHEMAS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "enum loses type string": ({"type": "string", "enum": CURRENCIES}, {"enum": CURRENCIES}),
    "enum reordered": ({"type": "string", "enum": CURRENCIES}, {"type": "string", "enum": CURRENCIES[::-1]}),
    "additionalProperties false appears": (
        {"type": "object", "properties": {"a": {"type": "string"}}},
        {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": False}),
    "nullable 3.0 vs type list": ({"type": "string", "nullable": True}, {"type": ["string", "null"]}),
    "type list vs anyOf null": ({"type": ["string", "null"]}, {"anyOf": [{"type": "string"}, {"type": "null"}]}),
    "anyOf null vs oneOf null": (
        {"anyOf": [{"type": "integer"}, {"type": "null"}], "description": "x"},
        {"oneOf": [{"type": "null"}, {"type": "integer", "title": "t"}]}),
    "nullable enum: null member vs nullable": (
        {"type": "string", "enum": ["a", None]}, {"type": "string", "enum": ["a"], "nullable": True}),
    "descriptions, titles, examples, x- extensions": (
        {"type": "integer", "description": "old", "example": 1, "x-foo": 1},
        {"title": "T", "type": "integer", "description": "new", "examples": [2], "x-bar": {"a": 1}}),
    "properties without type object": (
        {"type": "object", "properties": {"a": {"type": "string"}}}, {"properties": {"a": {"type": "string"}}}),
    "allOf of two parts vs one object": (
        {"allOf": [{"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
                   {"type": "object", "properties": {"b": {"type": "integer"}}}]},
        {"type": "object", "required": ["a"], "properties": {"b": {"type": "integer"}, "a": {"type": "string"}}}),
}


@pytest.mark.parametrize("name", sorted(NOISE_SCHEMAS))
def test_noise_in_a_response_schema_is_no_change(name: str) -> None:
    old, new = NOISE_SCHEMAS[name]
    wrap = lambda schema: get_ledger(responses=ok({"type": "object", "properties": {"p": schema}}))  # noqa: E731
    assert diff_documents(wrap(old), wrap(new)).changes == []
    assert diff_documents(wrap(new), wrap(old)).changes == []


def _published_2024() -> dict[str, Any]:
    """A 3.0 document in the style of the published one: /v1 paths, refs, nullable, noise."""
    return {
        "openapi": "3.0.2",
        "info": {"title": "Monite", "version": "2024-05-25", "description": "old text"},
        "paths": {
            "/v1/ledger_accounts/{ledger_account_id}": {
                "get": {
                    "summary": "Get a ledger account", "operationId": "get_ledger_account",
                    "parameters": [
                        {"name": "ledger_account_id", "in": "path", "required": True, "schema": {"type": "string"}},
                        {"name": "X-Monite-Version", "in": "header", "required": True,
                         "schema": {"type": "string", "format": "date"}},
                    ],
                    "responses": {
                        200: {"description": "OK", "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/LedgerAccountResponse"}}}},
                        "422": {"description": "Validation Error"},
                    },
                },
            },
        },
        "components": {"schemas": {
            "LedgerAccountResponse": {
                "title": "LedgerAccountResponse", "type": "object", "additionalProperties": False,
                "required": ["id", "name"],
                "properties": {
                    "id": {"type": "string", "format": "uuid", "title": "Id"},
                    "name": {"type": "string", "description": "Name"},
                    "currency": {"allOf": [{"$ref": "#/components/schemas/CurrencyEnum"}], "nullable": True},
                    "current_balance": {"type": "integer", "nullable": True},
                    "status": {"$ref": "#/components/schemas/Status"},
                },
            },
            "CurrencyEnum": {"title": "CurrencyEnum", "type": "string", "enum": CURRENCIES},
            "Status": {"type": "string", "enum": ["Active", "Archived"]},
        }},
    }


def _published_2025() -> dict[str, Any]:
    """The same contract as generated a year later: 3.1, no /v1, other names, anyOf null, no noise."""
    return {
        "openapi": "3.1.0",
        "info": {"version": "2024-05-25", "title": "Monite API"},
        "servers": [{"url": "https://api.sandbox.monite.com/v1"}],
        "paths": {
            "/ledger_accounts/{id}": {
                "parameters": [{"in": "header", "name": "x-monite-version", "required": True,
                                "schema": {"format": "date", "type": "string"}}],
                "get": {
                    "x-fern-sdk-method-name": "get_by_id",
                    "parameters": [{"in": "path", "name": "id", "schema": {"type": "string"}, "required": True}],
                    "responses": {
                        "422": {"description": "Unprocessable"},
                        "200": {"description": "Successful Response", "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/LedgerAccount"}}}},
                    },
                },
            },
        },
        "components": {"schemas": {
            "LedgerAccount": {
                "properties": {
                    "status": {"enum": ["Archived", "Active"]},
                    "current_balance": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
                    "currency": {"anyOf": [{"$ref": "#/components/schemas/Currency"}, {"type": "null"}],
                                 "description": "ISO 4217"},
                    "name": {"type": "string"},
                    "id": {"format": "uuid", "type": "string"},
                },
                "required": ["name", "id"],
                "type": "object",
            },
            "Currency": {"enum": CURRENCIES[::-1]},
        }},
    }


def test_the_same_contract_from_two_generators_is_no_change() -> None:
    old, new = _published_2024(), _published_2025()
    assert diff_documents(old, new).changes == []
    assert diff_documents(new, old).changes == []


def test_a_real_change_still_shows_through_the_noise() -> None:
    new = _published_2025()
    new["components"]["schemas"]["LedgerAccount"]["required"] = ["id"]
    fired = [(c.operation, c.rule.id, c.rule.level, c.location) for c in diff_documents(_published_2024(), new).changes]
    assert fired == [("GET /ledger_accounts/{id}", "response-property-became-optional", "breaking",
                      "response 200 /name")]


def _reversed_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _reversed_keys(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [_reversed_keys(item) for item in value]
    return value


def test_our_spec_against_itself_is_no_change() -> None:
    spec = load_spec()
    result = diff_documents(spec, spec)
    assert result.changes == []
    assert len(result.operations) == 16


def test_our_spec_with_keys_reversed_and_a_v1_prefix_is_no_change() -> None:
    spec = load_spec()
    moved = _reversed_keys(copy.deepcopy(spec))
    moved["paths"] = {f"/v1{path}": item for path, item in moved["paths"].items()}
    assert diff_documents(spec, moved).changes == []


def test_a_change_to_our_spec_is_found() -> None:
    spec = load_spec()
    changed = copy.deepcopy(spec)
    del changed["paths"]["/auth/token"]
    fired = {(c.operation, c.rule.id) for c in diff_documents(spec, changed).changes}
    assert fired == {("POST /auth/token", "api-path-removed-without-deprecation")}


# -- recursion ----------------------------------------------------------------------------------

def _tree(extra: dict[str, Any] | None = None) -> dict[str, Any]:
    children = {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}
    node = {"type": "object", "properties": {"name": {"type": "string"}, "children": children, **(extra or {})}}
    loop = {"A": {"$ref": "#/components/schemas/B"}, "B": {"$ref": "#/components/schemas/A"}}
    self_all_of = {"allOf": [{"$ref": "#/components/schemas/Self"}, {"properties": {"x": {"type": "integer"}}}]}
    mutual = {"M1": {"type": "object", "properties": {"m2": {"$ref": "#/components/schemas/M2"}}},
              "M2": {"type": "object", "properties": {"m1": {"$ref": "#/components/schemas/M1"}}}}
    schema = {"type": "object", "properties": {
        "tree": {"$ref": "#/components/schemas/Node"}, "loop": {"$ref": "#/components/schemas/A"},
        "self": {"$ref": "#/components/schemas/Self"}, "mutual": {"$ref": "#/components/schemas/M1"}}}
    return document({"/ledger_accounts": {"get": {"responses": ok(schema)}}},
                    {"Node": node, "Self": self_all_of, **loop, **mutual})


def test_recursive_schemas_compare_without_recursing_forever() -> None:
    # Runaway recursion would raise RecursionError; no wall-clock bound (speed is measured in bench/).
    assert diff_documents(_tree(), _tree()).changes == []


def test_a_change_inside_a_recursive_schema_is_reported_once_where_first_reached() -> None:
    fired = [(c.rule.id, c.location) for c in diff_documents(_tree(), _tree({"id": {"type": "string"}})).changes]
    assert fired == [("response-optional-property-added", "response 200 /tree/id")]


def test_a_dangling_ref_is_a_document_error() -> None:
    broken = get_ledger(responses=ok({"$ref": "#/components/schemas/Missing"}))
    with pytest.raises(DocumentError, match="points at nothing"):
        diff_documents(get_ledger(), broken)


def test_a_changed_component_is_reported_everywhere_it_is_used() -> None:
    def doc(currency: list[str]) -> dict[str, Any]:
        money = {"type": "object", "properties": {"currency": {"type": "string", "enum": currency}}}
        schema = {"type": "object", "properties": {"total": {"$ref": "#/components/schemas/Money"},
                                                   "lines": {"type": "array",
                                                             "items": {"$ref": "#/components/schemas/Money"}}}}
        return document({"/ledger_accounts": {"get": {"responses": ok(schema)},
                                              "post": {"requestBody": {"content": {"application/json": {
                                                  "schema": schema}}}, "responses": ok(schema, "201")}}},
                        {"Money": money})

    fired = {(c.operation, c.rule.id, c.location) for c in diff_documents(doc(["EUR"]), doc(["EUR", "USD"])).changes}
    assert fired == {
        ("GET /ledger_accounts", "response-property-enum-value-added", "response 200 /total/currency"),
        ("GET /ledger_accounts", "response-property-enum-value-added", "response 200 /lines/items/currency"),
        ("POST /ledger_accounts", "response-property-enum-value-added", "response 201 /total/currency"),
        ("POST /ledger_accounts", "response-property-enum-value-added", "response 201 /lines/items/currency"),
        ("POST /ledger_accounts", "request-property-enum-value-added", "request body /total/currency"),
        ("POST /ledger_accounts", "request-property-enum-value-added", "request body /lines/items/currency"),
    }


def test_read_only_properties_are_not_part_of_a_request_nor_write_only_ones_of_a_response() -> None:
    def doc(extra: dict[str, Any], required: list[str]) -> dict[str, Any]:
        shared = {"type": "object", "required": ["name", *required],
                  "properties": {"name": {"type": "string"}, **extra}}
        return document({"/ledger_accounts": {"post": {
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Account"}}}},
            "responses": ok({"$ref": "#/components/schemas/Account"}, "201")}}}, {"Account": shared})

    read_only = doc({"id": {"type": "string", "readOnly": True}}, ["id"])
    write_only = doc({"secret": {"type": "string", "writeOnly": True}}, ["secret"])
    base = doc({}, [])
    assert [(c.rule.id, c.location) for c in diff_documents(base, read_only).changes] == [
        ("response-required-property-added", "response 201 /id")]
    assert [(c.rule.id, c.location) for c in diff_documents(base, write_only).changes] == [
        ("new-required-request-property", "request body /secret")]


# -- Monite's published document (../shared), when it is there -------------------------------------
PUBLISHED = Path(__file__).resolve().parents[3] / "shared" / "docs" / "published-openapi"


def _respelled(value: Any) -> Any:
    """The same contract spelled otherwise: every key order, list order (branches, enums,
    parameters, required) reversed and every integer written as a float."""
    if isinstance(value, dict):
        return {key: _respelled(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [_respelled(item) for item in reversed(value)]
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


@pytest.mark.skipif(not PUBLISHED.is_dir(), reason="../shared/docs/published-openapi is not there")
@pytest.mark.parametrize("name", sorted(p.name for p in PUBLISHED.glob("*.json")) if PUBLISHED.is_dir() else [])
def test_the_published_document_against_itself_respelled_is_no_change(name: str) -> None:
    published = load_document(str(PUBLISHED / name))  # structurally checked, as the CLI does
    assert diff_documents(published, published, None).changes == []
    respelled = _respelled(copy.deepcopy(published))
    assert diff_documents(published, respelled, None).changes == []
    assert diff_documents(respelled, published, None).changes == []
