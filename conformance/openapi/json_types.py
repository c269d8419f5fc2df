"""The JSON Schema type name of a value: one answer for the observed contract and the diff."""

from __future__ import annotations

from typing import Any

NULL = "null"


def json_type(value: Any) -> str:
    """"null", "boolean", "integer", "number", "string", "array" or "object" for a parsed JSON
    value; a YAML scalar JSON has no type for (a date) is a string, as it is on the wire."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else "string"
