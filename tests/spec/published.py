"""How much of Monite's published OpenAPI document the spec encodes, and every difference.

Monite publishes its own OpenAPI document (facts: "Environments, paths, versions"); the
accounting part of one copy (2025-08-29, API version 2024-05-25) is in
`../shared/docs/published-openapi/` when the project sits in its workplace, never in a
user's clone. Both documents are read as *items*, the atomic statements a document makes about
the operations both cover (the published document's paths):

    GET /ledger_accounts/{} | response 200 /data/items/name | required      -> True
    GET /ledger_accounts/{} | path parameter ledger_account_id | format     -> "uuid"

(an operation; a parameter, whether it is required, and its schema's type, format, enum,
default and bounds; a request body; a response status; every property of a body, whether it
is required, and its type, format, enum, bounds; null allowed). Schemas are compared in the
canonical form of `conformance.diff.normalize` (refs resolved, allOf merged, null spelled
one way, `x-` extensions ignored): the spec's *documented* contract, without what only the
emulator is held to (`x-assumed-constraints`) or what the docs disagree on
(`x-disputed-constraints`).

A published item the spec states the same is *encoded*; every other item of either document
is a *difference*, which `spec/published-differences.yaml` must list with its reason
(`tests/spec/test_published.py`). `python -m tests.spec.published` prints the figures.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from conformance.diff.normalize import MISSING, Document
from conformance.diff.select import DEFAULT_PATHS, path_key, select_operations
from conformance.openapi.files import load_spec

REPO = Path(__file__).parents[2]
PUBLISHED_DIR = Path(os.environ.get("MONITE_PUBLISHED_OPENAPI", REPO.parent / "shared" / "docs" / "published-openapi"))
DIFFERENCES = REPO / "spec" / "published-differences.yaml"
DESIGN = REPO / "docs" / "design.md"
_BOUNDS = ("minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems")
_DEPTH = 8


def published_document() -> tuple[Path, dict[str, Any]] | None:
    """The published document's copy (the newest file of the folder), or None when absent."""
    if not PUBLISHED_DIR.is_dir():
        return None
    files = sorted(PUBLISHED_DIR.glob("*.json"))
    if not files:
        return None
    return files[-1], json.loads(files[-1].read_text(encoding="utf-8"))


def items(doc: dict[str, Any], only: set[tuple[str, str]] | None = None) -> dict[str, Any]:
    """Every item `doc` states about its accounting operations (those keyed in `only`, if given)."""
    document = Document(doc)
    found: dict[str, Any] = {}
    for key, operation in select_operations(document, DEFAULT_PATHS).items():
        if only is not None and key not in only:
            continue
        op = f"{operation.method.upper()} {key[1]}"
        found[f"{op} | operation | present"] = True
        for parameter in operation.parameters:
            where = f"{parameter['in']} parameter {parameter['name'].lower() if parameter['in'] == 'header' else parameter['name']}"
            found[f"{op} | {where} | present"] = True
            found[f"{op} | {where} | required"] = parameter.get("required") is True
            if isinstance(parameter.get("schema"), dict):
                _schema(document, parameter["schema"], op, where, found, 0)
        body = document.deref(operation.raw.get("requestBody"))
        if body:
            found[f"{op} | request body | present"] = True
            found[f"{op} | request body | required"] = body.get("required") is True
            schema = (body.get("content") or {}).get("application/json", {}).get("schema")
            if isinstance(schema, dict):
                _schema(document, schema, op, "request body", found, 0)
        for status, raw in sorted((operation.raw.get("responses") or {}).items()):
            response = document.deref(raw)
            where = f"response {status}"
            found[f"{op} | {where} | present"] = True
            for header in sorted(response.get("headers") or {}):
                found[f"{op} | {where} header {header.lower()} | present"] = True
            schema = (response.get("content") or {}).get("application/json", {}).get("schema")
            if isinstance(schema, dict):
                _schema(document, schema, op, where, found, 0)
    return found


def _schema(document: Document, raw: dict[str, Any], op: str, where: str, found: dict[str, Any], depth: int) -> None:
    canon = document.canon(raw)
    if canon.union:
        found.update(_union(document, canon.union, op, where, depth))
        return
    at = f"{op} | {where}"
    if canon.types is not None:
        found[f"{at} | type"] = sorted(canon.types)
    if canon.nullable:
        found[f"{at} | nullable"] = True
    if canon.format:
        found[f"{at} | format"] = canon.format
    if canon.enum is not None:
        found[f"{at} | enum"] = sorted(str(value) for value in canon.enum)
    if canon.default is not MISSING:
        found[f"{at} | default"] = canon.default
    if canon.pattern:
        found[f"{at} | pattern"] = canon.pattern
    for bound in _BOUNDS:
        if canon.bound(bound) is not None:
            found[f"{at} | {bound}"] = float(canon.bound(bound))
    if depth >= _DEPTH:
        return
    for name in sorted(canon.properties):
        child = f"{where} /{name}" if "/" not in where.split(" ")[-1] else f"{where}/{name}"
        found[f"{op} | {child} | present"] = True
        if name in canon.required:
            found[f"{op} | {child} | required"] = True
        if isinstance(canon.properties[name], dict):
            _schema(document, canon.properties[name], op, child, found, depth + 1)
    if isinstance(canon.items, dict):
        child = f"{where} /items" if "/" not in where.split(" ")[-1] else f"{where}/items"
        _schema(document, canon.items, op, child, found, depth + 1)


