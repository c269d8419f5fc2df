"""The documented contract and the strict one: what the docs require, and what our emulator is held to.

The spec as written requires only what Monite's docs require (issue 9: a seed marks a field
required, or the docs say so). Where the docs are silent and docs/design.md made a choice that
the emulator must honour (a field shown only in examples, always sent by the emulator), the
schema object carries the choice beside the documented keywords:

    LedgerAccount:
      required: [created_at, updated_at] # what the docs mark required
      x-assumed-constraints:
        assumption: A31                  # the choice's id in docs/design.md
        required: [id, name, ...]        # what the emulator is held to on top

`strict(document)` merges those constraints in (the union of `required` lists; any other
keyword replaces the documented one): the contract the property tests check every target
against. A deviation from the strict contract that the documented one allows touches only an
assumption (`assumption_ids`), and is an observation on a target without our control plane
(`conformance.verdict.assumptions`).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

EXTENSION = "x-assumed-constraints"


def strict(document: dict[str, Any]) -> dict[str, Any]:
    """A copy of `document` with every `x-assumed-constraints` merged into its schema object."""
    merged = copy.deepcopy(document)
    for node in _objects(merged):
        constraints = node.get(EXTENSION)
        if not isinstance(constraints, dict):
            continue
        for keyword, value in constraints.items():
            if keyword == "assumption":
                continue
            if keyword == "required":
                node["required"] = [*node.get("required", []),
                                    *(name for name in value if name not in node.get("required", []))]
            else:
                node[keyword] = copy.deepcopy(value)
    return merged


def assumption_ids(schema: Any, document: dict[str, Any]) -> list[str]:
    """The ids of the assumed constraints in `schema` and in what it references, in order met."""
    found: list[str] = []
    seen_refs: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/") and ref not in seen_refs:
                seen_refs.add(ref)
                walk(resolve_pointer(document, ref))
            constraints = node.get(EXTENSION)
            if isinstance(constraints, dict) and constraints.get("assumption") not in (None, *found):
                found.append(str(constraints["assumption"]))
            for key, value in node.items():
                if key != EXTENSION:
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
