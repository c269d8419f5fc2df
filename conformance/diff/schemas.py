"""Compare two schemas side by side and name every change with a rule of the table.

`kind` says where the schema sits (`request-parameter`, `request-property`, `response-property`)
and so which side's levels apply. Recursion is safe: a pair of schemas already being compared
further up (a recursive `$ref`, on either side) is not entered again — what it could report is
reported at its first visit — and a depth limit backs that up. `anyOf`/`oneOf` branches are
matched by content (`_match`), never by position.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

from conformance.diff.normalize import MISSING, Canon, Document, identity, json_key, same_json
from conformance.diff.catalogue import RESPONSE_PROPERTY, schema_rule_id

Emit = Callable[[str, str, str], None]  # (rule id, location, message)
MAX_DEPTH = 64
_ANYTHING: dict[str, Any] = {}  # the schema of a missing sub-schema; one object, so one identity
# keyword, id fragment, whether it is an upper bound, value when absent
_BOUNDS = (
    ("maximum", "max", True, math.inf),
    ("minimum", "min", False, -math.inf),
    ("maxLength", "max-length", True, math.inf),
    ("minLength", "min-length", False, 0),
    ("maxItems", "max-items", True, math.inf),
    ("minItems", "min-items", False, 0),
)


def location(where: str, pointer: str) -> str:
    return f"{where} {pointer}" if pointer else where


def escape(name: str) -> str:
    """A property name as a JSON-pointer segment."""
    return name.replace("~", "~0").replace("/", "~1")


class _Frame:
    """The changes found under one pair of schemas, relative to its pointer (for the memo)."""

    __slots__ = ("pointer", "found", "cut")

    def __init__(self, pointer: str, depth: int) -> None:
        self.pointer = pointer
        self.found: list[tuple[str, str, str]] = []
        self.cut = depth  # the shallowest ancestor a recursion cut below this frame went back to


class SchemaComparer:
    """Walks pairs of schemas (old document, new document) and emits changes.

    What a pair of schemas yields does not depend on where it is reached, so the changes found
    under a pair are remembered (relative to its pointer) and replayed when the same pair comes
    again, e.g. a component used by many operations. A pair whose walk was cut short by a
    recursion guard pointing above it is not remembered: elsewhere it may yield more.
    """

    def __init__(self, old: Document, new: Document) -> None:
        self.old, self.new = old, new
        self._active: dict[tuple[Any, Any], int] = {}
        self._frames: list[_Frame] = []
        self._memo: dict[tuple[Any, Any, str, bool], list[tuple[str, str, str]]] = {}
        self._sink: Emit = lambda rule, where, message: None
        self._where = ""
        self._nulls = True

    def compare(self, old_raw: Any, new_raw: Any, kind: str, where: str, emit: Emit, nulls: bool = True) -> None:
        """Emit every change from `old_raw` to `new_raw`, located as `where` plus a JSON pointer.

        `nulls` False: the value cannot carry JSON null (a query, path, header or cookie parameter
        serialised by `style`: `?q=` is an empty string, never null), so whether the schema admits
        null is no part of the contract there and is not compared.
        """
        self._sink, self._where, self._nulls = emit, where, nulls
        self._walk(old_raw, new_raw, kind, "", 0)

    def _probe(self, old_raw: Any, new_raw: Any, kind: str, pointer: str, depth: int) -> int:
        """How many changes a walk of this pair would report (nothing is emitted). Shares the
        memo and the recursion guard with the real walk, so probing costs little later."""
        saved = self._sink, self._frames
        found: list[str] = []
        self._sink = lambda rule, where, message: found.append(rule)
        self._frames = []
        try:
            self._walk(old_raw, new_raw, kind, pointer, depth)
        finally:
            self._sink, self._frames = saved
        return len(found)

    def _emit(self, rule: str, pointer: str, message: str) -> None:
        self._sink(rule, location(self._where, pointer), message)
        for frame in self._frames:
            frame.found.append((rule, pointer[len(frame.pointer):], message))

    # -- walking ------------------------------------------------------------------------------
    def _walk(self, old_raw: Any, new_raw: Any, kind: str, pointer: str, depth: int) -> None:
        key = (identity(old_raw), identity(new_raw))
        remembered = self._memo.get((*key, kind, self._nulls))
        if remembered is not None:
            for rule, suffix, message in remembered:
                self._emit(rule, pointer + suffix, message)
            return
        if key in self._active or depth > MAX_DEPTH:
            back_to = self._active.get(key, -1)
            for frame in self._frames:
                frame.cut = min(frame.cut, back_to)
            return
        self._active[key] = depth
        frame = _Frame(pointer, depth)
        self._frames.append(frame)
        try:
            old, new = self.old.canon(old_raw), self.new.canon(new_raw)
            if bool(old.union) != bool(new.union) and _bare(old if old.union else new):
                self._union_and_plain(old_raw, new_raw, old, new, kind, pointer, depth)
            else:
                self._own_and_children(old, new, kind, pointer, depth)
        finally:
            del self._active[key]
            self._frames.pop()
        if frame.cut >= depth:
            self._memo[(*key, kind, self._nulls)] = frame.found

    def _own_and_children(self, old: Canon, new: Canon, kind: str, pointer: str, depth: int) -> None:
        """The schemas' own keywords, then their properties, items and union branches."""
        self._facets(old, new, kind, pointer)
        if _may_be(old, "object") and _may_be(new, "object"):
            self._properties(old, new, kind, pointer, depth)
            if old.additional is not None or new.additional is not None:
                self._walk(old.additional or _ANYTHING, new.additional or _ANYTHING, kind,
                           f"{pointer}/additionalProperties", depth + 1)
        if (old.items is not None or new.items is not None) and _may_be(old, "array") and _may_be(new, "array"):
            self._walk(old.items or _ANYTHING, new.items or _ANYTHING, kind, f"{pointer}/items", depth + 1)
        if old.union and new.union:
            self._union(old, new, kind, pointer, depth)
        elif old.union or new.union:  # a union beside keywords of its own (`properties` + `oneOf` of
            keyword = old.union_keyword or new.union_keyword  # `required` lists) came or went
            self._emit(schema_rule_id(kind, "schema-changed"), pointer,
                       f"{keyword} alternatives: {len(old.union) or 'none'} → {len(new.union) or 'none'}")

    def _properties(self, old: Canon, new: Canon, kind: str, pointer: str, depth: int) -> None:
        response = kind == RESPONSE_PROPERTY
        before = self._on_this_side(self.old, old.properties, response)
        after = self._on_this_side(self.new, new.properties, response)
        if before.keys() == after.keys() and old.required == new.required:
            names: Any = before  # the common case: no property added, removed or re-required
        else:
            names = sorted(set(before) | set(after))
        for name in names:
            child = at = f"{pointer}/{escape(name)}"
            if name not in before:
                required = name in new.required
                rule = (("response-required-property-added" if required else "response-optional-property-added")
                        if response else
                        ("new-required-request-property" if required else "new-optional-request-property"))
                self._emit(rule, at, f"{'required' if required else 'optional'} property `{name}` added")
            elif name not in after:
                required = name in old.required
                rule = (("response-required-property-removed" if required else "response-optional-property-removed")
                        if response else "request-property-removed")
                self._emit(rule, at, f"{'required' if required else 'optional'} property `{name}` removed")
            else:
                was, now = name in old.required, name in new.required
                if was and not now:
                    rule = "response-property-became-optional" if response else "request-property-became-optional"
                    self._emit(rule, at, f"property `{name}` became optional (was required)")
                elif now and not was:
                    rule = "response-property-became-required" if response else "request-property-became-required"
                    self._emit(rule, at, f"property `{name}` became required (was optional)")
                self._walk(before[name], after[name], kind, child, depth + 1)

    @staticmethod
    def _on_this_side(document: Document, properties: dict[str, Any], response: bool) -> dict[str, Any]:
        """The properties that travel this way: no readOnly ones in a request, no writeOnly in a response."""
        if response:
            return {name: raw for name, raw in properties.items() if not document.canon(raw).write_only}
        return {name: raw for name, raw in properties.items() if not document.canon(raw).read_only}

    def _union(self, old: Canon, new: Canon, kind: str, pointer: str, depth: int) -> None:
        """anyOf/oneOf on both sides: branches matched by content, not position (`_match`)."""
        if old.union_keyword != new.union_keyword:
            self._emit(schema_rule_id(kind, "schema-changed"), pointer,
                       f"{old.union_keyword} became {new.union_keyword}")
        self._match(list(enumerate(old.union)), list(enumerate(new.union)), kind, pointer, depth,
                    new.union_keyword, True)

    def _union_and_plain(self, old_raw: Any, new_raw: Any, old: Canon, new: Canon, kind: str, pointer: str,
                         depth: int) -> None:
        """A union on one side only (`oneOf: [A, B]` became one schema X, or the reverse).

        What must fit is walked against the plain schema branch by branch: in a request every
        branch a client may send must still be accepted (each old branch against X), in a
        response every branch the server may send must be one clients know (X against each new
        branch). Otherwise the plain schema is one branch matched like any other (`_match`).
        The union's own keywords say nothing about its branches' type or properties, so only
        nullability is compared at this level.
        """
        if old.nullable != new.nullable and self._nulls:
            self._emit(schema_rule_id(kind, "became-nullable" if new.nullable else "became-not-nullable"), pointer,
                       "null is now allowed" if new.nullable else "null is no longer allowed")
        response = kind == RESPONSE_PROPERTY
        keyword = old.union_keyword or new.union_keyword
        if old.union and not response:
            for index, branch in enumerate(old.union):
                self._walk(branch, new_raw, kind, f"{pointer}/{keyword}/{index}", depth + 1)
        elif new.union and response:
            for index, branch in enumerate(new.union):
                self._walk(old_raw, branch, kind, f"{pointer}/{keyword}/{index}", depth + 1)
        else:
            self._match(list(enumerate(old.union or (old_raw,))), list(enumerate(new.union or (new_raw,))), kind,
                        pointer, depth, keyword, bool(new.union))

    def _match(self, before: list[tuple[int, Any]], after: list[tuple[int, Any]], kind: str, pointer: str,
               depth: int, keyword: str, at_new: bool) -> None:
        """Branches matched by content: a reordering is no change; a branch equal to none on the
        other side is paired with the most similar one left (same `$ref`, else same type) and
        walked, so a change is reported inside the branch that changed; what stays unpaired was
        added or removed. Locations use the new side's index (`at_new`), else the old side's."""
        def at(old_index: int, new_index: int) -> str:
            return f"{pointer}/{keyword}/{new_index if at_new else old_index}"

        for index, raw in list(before):  # equal branches first, wherever they sit
            for position, (other, candidate) in enumerate(after):
                if not self._probe(raw, candidate, kind, at(index, other), depth + 1):
                    before.remove((index, raw))
                    del after[position]
                    break
        for similar in (self._same_ref, self._same_types):
            for index, raw in list(before):
                match = next(((position, other, candidate) for position, (other, candidate) in enumerate(after)
                              if similar(raw, candidate)), None)
                if match is not None:
                    position, other, candidate = match
                    del after[position]
                    before.remove((index, raw))
                    self._walk(raw, candidate, kind, at(index, other), depth + 1)
        word = keyword.lower().replace("anyof", "any-of").replace("oneof", "one-of")
        for index, _raw in before:
            self._emit(schema_rule_id(kind, f"{word}-removed"), f"{pointer}/{keyword}/{index}",
                       f"{keyword} branch {index} of the old schema removed (no equal or similar branch left)")
        for other, _raw in after:
            self._emit(schema_rule_id(kind, f"{word}-added"), f"{pointer}/{keyword}/{other}",
                       f"{keyword} branch {other} added (no equal or similar branch before)")

    def _same_ref(self, old_raw: Any, new_raw: Any) -> bool:
        return isinstance(old_raw, dict) and isinstance(new_raw, dict) and isinstance(old_raw.get("$ref"), str) \
            and old_raw.get("$ref") == new_raw.get("$ref")

    def _same_types(self, old_raw: Any, new_raw: Any) -> bool:
        return self.old.canon(old_raw).types == self.new.canon(new_raw).types

    # -- one schema's own keywords ------------------------------------------------------------
    def _facets(self, old: Canon, new: Canon, kind: str, pointer: str) -> None:
        def rule(suffix: str, message: str) -> None:
            self._emit(schema_rule_id(kind, suffix), pointer, message)

        response = kind == RESPONSE_PROPERTY
        if old.external_ref != new.external_ref:
            rule("schema-changed", f"external $ref {old.external_ref} → {new.external_ref}")
        if old.types != new.types:
            widened, narrowed = _covers(new.types, old.types), _covers(old.types, new.types)
            text = f"type {_types(old.types)} → {_types(new.types)}"
            if not response and widened:
                rule("type-generalized", text)
            elif response and narrowed:
                rule("type-specialized", text)
            else:
                rule("type-changed", text)
        if old.nullable != new.nullable and self._nulls:
            rule("became-nullable" if new.nullable else "became-not-nullable",
                 "null is now allowed" if new.nullable else "null is no longer allowed")
        _keyword_changed(rule, "format", old.format, new.format)
        self._enum(old, new, rule)
        if not same_json(old.default, new.default):
            rule("default-value-changed", f"default {_shown(old.default)} → {_shown(new.default)}")
        _keyword_changed(rule, "pattern", old.pattern, new.pattern)
        for keyword, fragment, _upper, absent in _BOUNDS if old.bounds or new.bounds else ():
            before, after = old.bound(keyword), new.bound(keyword)
            before = absent if before is None else before
            after = absent if after is None else after
            if before == after:
                continue
            lowered = after < before
            rule(f"{fragment}-{'decreased' if lowered else 'increased'}",
                 f"{keyword} {_number(before)} → {_number(after)}")
        if old.other != new.other:
            before, after = dict(old.other), dict(new.other)
            changed = sorted(name for name in set(before) | set(after) if before.get(name) != after.get(name))
            rule("schema-changed", "; ".join(
                f"{name} {before.get(name, 'none')} → {after.get(name, 'none')}" for name in changed))

    @staticmethod
    def _enum(old: Canon, new: Canon, rule: Callable[[str, str], None]) -> None:
        if old.enum == new.enum:
            return
        if old.enum is None:
            rule("became-enum", f"restricted to {_values(new.enum or ())}")
            return
        if new.enum is None:
            rule("enum-unset", f"no longer restricted to {_values(old.enum)}")
            return
        before = {json_key(value): value for value in old.enum}
        after = {json_key(value): value for value in new.enum}
        added = [value for key, value in after.items() if key not in before]
        removed = [value for key, value in before.items() if key not in after]
        if added:
            rule("enum-value-added", f"enum value{'s' if len(added) > 1 else ''} added: {_values(added)}")
        if removed:
            rule("enum-value-removed", f"enum value{'s' if len(removed) > 1 else ''} removed: {_values(removed)}")


