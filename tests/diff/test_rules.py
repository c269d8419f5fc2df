"""Every rule of the table has a minimal pair of documents that fires it, and nothing else.

The expected levels below are written from a client's point of view (issue 10), not read
from the table: the test fails when the table and this judgement disagree, and when a rule
has no pair.
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance.diff import RULES, diff_documents
from conformance.diff.catalogue import LEVELS, OASDIFF_SOURCE, OUR_SOURCE, SCHEMA_KINDS
from conformance.findings import Finding, Rule
from tests.diff.builders import (
    document,
    get_ledger,
    json_content,
    ok,
    post_ledger,
    query,
    with_schema_at,
)

B, M, N = "breaking", "may-break", "non-breaking"
S = {"type": "string"}
OBJ = {"type": "object"}

# Schema rules: suffix → (old schema, new schema, level in a request, level in a response).
# None: the rule does not exist on that side.
SCHEMA_PAIRS: dict[str, tuple[dict[str, Any], dict[str, Any], str | None, str | None]] = {
    "type-changed": (S, {"type": "integer"}, B, B),
    "type-generalized": ({"type": "integer"}, {"type": "number"}, N, None),
    "type-specialized": ({"type": "number"}, {"type": "integer"}, None, N),
    "became-nullable": (S, {"type": ["string", "null"]}, N, B),
    "became-not-nullable": ({"type": ["string", "null"]}, S, B, N),
    "format-added": (S, {"type": "string", "format": "uuid"}, M, N),
    "format-removed": ({"type": "string", "format": "uuid"}, S, N, M),
    "format-changed": ({"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}, M, M),
    "enum-value-added": ({"type": "string", "enum": ["a"]}, {"type": "string", "enum": ["a", "b"]}, N, M),
    "enum-value-removed": ({"type": "string", "enum": ["a", "b"]}, {"type": "string", "enum": ["a"]}, B, N),
    "became-enum": (S, {"type": "string", "enum": ["a"]}, B, N),
    "enum-unset": ({"type": "string", "enum": ["a"]}, S, N, M),
    "default-value-changed": ({"type": "integer", "default": 100}, {"type": "integer", "default": 250}, M, N),
    "pattern-added": (S, {"type": "string", "pattern": "^a"}, M, N),
    "pattern-removed": ({"type": "string", "pattern": "^a"}, S, N, M),
    "pattern-changed": ({"type": "string", "pattern": "^a"}, {"type": "string", "pattern": "^b"}, M, M),
    "max-decreased": ({"type": "integer", "maximum": 250}, {"type": "integer", "maximum": 100}, B, N),
    "max-increased": ({"type": "integer", "maximum": 100}, {"type": "integer", "maximum": 250}, N, M),
    "min-increased": ({"type": "integer", "minimum": 1}, {"type": "integer", "minimum": 2}, B, N),
    "min-decreased": ({"type": "integer", "minimum": 2}, {"type": "integer", "minimum": 1}, N, M),
    "max-length-decreased": ({"type": "string", "maxLength": 500}, {"type": "string", "maxLength": 100}, B, N),
    "max-length-increased": ({"type": "string", "maxLength": 100}, {"type": "string", "maxLength": 500}, N, M),
    "min-length-increased": ({"type": "string", "minLength": 1}, {"type": "string", "minLength": 2}, B, N),
    "min-length-decreased": ({"type": "string", "minLength": 2}, {"type": "string", "minLength": 1}, N, M),
    "max-items-decreased": ({"type": "array", "items": S, "maxItems": 10},
                            {"type": "array", "items": S, "maxItems": 5}, B, N),
    "max-items-increased": ({"type": "array", "items": S, "maxItems": 5},
                            {"type": "array", "items": S, "maxItems": 10}, N, M),
    "min-items-increased": ({"type": "array", "items": S, "minItems": 1},
                            {"type": "array", "items": S, "minItems": 2}, B, N),
    "min-items-decreased": ({"type": "array", "items": S, "minItems": 2},
                            {"type": "array", "items": S, "minItems": 1}, N, M),
    "one-of-added": ({"oneOf": [S, {"type": "integer"}]}, {"oneOf": [S, {"type": "integer"}, {"type": "boolean"}]},
                     N, M),
    "one-of-removed": ({"oneOf": [S, {"type": "integer"}, {"type": "boolean"}]}, {"oneOf": [S, {"type": "integer"}]},
                       B, N),
    "any-of-added": ({"anyOf": [S, {"type": "integer"}]}, {"anyOf": [S, {"type": "integer"}, {"type": "boolean"}]},
                     N, M),
    "any-of-removed": ({"anyOf": [S, {"type": "integer"}, {"type": "boolean"}]}, {"anyOf": [S, {"type": "integer"}]},
                       B, N),
    "schema-changed": ({"type": "integer", "multipleOf": 2}, {"type": "integer", "multipleOf": 3}, M, M),
}
# Where inside the schema a rule fires, when not at its root.
SCHEMA_POINTERS = {"one-of-added": "/oneOf/2", "one-of-removed": "/oneOf/2", "any-of-added": "/anyOf/2",
                   "any-of-removed": "/anyOf/2"}
# Null can only travel in a parameter whose value is JSON (`content`); a `style`d one is text (issue 19).
JSON_PARAMETER = {"became-nullable", "became-not-nullable"}


def _schema_cases() -> dict[str, tuple[dict[str, Any], dict[str, Any], str, str]]:
    cases = {}
    where = {"request-parameter": "query parameter p", "request-property": "request body /p",
             "response-property": "response 200 /p"}
    for suffix, (old, new, request_level, response_level) in SCHEMA_PAIRS.items():
        for kind in SCHEMA_KINDS:
            level = response_level if kind == "response-property" else request_level
            if level is not None:
                json_parameter = suffix in JSON_PARAMETER
                cases[f"{kind}-{suffix}"] = (with_schema_at(kind, old, json_parameter=json_parameter),
                                             with_schema_at(kind, new, json_parameter=json_parameter), level,
                                             f"{where[kind]}{' ' if kind == 'request-parameter' else ''}"
                                             f"{SCHEMA_POINTERS[suffix]}" if suffix in SCHEMA_POINTERS else where[kind])
    return cases


def _param(required: bool) -> dict[str, Any]:
    return get_ledger([query("q", S, required)])


def _body(required: bool, schema: dict[str, Any] | None = None, media: str = "application/json") -> dict[str, Any]:
    return post_ledger({"required": required, "content": {media: {"schema": schema or OBJ}}})


def _request_props(props: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return _body(True, {"type": "object", "properties": props, "required": required})


def _response_props(props: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return get_ledger(responses=ok({"type": "object", "properties": props, "required": required}))


def _statuses(*codes: str) -> dict[str, Any]:
    return get_ledger(responses={code: {"description": code} for code in codes})


def _headers(headers: dict[str, Any]) -> dict[str, Any]:
    return get_ledger(responses={"200": {"description": "ok", "headers": headers}})


_TWO_OPS = document({"/ledger_accounts": {"get": {"responses": ok()}, "post": {"responses": ok(None, "201")}}})
_ONE_OP = document({"/ledger_accounts": {"get": {"responses": ok()}}})
_DEPRECATED_POST = document({"/ledger_accounts": {"get": {"responses": ok()},
                                                  "post": {"deprecated": True, "responses": ok(None, "201")}}})
_NONE = document({})
_DEPRECATED_GET = document({"/ledger_accounts": {"get": {"deprecated": True, "responses": ok()}}})

BEARER = {"type": "http", "scheme": "bearer"}
OAUTH = {"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": "/v1/auth/token", "scopes": {}}}}


def _secured(operation_security: list[Any] | None = None, document_security: list[Any] | None = None,
             schemes: dict[str, Any] | None = None) -> dict[str, Any]:
    """`GET /ledger_accounts` with the given operation-level and document-level `security`."""
    operation: dict[str, Any] = {"responses": ok()}
    if operation_security is not None:
        operation["security"] = operation_security
    doc = document({"/ledger_accounts": {"get": operation}})
    doc["components"] = {"securitySchemes": schemes or {"bearer": BEARER}}
    if document_security is not None:
        doc["security"] = document_security
    return doc


_TWO_FLOWS = {"type": "oauth2", "flows": {**OAUTH["flows"], "authorizationCode": {
    "authorizationUrl": "/authorize", "tokenUrl": "/v1/auth/token", "scopes": {}}}}

LATER, EARLIER, PAST = "2999-12-31", "2999-06-30", "2000-01-01"  # sunsets after and before any NEW date


def _lifecycle(get: dict[str, Any] | None = None, post: dict[str, Any] | None = None,
               version: str = "2024-05-25") -> dict[str, Any]:
    """`GET /ledger_accounts` (and `POST` unless None) with extra keys on each; NEW dated `version`."""
    item: dict[str, Any] = {"get": {"responses": ok(), **(get or {})}}
    if post is not None:
        item["post"] = {"responses": ok(None, "201"), **post}
    doc = document({"/ledger_accounts": item})
    doc["info"]["version"] = version
    return doc


def _param_life(**extra: Any) -> dict[str, Any]:
    return get_ledger([{**query("q", S), **extra}])


# Structural rules: id → (old, new, expected level, expected location).
STRUCTURAL_PAIRS: dict[str, tuple[dict[str, Any], dict[str, Any], str, str]] = {
    "endpoint-added": (_NONE, _ONE_OP, N, "operation"),
    "api-removed-without-deprecation": (_TWO_OPS, _ONE_OP, B, "operation"),
    "api-removed-with-deprecation": (_DEPRECATED_POST, _ONE_OP, M, "operation"),
    "api-path-removed-without-deprecation": (_ONE_OP, _NONE, B, "operation"),
    "api-path-removed-with-deprecation": (_DEPRECATED_GET, _NONE, M, "operation"),
    "endpoint-deprecated": (_ONE_OP, _lifecycle({"deprecated": True, "x-sunset": LATER}), N, "operation"),
    "api-deprecated-sunset-missing": (_ONE_OP, _DEPRECATED_GET, N, "operation"),
    "endpoint-reactivated": (_DEPRECATED_GET, _ONE_OP, N, "operation"),
    "api-sunset-date-changed-too-small": (_lifecycle({"deprecated": True, "x-sunset": LATER}),
                                          _lifecycle({"deprecated": True, "x-sunset": EARLIER}), M, "operation"),
    "api-removed-before-sunset": (_lifecycle(post={"deprecated": True, "x-sunset": LATER}), _lifecycle(),
                                  B, "operation"),
    "api-path-removed-before-sunset": (_lifecycle({"deprecated": True, "x-sunset": LATER}), _NONE, B, "operation"),
    "request-parameter-deprecated": (_param(False), _param_life(deprecated=True, **{"x-sunset": LATER}), N,
                                     "query parameter q"),
    "request-parameter-deprecated-sunset-missing": (_param(False), _param_life(deprecated=True), N,
                                                    "query parameter q"),
    "request-parameter-reactivated": (_param_life(deprecated=True), _param(False), N, "query parameter q"),
    "request-parameter-removed-before-sunset": (_param_life(deprecated=True, **{"x-sunset": LATER}), get_ledger(),
                                                M, "query parameter q"),
    "api-security-added": (_secured(), _secured([{"bearer": []}]), B, "security"),
    "api-security-removed": (_secured([{"bearer": []}]), _secured([]), N, "security"),
    "api-global-security-added": (_secured(), _secured(document_security=[{"bearer": []}]), B, "security"),
    "api-global-security-removed": (_secured(document_security=[{"bearer": []}]), _secured(), N, "security"),
    "api-security-component-type-changed": (
        _secured([{"auth": []}], schemes={"auth": BEARER}),
        _secured([{"auth": []}], schemes={"auth": {"type": "apiKey", "in": "header", "name": "X-Api-Key"}}),
        B, "security scheme auth"),
    "api-security-component-flow-changed": (
        _secured([{"auth": []}], schemes={"auth": OAUTH}),
        _secured([{"auth": []}], schemes={"auth": {"type": "oauth2", "flows": {"clientCredentials": {
            "tokenUrl": "/v2/auth/token", "scopes": {}}}}}), B, "security scheme auth"),
    "api-security-component-flow-added": (
        _secured([{"auth": []}], schemes={"auth": OAUTH}), _secured([{"auth": []}], schemes={"auth": _TWO_FLOWS}),
        N, "security scheme auth"),
    "new-required-request-parameter": (get_ledger(), _param(True), B, "query parameter q"),
    "new-optional-request-parameter": (get_ledger(), _param(False), N, "query parameter q"),
    "request-parameter-removed": (_param(False), get_ledger(), M, "query parameter q"),
    "request-parameter-became-required": (_param(False), _param(True), B, "query parameter q"),
    "request-parameter-became-optional": (_param(True), _param(False), N, "query parameter q"),
    "request-body-added-required": (post_ledger(None), _body(True), B, "request body"),
    "request-body-added-optional": (post_ledger(None), _body(False), N, "request body"),
    "request-body-removed": (_body(False), post_ledger(None), M, "request body"),
    "request-body-became-required": (_body(False), _body(True), B, "request body"),
    "request-body-became-optional": (_body(True), _body(False), N, "request body"),
    "request-body-media-type-added": (
        _body(True), post_ledger({"required": True, "content": {**json_content(OBJ), "text/csv": {}}}),
        N, "request body text/csv"),
    "request-body-media-type-removed": (
        post_ledger({"required": True, "content": {**json_content(OBJ), "text/csv": {}}}), _body(True),
        B, "request body text/csv"),
    "new-required-request-property": (_request_props({}, []), _request_props({"a": S}, ["a"]), B, "request body /a"),
    "new-optional-request-property": (_request_props({}, []), _request_props({"a": S}, []), N, "request body /a"),
    "request-property-removed": (_request_props({"a": S}, []), _request_props({}, []), M, "request body /a"),
    "request-property-became-required": (
        _request_props({"a": S}, []), _request_props({"a": S}, ["a"]), B, "request body /a"),
    "request-property-became-optional": (
        _request_props({"a": S}, ["a"]), _request_props({"a": S}, []), N, "request body /a"),
    "response-success-status-added": (_statuses("200"), _statuses("200", "202"), M, "response 202"),
    "response-success-status-removed": (_statuses("200", "202"), _statuses("200"), B, "response 202"),
    "response-non-success-status-added": (_statuses("200"), _statuses("200", "409"), N, "response 409"),
    "response-non-success-status-removed": (_statuses("200", "409"), _statuses("200"), N, "response 409"),
    "response-media-type-added": (
        get_ledger(responses=ok(OBJ)),
        get_ledger(responses={"200": {"description": "ok", "content": {**json_content(OBJ), "text/csv": {}}}}),
        N, "response 200 text/csv"),
    "response-media-type-removed": (
        get_ledger(responses={"200": {"description": "ok", "content": {**json_content(OBJ), "text/csv": {}}}}),
        get_ledger(responses=ok(OBJ)), B, "response 200 text/csv"),
    "response-header-added": (_headers({}), _headers({"Retry-After": {"schema": {"type": "integer"}}}),
                              N, "response 200 header retry-after"),
    "required-response-header-removed": (
        _headers({"X-Request-Id": {"required": True, "schema": S}}), _headers({}), B,
        "response 200 header x-request-id"),
    "optional-response-header-removed": (
        _headers({"X-Request-Id": {"schema": S}}), _headers({}), M, "response 200 header x-request-id"),
    "response-optional-property-added": (_response_props({}, []), _response_props({"a": S}, []), N, "response 200 /a"),
    "response-required-property-added": (
        _response_props({}, []), _response_props({"a": S}, ["a"]), N, "response 200 /a"),
    "response-optional-property-removed": (
        _response_props({"a": S}, []), _response_props({}, []), M, "response 200 /a"),
    "response-required-property-removed": (
        _response_props({"a": S}, ["a"]), _response_props({}, []), B, "response 200 /a"),
    "response-property-became-optional": (
        _response_props({"a": S}, ["a"]), _response_props({"a": S}, []), B, "response 200 /a"),
    "response-property-became-required": (
        _response_props({"a": S}, []), _response_props({"a": S}, ["a"]), N, "response 200 /a"),
}

PAIRS = {**_schema_cases(), **STRUCTURAL_PAIRS}


def test_every_rule_has_a_pair_and_every_pair_a_rule() -> None:
    assert sorted(set(RULES) - set(PAIRS)) == [], "rules without a minimal pair"
    assert sorted(set(PAIRS) - set(RULES)) == [], "pairs for rules the table does not have"


def test_every_rule_has_a_level_a_description_and_a_unique_id() -> None:
    for rule_id, rule in RULES.items():
        assert rule.id == rule_id
        assert rule.level in LEVELS
        assert rule.statement.strip()


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_the_minimal_pair_fires_exactly_its_rule_at_its_level(rule_id: str) -> None:
    old, new, level, where = PAIRS[rule_id]
    result = diff_documents(old, new)
    fired = [(c.rule.id, c.rule.level, c.location) for c in result.changes]
    assert fired == [(rule_id, level, where)], fired
    assert result.changes[0].observed.strip()
    assert result.changes[0].operation.split(" ", 1)[1] == "/ledger_accounts"


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_the_pair_compared_with_itself_gives_no_change(rule_id: str) -> None:
    old, new, _level, _where = PAIRS[rule_id]
    assert diff_documents(old, old).changes == []
    assert diff_documents(new, new).changes == []


def test_every_rule_is_a_documented_rule_of_the_one_rule_type_with_whose_id_it_is() -> None:
    """A diff rule judges two documents, not a target: `documented`, its severity the level."""
    for rule in RULES.values():
        assert isinstance(rule, Rule)
        assert rule.kind == "documented" and rule.level in LEVELS
        assert rule.source in (OASDIFF_SOURCE, OUR_SOURCE)


def test_a_change_is_a_finding_of_its_rule_at_its_operation_and_location() -> None:
    result = diff_documents(get_ledger([query("limit", S)]), get_ledger())
    [found] = result.changes
    assert isinstance(found, Finding) and found.rule is RULES["request-parameter-removed"]
    assert (found.operation, found.location) == ("GET /ledger_accounts", "query parameter limit")
    assert found.observed and found.expected == found.rule.statement
