"""One schema in canonical form, so that equal contracts written differently compare equal.

Folded here (generator noise and spelling, never a contract change):
- `$ref` resolved (local `#/...` pointers; a ref loop resolves to "any" instead of recursing);
- `allOf` merged (types intersected, properties and `required` united, bounds tightened);
- null spelled four ways — `nullable: true` (3.0), `type: [X, "null"]`, `anyOf`/`oneOf` with a
  `{type: null}` branch, `null` in an `enum` — becomes one flag;
- a missing `type` inferred from `enum`/`const` values, `properties` or `items` (an enum schema
  losing and regaining `type: string`);
- `additionalProperties: true/false` ignored (FastAPI-style generators toggle it);
- numbers compared by value (`number`): `1` is `1.0`, and `9223372036854776000` is
  `9.223372036854776e+18` (bounds, enum members, defaults, `const`, `multipleOf` ...);
- descriptions, titles, summaries, examples, `x-` extensions, `deprecated`, `discriminator`,
  `xml`, `externalDocs` ignored; key order never matters. `readOnly`/`writeOnly` are kept as
  flags: a read-only property is not part of a request, a write-only one not of a response.

Sub-schemas (properties, items, union branches) stay raw: they are canonicalised when the
comparison reaches them, which is what makes recursive schemas safe (see `schemas.py`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import unquote

from conformance.diff.errors import DocumentError
from conformance.openapi.json_types import json_type

MERGED = "x-conformance-merged"  # marks an allOf this module synthesised (for cycle identities)
JSON_TYPES = frozenset({"string", "number", "integer", "boolean", "array", "object"})
_BOUNDS = ("minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems")
_UPPER = frozenset({"maximum", "maxLength", "maxItems", "maxProperties"})
_BOUNDS_SET = frozenset(_BOUNDS)
_NO_PROPERTIES: dict[str, Any] = {}
_NONE: frozenset[str] = frozenset()
_OTHER_KEYWORDS = ("const", "multipleOf", "exclusiveMinimum", "exclusiveMaximum", "uniqueItems",
                   "minProperties", "maxProperties", "not", "prefixItems", "patternProperties")
_OTHER_SET = frozenset(_OTHER_KEYWORDS)


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


@dataclass(slots=True)
class Canon:
    """A schema's meaning for comparison. `types` None means any type. Treat as immutable."""

    types: frozenset[str] | None = None
    nullable: bool = False
    format: str | None = None
    enum: tuple[Any, ...] | None = None
    default: Any = MISSING
    pattern: str | None = None
    bounds: dict[str, Any] = field(default_factory=dict)
    other: tuple[tuple[str, str], ...] = ()  # keyword → canonical JSON of its value
    properties: dict[str, Any] = field(default_factory=dict)
    required: frozenset[str] = frozenset()
    items: Any = None
    additional: Any = None
    union: tuple[Any, ...] = ()  # non-null anyOf/oneOf branches, when more than one
    union_keyword: str = ""
    external_ref: str | None = None
    read_only: bool = False  # not part of requests
    write_only: bool = False  # not part of responses

    def bound(self, name: str) -> Any:
        return self.bounds.get(name)


ANY = Canon()


_EXACT = 2 ** 53  # integers up to here are exact as doubles; beyond it a JSON number is a double


def number(value: int | float) -> int | float:
    """A JSON number by value: `1` and `1.0` are one number, and so are `9223372036854776000` and
    `9.223372036854776e+18` (one generator writes the double 2**63 as an integer, another as a
    float). Integers within ±2**53 stay exact; beyond that both spellings become the double they
    denote; a float with an integral value within the exact range becomes that integer."""
    if isinstance(value, int):
        if -_EXACT <= value <= _EXACT:
            return value
        try:
            value = float(value)
        except OverflowError:
            return value  # beyond any double: keep the exact integer
    if value.is_integer() and -_EXACT <= value <= _EXACT:
        return int(value)
    return value


