"""Timestamps in response bodies are UTC ISO 8601 with an offset (docs: reference/base-concepts)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from functools import lru_cache
from typing import Any

import schemathesis
from schemathesis import Case, CheckContext, Response

from conformance.checks import catalogue
from conformance.checks.wire import NO_BODY, json_body
from conformance.openapi.files import load_spec

# YYYY-MM-DDThh:mm:ss[.ffffff] followed by Z or ±hh:mm (the docs' format; up to six fraction digits).
ISO_8601_WITH_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$")
UTC_OFFSETS = frozenset({"Z", "+00:00", "-00:00"})


def timestamp_problem(value: str) -> str | None:
    """Why `value` is not a UTC ISO 8601 timestamp, or None when it is one."""
    match = ISO_8601_WITH_OFFSET.match(value)
    if match is None:
        return "not YYYY-MM-DDThh:mm:ss[.ffffff] followed by Z or ±hh:mm"
    if match.group(1) not in UTC_OFFSETS:
        return f"offset {match.group(1)} is not UTC"
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return "not a valid calendar date and time"
    return None


def _is_timestamp_schema(schema: Any, components: dict[str, Any]) -> bool:
    if not isinstance(schema, dict):
        return False
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        return _is_timestamp_schema(components.get(ref.rsplit("/", 1)[-1]), components)
    return schema.get("format") == "date-time"


@lru_cache(maxsize=1)
def timestamp_fields() -> frozenset[str]:
    """Names of the properties the spec declares as date-time, in any response or request schema."""
    spec = load_spec()
    components = spec.get("components", {}).get("schemas", {})
    names: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            properties = node.get("properties")
            if isinstance(properties, dict):
                names.update(name for name, sub in properties.items() if _is_timestamp_schema(sub, components))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(components)
    return frozenset(names)


def _timestamps(node: Any, fields: frozenset[str], path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            where = f"{path}.{key}" if path else str(key)
            if key in fields and value is not None:
                yield where, value
            else:
                yield from _timestamps(value, fields, where)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _timestamps(value, fields, f"{path}[{index}]")


@schemathesis.check
def monite_timestamps_utc(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Every date-time field of the body is UTC ISO 8601 with an offset."""
    body = json_body(response)
    if body is NO_BODY:
        return True
    for where, value in _timestamps(body, timestamp_fields()):
        problem = timestamp_problem(value) if isinstance(value, str) else "not a string"
        if problem is not None:
            raise catalogue.TIMESTAMPS_UTC.violated(f"{where} = {value!r}: {problem}")
    return None
