"""Validate a SARIF log against the official SARIF 2.1.0 JSON schema (vendored: NOTICE.md)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

SCHEMA_FILE = Path(__file__).with_name("sarif-schema-2.1.0.json")


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def schema_errors(log: Any) -> list[str]:
    """Every way `log` breaks the schema ("" path for the root), sorted."""
    return sorted(f"/{'/'.join(map(str, error.absolute_path))}: {error.message}"
                  for error in _validator().iter_errors(log))


def load_valid(path: Path) -> dict[str, Any]:
    """The SARIF file at `path`, asserted valid."""
    log = json.loads(path.read_text(encoding="utf-8"))
    errors = schema_errors(log)
    assert not errors, f"{path} is not valid SARIF 2.1.0:\n" + "\n".join(errors[:20])
    return log


def results(log: dict[str, Any], level: str | None = None) -> list[dict[str, Any]]:
    return [item for item in log["runs"][0]["results"] if level is None or item["level"] == level]


def place(result: dict[str, Any]) -> tuple[str, int]:
    """(uri, line) of a result's first location."""
    physical = result["locations"][0]["physicalLocation"]
    return physical["artifactLocation"]["uri"], physical["region"]["startLine"]