def _numbers_by_value(value: Any) -> Any:
    """`value` with every number in it (nested too) replaced by `number(...)`."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return number(value)
    if isinstance(value, dict):
        return {str(key): _numbers_by_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_numbers_by_value(item) for item in value]
    return value


def json_key(value: Any) -> Any:
    """A hashable canonical key of a JSON value (enum members may be objects or lists; 1 is not
    true, but 1 is 1.0: numbers compare by value, see `number`)."""
    if isinstance(value, str):
        return value
    if value is None or isinstance(value, bool):
        return (type(value).__name__, value)
    if isinstance(value, (int, float)):
        return ("number", number(value))
    return json.dumps(_numbers_by_value(value), sort_keys=True, separators=(",", ":"), default=str)


def same_json(a: Any, b: Any) -> bool:
    """Whether two JSON values are the same value (`MISSING` only equals itself)."""
    if a is b:
        return True
    if a is MISSING or b is MISSING:
        return False
    return json_key(a) == json_key(b)


class Document:
    """One OpenAPI document: `$ref` lookup and canonical schemas, cached per schema object."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self._cache: dict[int, tuple[Any, Canon]] = {}

    # -- references ---------------------------------------------------------------------------
    def lookup(self, ref: str) -> Any:
        """The object a local `$ref` points at; DocumentError when it dangles."""
        if not ref.startswith("#"):
            raise DocumentError(f"external $ref {ref!r} is not supported")
        target: Any = self.doc
        for part in ref[1:].split("/")[1:] if ref != "#" else []:
            part = unquote(part).replace("~1", "/").replace("~0", "~")
            if isinstance(target, dict) and part in target:
                target = target[part]
            elif isinstance(target, list) and part.isdigit() and int(part) < len(target):
                target = target[int(part)]
            else:
                raise DocumentError(f"$ref {ref!r} points at nothing")
        return target

    def deref(self, obj: Any, limit: int = 32) -> Any:
        """Follow `$ref` on a non-schema object (parameter, response, body, header, path item)."""
        seen = 0
        while isinstance(obj, dict) and isinstance(obj.get("$ref"), str):
            obj = self.lookup(obj["$ref"])
            seen += 1
            if seen > limit:
                raise DocumentError("a $ref loop that never reaches an object")
        return obj if isinstance(obj, dict) else {}

    # -- schemas ------------------------------------------------------------------------------
    def canon(self, raw: Any) -> Canon:
        """The canonical form of a raw schema (cached by object identity; the raw is kept alive)."""
        if not isinstance(raw, dict):
            return ANY  # `true`, `{}`-like or malformed: anything
        return self._canon(raw, ())

    def _canon(self, raw: Any, expanding: tuple[str, ...]) -> Canon:
        if not isinstance(raw, dict):
            return ANY
        hit = self._cache.get(id(raw))
        if hit is not None and hit[0] is raw:
            return hit[1]
        result = self._compute(raw, expanding)
        self._cache[id(raw)] = (raw, result)
        return result

    def _compute(self, raw: dict[str, Any], expanding: tuple[str, ...]) -> Canon:
        ref = raw.get("$ref")
        if isinstance(ref, str):
            if not ref.startswith("#"):
                return Canon(external_ref=ref)
            if ref in expanding:
                return ANY  # `A: {allOf: [$ref A]}` and the like: stop, the rest is merged already
            target = self._canon(self.lookup(ref), (*expanding, ref))
            siblings = {k: v for k, v in raw.items() if k != "$ref"}
            if not siblings:
                return target
            own = self._canon(siblings, expanding)  # 3.1 allows keywords next to $ref
            return replace(_merge(target, own, allof_outer=False), nullable=target.nullable or own.nullable)
        own = self._own(raw)
        members = [self._canon(member, expanding) for member in raw.get("allOf") or () if isinstance(member, dict)]
        result = own
        if members:
            merged = members[0]
            for member in members[1:]:
                merged = _merge(merged, member, allof_outer=False)
            nullable = own.nullable or all(member.nullable for member in members)
            result = replace(_merge(own, merged, allof_outer=True), nullable=nullable)
        for keyword in ("anyOf", "oneOf"):
            branches = raw.get(keyword)
            if isinstance(branches, list) and branches:
                result = self._union(result, keyword, branches, expanding)
        return _infer_type(result)

    def _union(self, base: Canon, keyword: str, branches: list[Any], expanding: tuple[str, ...]) -> Canon:
        """anyOf/oneOf: null branches become the nullable flag; a single other branch is merged in."""
        rest, nullable = [], base.nullable
        for branch in branches:
            canon = self._canon(branch, expanding)
            if canon.types == frozenset() and canon.nullable:
                nullable = True
            else:
                rest.append(branch)
        if len(rest) == 1:
            branch = self._canon(rest[0], expanding)
            return replace(_merge(base, branch, allof_outer=True), nullable=nullable or branch.nullable)
        if not rest:
            return replace(base, nullable=True, types=frozenset() if base.types is None else base.types)
        return replace(base, nullable=nullable, union=tuple(rest), union_keyword=keyword)

    def _own(self, raw: dict[str, Any]) -> Canon:
        """The keywords of this schema object itself (no allOf/anyOf/oneOf, no $ref)."""
        get = raw.get
        types: frozenset[str] | None = None
        nullable = get("nullable") is True
        declared = get("type")
        if isinstance(declared, str):
            declared = [declared]
        if isinstance(declared, list):
            names = {name for name in declared if isinstance(name, str)}
            nullable = nullable or "null" in names
            types = frozenset(names & JSON_TYPES)
            if not types and "null" not in names:
                types = None  # unknown type names: treat as any
        enum = None
        values = get("enum")
        if isinstance(values, list):
            if None in values:
                nullable = True
            seen: dict[Any, Any] = {}
            for value in values:
                if value is not None:
                    seen.setdefault(json_key(value), value)
            enum = tuple(seen.values())
            if not enum and types is None:
                types = frozenset()
        bounds = {name: number(raw[name]) for name in _BOUNDS_SET.intersection(raw)
                  if isinstance(raw[name], (int, float)) and not isinstance(raw[name], bool)}
        other = tuple((name, str(json_key(raw[name]))) for name in _OTHER_KEYWORDS if name in raw) \
            if not _OTHER_SET.isdisjoint(raw) else ()
        properties = get("properties")
        required = get("required")
        items = get("items")
        additional = get("additionalProperties")
        if not isinstance(additional, dict) or not _meaningful(additional):
            additional = None
        fmt, pattern = get("format"), get("pattern")
        return Canon(
            types=types, nullable=nullable, format=fmt if isinstance(fmt, str) else None,
            enum=enum, default=get("default", MISSING), pattern=pattern if isinstance(pattern, str) else None,
            bounds=bounds, other=other,
            properties=properties if isinstance(properties, dict) else _NO_PROPERTIES,  # read, never written
            required=frozenset(n for n in required if isinstance(n, str)) if isinstance(required, list) else _NONE,
            items=items if isinstance(items, dict) else None, additional=additional,
            read_only=get("readOnly") is True, write_only=get("writeOnly") is True,
        )