def _bare(canon: Canon) -> bool:
    """A union with no keywords of its own: its branches say everything (see `_union_and_plain`)."""
    return (canon.types is None and not canon.properties and not canon.required and canon.items is None
            and canon.additional is None and canon.enum is None and not canon.bounds and not canon.other
            and canon.format is None and canon.pattern is None)


def _may_be(canon: Canon, type_name: str) -> bool:
    return canon.types is None or type_name in canon.types


def _covers(wide: frozenset[str] | None, narrow: frozenset[str] | None) -> bool:
    """Whether every value of type `narrow` is a value of type `wide` (None: any type)."""
    if wide is None:
        return True
    if narrow is None:
        return False
    expanded = set(wide) | ({"integer"} if "number" in wide else set())
    return set(narrow) <= expanded


def _types(types: frozenset[str] | None) -> str:
    if types is None:
        return "any"
    return "|".join(sorted(types)) or "null"


def _number(value: Any) -> str:
    if value in (math.inf, -math.inf):
        return "none"
    return str(value)


def _keyword_changed(rule: Callable[[str, str], None], keyword: str, before: str | None, after: str | None) -> None:
    """`<keyword>-added`, `-removed` or `-changed` (format, pattern), when it changed."""
    if before == after:
        return
    if before is None:
        rule(f"{keyword}-added", f"{keyword} `{after}` added")
    elif after is None:
        rule(f"{keyword}-removed", f"{keyword} `{before}` removed")
    else:
        rule(f"{keyword}-changed", f"{keyword} `{before}` → `{after}`")


def _shown(value: Any) -> str:
    return "none" if value is MISSING else _json(value)


def _values(values: Any) -> str:
    return ", ".join(_json(value) for value in values)


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
