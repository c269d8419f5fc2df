"""Issue 19, defect 1: security requirements are compared (operation and document level, and the
schemes they name). The real case: `POST /auth/token` loses its `security` requirement and later
regains it; before the fix the diff reported nothing for either pair."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from conformance.diff import diff_documents
from conformance.openapi.files import load_spec
from tests.diff.builders import document, ok

BEARER = {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
TOKEN = "POST /auth/token"


def token_endpoint(security: list[Any] | None, document_security: list[Any] | None = None,
                   schemes: dict[str, Any] | None = None) -> dict[str, Any]:
    """The token operation with the given own `security` (None: the key is absent)."""
    operation: dict[str, Any] = {"responses": ok({"type": "object"})}
    if security is not None:
        operation["security"] = security
    doc = document({"/v1/auth/token": {"post": operation}})
    doc["components"] = {"securitySchemes": schemes if schemes is not None else {"HTTPBearer": BEARER}}
    if document_security is not None:
        doc["security"] = document_security
    return doc


def fired(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return [(c.operation, c.rule.id, c.rule.level, c.location) for c in diff_documents(old, new).changes]


WITH = token_endpoint([{"HTTPBearer": []}])
WITHOUT = token_endpoint(None)


def test_the_token_endpoint_losing_its_requirement_is_non_breaking() -> None:
    assert fired(WITH, WITHOUT) == [(TOKEN, "api-security-removed", "non-breaking", "security")]


def test_the_token_endpoint_regaining_its_requirement_is_breaking() -> None:
    changes = diff_documents(WITHOUT, WITH).changes
    assert [(c.operation, c.rule.id, c.rule.level, c.location) for c in changes] == [
        (TOKEN, "api-security-added", "breaking", "security")]
    assert "`HTTPBearer`" in changes[0].observed and "no credentials" in changes[0].observed


def test_an_opt_out_of_the_document_requirement_is_a_removal_and_back_an_addition() -> None:
    inherits = token_endpoint(None, document_security=[{"HTTPBearer": []}])
    opts_out = token_endpoint([], document_security=[{"HTTPBearer": []}])
    assert fired(inherits, opts_out) == [(TOKEN, "api-global-security-removed", "non-breaking", "security")]
    assert fired(opts_out, inherits) == [(TOKEN, "api-global-security-added", "breaking", "security")]


def test_the_same_requirement_moved_between_document_and_operation_is_no_change() -> None:
    assert fired(token_endpoint(None, document_security=[{"HTTPBearer": []}]), WITH) == []
    assert fired(WITH, token_endpoint(None, document_security=[{"HTTPBearer": []}])) == []


def test_an_anonymous_alternative_makes_a_requirement_optional() -> None:
    optional = token_endpoint([{"HTTPBearer": []}, {}])
    assert fired(WITHOUT, optional) == []  # anonymous calls still work
    assert fired(optional, WITH) == [(TOKEN, "api-security-added", "breaking", "security")]


def test_another_alternative_widens_and_dropping_one_narrows() -> None:
    schemes = {"HTTPBearer": BEARER, "ApiKey": {"type": "apiKey", "in": "header", "name": "X-Api-Key"}}
    one = token_endpoint([{"HTTPBearer": []}], schemes=schemes)
    two = token_endpoint([{"HTTPBearer": []}, {"ApiKey": []}], schemes=schemes)
    assert fired(one, two) == [(TOKEN, "api-security-removed", "non-breaking", "security")]
    assert fired(two, one) == [(TOKEN, "api-security-added", "breaking", "security")]
    both = token_endpoint([{"HTTPBearer": [], "ApiKey": []}], schemes=schemes)
    assert fired(one, both) == [(TOKEN, "api-security-added", "breaking", "security")]


def test_a_scope_added_is_breaking_and_removed_is_not() -> None:
    schemes = {"OAuth": {"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": "/t", "scopes": {}}}}}
    read = token_endpoint([{"OAuth": ["read"]}], schemes=schemes)
    read_write = token_endpoint([{"OAuth": ["read", "write"]}], schemes=schemes)
    assert fired(read, read_write) == [(TOKEN, "api-security-added", "breaking", "security")]
    assert fired(read_write, read) == [(TOKEN, "api-security-removed", "non-breaking", "security")]


def test_a_renamed_scheme_with_the_same_definition_is_no_change() -> None:
    renamed = token_endpoint([{"bearerAuth": []}], schemes={"bearerAuth": {"type": "http", "scheme": "Bearer"}})
    assert fired(WITH, renamed) == []


@pytest.mark.parametrize("new_scheme", [
    {"type": "apiKey", "in": "header", "name": "Authorization"},
    {"type": "http", "scheme": "basic"},
], ids=["bearer to apiKey", "bearer to basic"])
def test_a_scheme_whose_type_changed_is_breaking(new_scheme: dict[str, Any]) -> None:
    changed = token_endpoint([{"HTTPBearer": []}], schemes={"HTTPBearer": new_scheme})
    assert fired(WITH, changed) == [(TOKEN, "api-security-component-type-changed", "breaking",
                                     "security scheme HTTPBearer")]


def test_a_scheme_nobody_in_scope_uses_is_not_reported() -> None:
    unused = token_endpoint(None, schemes={"HTTPBearer": {"type": "http", "scheme": "basic"}})
    assert fired(WITHOUT, unused) == []


def test_an_oauth_flow_removed_is_breaking() -> None:
    flows = {"clientCredentials": {"tokenUrl": "/t", "scopes": {}},
             "authorizationCode": {"authorizationUrl": "/a", "tokenUrl": "/t", "scopes": {}}}
    both = token_endpoint([{"OAuth": []}], schemes={"OAuth": {"type": "oauth2", "flows": flows}})
    one = token_endpoint([{"OAuth": []}], schemes={"OAuth": {"type": "oauth2", "flows": {
        "clientCredentials": flows["clientCredentials"]}}})
    assert fired(both, one) == [(TOKEN, "api-security-component-flow-changed", "breaking", "security scheme OAuth")]
    assert fired(one, both) == [(TOKEN, "api-security-component-flow-added", "non-breaking",
                                 "security scheme OAuth")]


def test_our_spec_with_the_token_endpoint_secured_is_one_breaking_change() -> None:
    spec = load_spec()
    secured = copy.deepcopy(spec)
    schemes = secured.setdefault("components", {}).setdefault("securitySchemes", {})
    name = next(iter(schemes), None) or "bearer"
    schemes.setdefault(name, {"type": "http", "scheme": "bearer"})
    secured["paths"]["/auth/token"]["post"]["security"] = [{name: []}]
    assert [(c.operation, c.rule.id) for c in diff_documents(spec, secured).changes] == [
        (TOKEN, "api-security-added")]