_NOISE = frozenset({"description", "title", "summary", "example", "examples", "deprecated", "readOnly",
                    "writeOnly", "discriminator", "xml", "externalDocs", "$comment", "$schema", "$id",
                    "$anchor", "$defs", "definitions", "contentMediaType", "contentEncoding", "nullable"})


def _meaningful(schema: dict[str, Any]) -> bool:
    """False for a schema that allows anything (`{}`, or only noise keys)."""
    return any(not key.startswith("x-") and key not in _NOISE for key in schema)


def _merge(a: Canon, b: Canon, allof_outer: bool) -> Canon:
    """Both schemas at once (allOf): types intersected, properties united, bounds tightened."""
    if a == ANY:
        return b
    if b == ANY:
        return a
    types = _intersect(a.types, b.types)
    properties = dict(a.properties)
    for name, schema in b.properties.items():
        if name in properties and properties[name] is not schema:
            properties[name] = {"allOf": [properties[name], schema], MERGED: True}
        else:
            properties[name] = schema
    if a.items is not None and b.items is not None and a.items is not b.items:
        items: Any = {"allOf": [a.items, b.items], MERGED: True}
    else:
        items = a.items if a.items is not None else b.items
    bounds = dict(a.bounds)
    for name, value in b.bounds.items():
        if name in bounds:
            bounds[name] = min(bounds[name], value) if name in _UPPER else max(bounds[name], value)
        else:
            bounds[name] = value
    if a.enum is not None and b.enum is not None:
        keys = {json_key(value) for value in b.enum}
        enum: tuple[Any, ...] | None = tuple(value for value in a.enum if json_key(value) in keys)
    else:
        enum = a.enum if a.enum is not None else b.enum
    return Canon(
        types=types,
        nullable=a.nullable and b.nullable if not allof_outer else a.nullable,
        format=a.format or b.format,
        enum=enum,
        default=b.default if b.default is not MISSING else a.default,
        pattern=a.pattern or b.pattern,
        bounds=bounds,
        other=tuple(sorted({**dict(b.other), **dict(a.other)}.items())),
        properties=properties,
        required=a.required | b.required,
        items=items,
        additional=a.additional if a.additional is not None else b.additional,
        union=a.union or b.union,
        union_keyword=a.union_keyword or b.union_keyword,
        external_ref=a.external_ref or b.external_ref,
        read_only=a.read_only or b.read_only,
        write_only=a.write_only or b.write_only,
    )


def _intersect(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    if a is None:
        return b
    if b is None:
        return a
    both = a & b
    if "integer" in a and "number" in b or "number" in a and "integer" in b:
        both |= {"integer"}
    return frozenset(both)


def _infer_type(canon: Canon) -> Canon:
    """A missing `type` read off the other keywords: enum/const values, properties, items."""
    if canon.types is not None:
        return canon
    inferred: set[str] = set()
    if canon.enum:
        inferred = {json_type(value) for value in canon.enum}
    elif canon.properties or canon.required or canon.additional is not None:
        inferred = {"object"}
    elif canon.items is not None:
        inferred = {"array"}
    return replace(canon, types=frozenset(inferred)) if inferred else canon


def identity(raw: Any) -> Any:
    """What makes two visits to a schema "the same place" (a `$ref`, or the object itself)."""
    if isinstance(raw, dict):
        if isinstance(raw.get("$ref"), str):
            return raw["$ref"]
        if raw.get(MERGED):
            return ("allOf", tuple(identity(member) for member in raw["allOf"]))
    return id(raw)