def _union(document: Document, branches: tuple[Any, ...], op: str, where: str, depth: int) -> dict[str, Any]:
    """A oneOf/anyOf (the token request by grant_type) read as one schema: what any branch has,
    required only where every branch requires it, the enum values of all branches."""
    each: list[dict[str, Any]] = []
    for branch in branches:
        found: dict[str, Any] = {}
        if isinstance(branch, dict):
            _schema(document, branch, op, where, found, depth)
        each.append(found)
    merged: dict[str, Any] = {}
    for key in sorted({key for found in each for key in found}):
        values = [found[key] for found in each if key in found]
        if key.endswith("| required") and len(values) < len(each):
            continue
        merged[key] = sorted({v for value in values for v in value}) if key.endswith("| enum") else values[0]
    return merged


@dataclass(frozen=True)
class Difference:
    item: str
    published: Any  # MISSING when the published document does not state the item
    spec: Any  # MISSING when the spec does not state it

    def describe(self) -> str:
        def shown(value: Any) -> str:
            return "(not stated)" if value is MISSING else json.dumps(value)

        return f"{self.item}: published {shown(self.published)}, spec {shown(self.spec)}"


@dataclass(frozen=True)
class Listed:
    """One entry of spec/published-differences.yaml: which differences it explains, and why."""

    match: tuple[str, ...]  # fnmatch patterns on the item id
    side: str  # "published" (the spec lacks or changes a published item), "spec" (the spec adds one), "both"
    reason: str
    disagreement: str | None  # D<n> of docs/design.md when two docs pages disagree

    def explains(self, difference: Difference) -> bool:
        if not any(fnmatch.fnmatchcase(difference.item, pattern) for pattern in self.match):
            return False
        if self.side == "published":
            return difference.published is not MISSING
        if self.side == "spec":
            return difference.published is MISSING
        return True


@dataclass
class Comparison:
    published: dict[str, Any]
    spec: dict[str, Any]
    differences: list[Difference]

    @property
    def encoded(self) -> list[str]:
        return [item for item, value in self.published.items() if self.spec.get(item, MISSING) == value]

    def share(self) -> float:
        return len(self.encoded) / len(self.published) if self.published else 0.0


def compare(published: dict[str, Any], spec: dict[str, Any]) -> Comparison:
    """Both documents' items for the operations the published document has, side by side."""
    scope = set(select_operations(Document(published), DEFAULT_PATHS))
    mine, theirs = items(spec, scope), items(published, scope)
    differences = [Difference(item, theirs.get(item, MISSING), mine.get(item, MISSING))
                   for item in sorted(set(mine) | set(theirs)) if theirs.get(item, MISSING) != mine.get(item, MISSING)]
    return Comparison(theirs, mine, differences)


def listed_differences(path: Path = DIFFERENCES) -> list[Listed]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Listed((entry["match"],) if isinstance(entry["match"], str) else tuple(entry["match"]),
                   entry.get("side", "both"), entry["reason"], entry.get("disagreement"))
            for entry in data["differences"]]


def unexplained(comparison: Comparison, listed: list[Listed]) -> list[Difference]:
    return [difference for difference in comparison.differences
            if not any(entry.explains(difference) for entry in listed)]


def design_disagreements() -> dict[str, str]:
    """The docs disagreements docs/design.md records: id -> its row."""
    text = DESIGN.read_text(encoding="utf-8")
    section = text.split("## Monite's published document", 1)[1].split("\n## ", 1)[0]
    return {m.group(1): m.group(0) for m in re.finditer(r"^\|\s*(D\d+)\s*\|.*$", section, re.M)}


def main() -> int:
    found = published_document()
    if found is None:
        print(f"no published document in {PUBLISHED_DIR}: nothing to compare")
        return 0
    path, published = found
    comparison = compare(published, load_spec())
    listed = listed_differences()
    left = unexplained(comparison, listed)
    contradicted = [d for d in comparison.differences if d.published is not MISSING]
    disagreements = sorted(design_disagreements(), key=lambda d: int(d[1:]))
    print(f"published document: {path.name}")
    print(f"published items encoded: {len(comparison.encoded)}/{len(comparison.published)} "
          f"({100 * comparison.share():.1f}%)")
    print(f"published items stated otherwise or not at all: {len(contradicted)}, each listed with its reason: "
          f"{sum(1 for d in contradicted if d not in left)}")
    print(f"items only the spec states: {sum(1 for d in comparison.differences if d.published is MISSING)}")
    print(f"docs disagreements recorded in docs/design.md (probes): {len(disagreements)} ({', '.join(disagreements)})")
    print(f"unexplained differences: {len(left)}")
    for difference in left:
        print(f"  {difference.describe()}")
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())
