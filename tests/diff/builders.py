"""Small OpenAPI documents for the diff tests: one operation, one schema in one place."""

from __future__ import annotations

import copy
from typing import Any

OK_JSON = "application/json"


def document(paths: dict[str, Any], schemas: dict[str, Any] | None = None, openapi: str = "3.1.0") -> dict[str, Any]:
    doc: dict[str, Any] = {"openapi": openapi, "info": {"title": "t", "version": "1"}, "paths": paths}
    if schemas:
        doc["components"] = {"schemas": schemas}
    return doc


def json_content(schema: Any) -> dict[str, Any]:
    return {OK_JSON: {"schema": schema}}


def ok(schema: Any | None = None, status: str = "200") -> dict[str, Any]:
    """A `responses` object with one status (and a JSON body when `schema` is given)."""
    response: dict[str, Any] = {"description": "ok"}
    if schema is not None:
        response["content"] = json_content(schema)
    return {status: response}


def get_ledger(parameters: list[dict[str, Any]] | None = None, responses: dict[str, Any] | None = None,
               **extra: Any) -> dict[str, Any]:
    """A document with `GET /ledger_accounts` only."""
    operation: dict[str, Any] = {"responses": responses if responses is not None else ok({"type": "object"})}
    if parameters:
        operation["parameters"] = parameters
    operation.update(extra)
    return document({"/ledger_accounts": {"get": operation}})


def post_ledger(body: dict[str, Any] | None, responses: dict[str, Any] | None = None) -> dict[str, Any]:
    """A document with `POST /ledger_accounts` and the given requestBody object (None: no body)."""
    operation: dict[str, Any] = {"responses": responses if responses is not None else ok(None, "201")}
    if body is not None:
        operation["requestBody"] = body
    return document({"/ledger_accounts": {"post": operation}})


def query(name: str, schema: dict[str, Any], required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": schema}


def json_query(name: str, schema: dict[str, Any], required: bool = False) -> dict[str, Any]:
    """A query parameter whose value is a JSON document (`content`): the one kind that can carry null."""
    return {"name": name, "in": "query", "required": required, "content": json_content(schema)}


def with_schema_at(kind: str, schema: dict[str, Any], required: bool = False,
                   json_parameter: bool = False) -> dict[str, Any]:
    """A document whose only difference-bearing spot is property/parameter `p` holding `schema`.

    kind: `request-parameter` (query parameter p; `json_parameter`: one with a JSON `content`),
    `request-property` (JSON body property p), `response-property` (property p of the 200 body).
    """
    schema = copy.deepcopy(schema)
    wrapper = {"type": "object", "properties": {"p": schema}, **({"required": ["p"]} if required else {})}
    if kind == "request-parameter":
        return get_ledger([(json_query if json_parameter else query)("p", schema, required)])
    if kind == "request-property":
        return post_ledger({"required": True, "content": json_content(wrapper)})
    if kind == "response-property":
        return get_ledger(responses=ok(wrapper))
    raise ValueError(kind)
