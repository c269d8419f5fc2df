"""The documented contract and the strict one: what the docs require, and what our emulator is held to.

The spec as written requires only what Monite's docs require (a seed marks a field required,
Monite's published OpenAPI document does, or another docs page says so). Where the docs are
silent and docs/design.md made a choice that the emulator must honour (a field shown only in
examples, always sent by the emulator), the schema object carries the choice beside the
documented keywords:

    LedgerAccount:
      required: [id, is_bank_account, ...]  # what the docs mark required
      x-assumed-constraints:
        assumption: A31                     # the choice's id in docs/design.md
        required: [currency, ...]           # what the emulator is held to on top

Where two docs pages *disagree* (the published document requires a field, another page
leaves it out), the field is neither documented nor an assumption: it is a probe, written
with both sources, so that an observation about it can name them:

      x-disputed-constraints:
        probe: D2                           # the disagreement's id in docs/design.md
        sources: ["published OpenAPI ...: required", "docs: ...: optional"]
        required: [name]

`strict(document)` merges both extensions in (the union of `required` lists; any other
keyword replaces the documented one): the contract the property tests check every target
against; our emulator takes the published side of every disagreement. A deviation from the
strict contract that the documented one allows touches only an assumption or a disagreement
(`constraint_ids`), and is an observation on a target without our control plane
(`conformance.verdict.assumptions`).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

EXTENSION = "x-assumed-constraints"
DISPUTED = "x-disputed-constraints"
EXTENSIONS = (EXTENSION, DISPUTED)
_LABELS = {"assumption", "probe", "sources"}


def strict(document: dict[str, Any]) -> dict[str, Any]:
    """A copy of `document` with every assumed and disputed constraint merged into its schema object."""
    merged = copy.deepcopy(document)
    for node in _objects(merged):
        for extension in EXTENSIONS:
            constraints = node.get(extension)
            if not isinstance(constraints, dict):
                continue
            for keyword, value in constraints.items():
                if keyword in _LABELS:
                    continue
                if keyword == "required":
                    node["required"] = [*node.get("required", []),
                                        *(name for name in value if name not in node.get("required", []))]
                else:
                    node[keyword] = copy.deepcopy(value)
    return merged


def constraint_label(constraints: Any) -> str | None:
    """The id an extension's value names: an assumption ("A31") or a disagreement ("D2")."""
    if not isinstance(constraints, dict):
        return None
    label = constraints.get("assumption") or constraints.get("probe")
    return str(label) if label else None


def assumption_ids(schema: Any, document: dict[str, Any]) -> list[str]:
    """The ids of the assumed and disputed constraints in `schema` and what it references, in order met."""
    found: list[str] = []
    seen_refs: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/") and ref not in seen_refs:
                seen_refs.add(ref)
                walk(resolve_pointer(document, ref))
            for extension in EXTENSIONS:
                label = constraint_label(node.get(extension))
                if label is not None and label not in found:
                    found.append(label)
            for key, value in node.items():
                if key not in EXTENSIONS:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(schema)
    return found


def resolve_pointer(document: dict[str, Any], ref: str) -> Any:
    """The node a local `$ref` ("#/components/schemas/X") names."""
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _objects(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _objects(value)
    elif isinstance(node, list):
        for item in node:
            yield from _objects(item)
