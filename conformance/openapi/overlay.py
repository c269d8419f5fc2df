"""Apply an OpenAPI Overlay 1.0 document (https://spec.openapis.org/overlay/v1.0.0.html).

No maintained Python package applies Overlay 1.0 with RFC 9535 JSONPath (the one on PyPI,
oas-patch, uses jsonpath-ng's dialect and 1.1's array concatenation), so this module is the
small applier on top of `jsonpath-rfc9535`. It implements exactly 1.0's two modifiers:

* ``update`` on an object node: the update object is merged into it, recursively for
  properties that are objects on both sides; any other property of the update (a primitive or
  an array) *replaces* the node's property of the same name ("the properties in the merge
  object replace properties in the target object with the same name and new properties are
  appended"). ``update`` on an array node appends the update value to the array.
* ``remove: true``: each selected node is removed from the object or array that holds it
  (``update`` is then ignored, as 1.0 says).

Actions apply in order, each to the result of the previous one. 1.0 says a target selects
objects or arrays, never primitives or null: a target that selects one is an error. In strict
mode (what `conformance.openapi.versions` uses for the project's own overlays) a target that
selects nothing is an error too, so an overlay cannot silently go stale when the base
document changes.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import jsonpath_rfc9535 as jsonpath
import yaml
from jsonschema import Draft202012Validator

from conformance.openapi.files import parse_yaml

# The structure 1.0 gives an Overlay document (its "Fixed Fields" tables), as a JSON Schema.
_EXTENSIONS = {"^x-": {}}
OVERLAY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["overlay", "info", "actions"],
    "properties": {
        "overlay": {"type": "string", "pattern": r"^1\.0\.\d+$"},
        "info": {
            "type": "object",
            "required": ["title", "version"],
            "properties": {"title": {"type": "string"}, "version": {"type": "string"}},
            "patternProperties": _EXTENSIONS,
            "additionalProperties": False,
        },
        "extends": {"type": "string"},
        "actions": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["target"],
                "properties": {
                    "target": {"type": "string", "pattern": r"^\$"},
                    "description": {"type": "string"},
                    "update": {},
                    "remove": {"type": "boolean"},
                },
                "patternProperties": _EXTENSIONS,
                "additionalProperties": False,
                # Not in 1.0's tables, but an action with neither modifier does nothing: a mistake.
                "anyOf": [{"required": ["update"]}, {"required": ["remove"], "properties": {"remove": {"const": True}}}],
            },
        },
    },
    "patternProperties": _EXTENSIONS,
    "additionalProperties": False,
}
_VALIDATOR = Draft202012Validator(OVERLAY_SCHEMA)


class OverlayError(ValueError):
    """An overlay that is not a valid Overlay 1.0 document, or that cannot apply to the document."""


def load_overlay(path: Path) -> dict[str, Any]:
    """Read and validate an overlay file (YAML or JSON); errors name the file and the place."""
    try:
        overlay = parse_yaml(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise OverlayError(f"{path}: cannot read the overlay ({exc.strerror or exc})") from None
    except yaml.YAMLError as exc:
        raise OverlayError(f"{path}: not YAML/JSON ({_first_line(str(exc))})") from None
    validate_overlay(overlay, source=str(path))
    return overlay


def validate_overlay(overlay: Any, source: str = "overlay") -> None:
    """Raise OverlayError for the first structural problem, and for a target that is not JSONPath."""
    # The most telling error first: the "needs update or remove" catch-all only when nothing else is wrong.
    errors = sorted(_VALIDATOR.iter_errors(overlay),
                    key=lambda e: (e.validator == "anyOf", len(e.absolute_path), list(map(str, e.absolute_path))))
    if errors:
        error = errors[0]
        message = error.message
        if error.validator == "anyOf":
            message = "an action needs `update` or `remove: true`"
        elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = list(error.schema.get("properties", {}))
            unknown = [key for key in error.instance if key not in allowed and not str(key).startswith("x-")]
            message = (f"unknown field {', '.join(map(repr, unknown))}; Overlay 1.0 allows "
                       f"{', '.join(allowed)} and x- extensions here")
        raise OverlayError(f"{source}: {_where(error.absolute_path)}: {message}")
    for index, action in enumerate(overlay["actions"]):
        try:
            jsonpath.compile(action["target"])
        except jsonpath.JSONPathError as exc:
            raise OverlayError(f"{source}: actions[{index}].target {action['target']!r} is not RFC 9535 "
                               f"JSONPath: {_first_line(str(exc))}") from None


def apply_overlay(document: dict[str, Any], overlay: dict[str, Any], *, strict: bool = False,
                  source: str = "overlay") -> dict[str, Any]:
    """A new document: `document` (left untouched) with the overlay's actions applied in order."""
    validate_overlay(overlay, source)
    result = copy.deepcopy(document)
    for index, action in enumerate(overlay["actions"]):
        where = f"{source}: actions[{index}] ({action['target']})"
        nodes = list(jsonpath.find(action["target"], result))
        if not nodes and strict:
            raise OverlayError(f"{where}: the target selects nothing in the document")
        for node in nodes:
            if not isinstance(node.value, dict | list):
                raise OverlayError(f"{where}: the target selects a {type(node.value).__name__} at "
                                   f"{node.path()}; Overlay 1.0 targets select objects or arrays only")
        if action.get("remove", False):
            _remove(result, [node.location for node in nodes], where)
        else:
            for node in nodes:
                _update(node.value, action["update"], where)
    return result


def _update(target: dict[str, Any] | list[Any], update: Any, where: str) -> None:
    if isinstance(target, list):
        target.append(copy.deepcopy(update))
        return
    if not isinstance(update, dict):
        raise OverlayError(f"{where}: the target is an object, so `update` must be an object")
    _merge(target, update)


def _merge(target: dict[str, Any], update: dict[str, Any]) -> None:
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


def _remove(document: dict[str, Any], locations: list[tuple[str | int, ...]], where: str) -> None:
    """Remove every selected node; array items go highest index first so the others stay put."""
    if any(not location for location in locations):
        raise OverlayError(f"{where}: the document root cannot be removed")
    from_arrays: dict[int, tuple[list[Any], list[int]]] = {}
    for location in locations:
        parent: Any = document
        for key in location[:-1]:
            parent = parent[key]
        key = location[-1]
        if isinstance(parent, list):
            from_arrays.setdefault(id(parent), (parent, []))[1].append(int(key))
        else:
            parent.pop(key, None)
    for array, indexes in from_arrays.values():
        for index in sorted(set(indexes), reverse=True):
            del array[index]


def _where(path: Any) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(document)"


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "error"
