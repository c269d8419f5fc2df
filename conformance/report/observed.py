"""The observed contract: per operation and status, the shape of what the target answered.

summary.json's `observed` is `{operationId: {status: {"fields": {json_path: {"types": [...],
"null_seen": bool}}, "headers": [...], "responses": n}}}`: every JSON path seen in a response
body (`/items` for array elements; keys escaped as in a JSON pointer), the JSON types seen
there, whether null was seen there, and the response header names (lower case, sorted).
`compare` reads it to tell what a target answers differently from one run (or API version) to
the next: fields that appeared or vanished, types that changed, nullability, headers.

The evidence observer (`conformance.evidence.observer`) passes every response it sees to
`Recorder.__call__`; each process records what its tests saw, the report plugin sends that
along with each test's report (also from xdist workers) and merges it on the controller.

A target decides what it answers, so every dimension is capped (depth, paths and headers per
operation and status, statuses per operation, name and body sizes): a hostile or broken target
cannot blow up summary.json. `"truncated": true` marks an entry that hit a cap.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from conformance.openapi.json_types import NULL, json_type

# Caps: far above what Monite's documented responses need (a ledger-account page has ~20
# paths, a synced record's `data` a few dozen), far below what would bloat summary.json.
MAX_DEPTH = 10  # path segments below the root
MAX_FIELDS = 300  # JSON paths per operation and status
MAX_HEADERS = 64  # header names per operation and status
MAX_STATUSES = 40  # statuses per operation
MAX_NAME = 200  # characters of a JSON path or header name; longer ones are not recorded
MAX_BODY = 4 * 1024 * 1024  # bytes of a body that is parsed; larger ones give no fields

VERSION_HEADER = "x-monite-version"


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


class _Entry:
    """What one operation answered with one status."""

    __slots__ = ("fields", "headers", "responses", "truncated")

    def __init__(self) -> None:
        self.fields: dict[str, set[str]] = {}  # path -> JSON types seen, null included
        self.headers: set[str] = set()
        self.responses = 0
        self.truncated = False

    def add_type(self, path: str, kind: str) -> bool:
        """Record `kind` at `path`; False when the path is new and the cap is reached."""
        types = self.fields.get(path)
        if types is None:
            if len(self.fields) >= MAX_FIELDS or len(path) > MAX_NAME:
                self.truncated = True
                return False
            types = self.fields[path] = set()
        types.add(kind)
        return True

    def add_header(self, name: str) -> None:
        if name in self.headers:
            return
        if len(self.headers) >= MAX_HEADERS or len(name) > MAX_NAME:
            self.truncated = True
            return
        self.headers.add(name)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "fields": {path: {"types": _shown_types(types), "null_seen": NULL in types}
                       for path, types in sorted(self.fields.items())},
            "headers": sorted(self.headers),
            "responses": self.responses,
        }
        if self.truncated:
            out["truncated"] = True
        return out


def _shown_types(types: set[str]) -> list[str]:
    """The types seen besides null (null is `null_seen`); ["null"] when null is all there was."""
    shown = sorted(types - {NULL})
    return shown or ([NULL] if NULL in types else [])


class ObservedContract:
    """The observed contract of a run (or of what one test saw), merged entry by entry."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, dict[str, _Entry]] = {}

    def __bool__(self) -> bool:
        return bool(self._entries)

    def _entry(self, operation: str, status: str) -> _Entry | None:
        statuses = self._entries.setdefault(operation, {})
        entry = statuses.get(status)
        if entry is None:
            if len(statuses) >= MAX_STATUSES:
                return None
            entry = statuses[status] = _Entry()
        return entry

    def add(self, operation: str, status: int, header_names: list[str], body: Any, parsed: bool) -> None:
        """One response: its header names and, when `parsed`, its JSON body."""
        with self._lock:
            entry = self._entry(operation, str(status))
            if entry is None:
                return
            entry.responses += 1
            for name in header_names:
                entry.add_header(name.lower())
            if parsed:
                _walk(entry, body)

    def merge(self, data: dict[str, Any]) -> None:
        """Fold in an `as_dict()` of another contract (a test's, from a worker); caps still hold."""
        with self._lock:
            for operation, statuses in (data or {}).items():
                for status, seen in (statuses or {}).items():
                    entry = self._entry(str(operation), str(status))
                    if entry is None:
                        continue
                    entry.responses += int(seen.get("responses", 0) or 0)
                    entry.truncated = entry.truncated or bool(seen.get("truncated"))
                    for name in seen.get("headers", []):
                        entry.add_header(str(name).lower())
                    for path, field in (seen.get("fields") or {}).items():
                        for kind in field.get("types", []):
                            entry.add_type(str(path), str(kind))
                        if field.get("null_seen"):
                            entry.add_type(str(path), NULL)

    def drain(self) -> dict[str, Any]:
        """What was recorded since the last drain, as JSON-ready data; starts afresh."""
        with self._lock:
            entries, self._entries = self._entries, {}
        return _as_dict(entries)

    def as_dict(self) -> dict[str, Any]:
        with self._lock:
            return _as_dict(self._entries)


def _as_dict(entries: dict[str, dict[str, _Entry]]) -> dict[str, Any]:
    return {operation: {status: entry.as_dict() for status, entry in sorted(statuses.items())}
            for operation, statuses in sorted(entries.items())}


def _walk(entry: _Entry, body: Any) -> None:
    """Every path below the root of `body` with its type, breadth-first, to MAX_DEPTH."""
    level: list[tuple[str, Any]] = [("", body)]
    for _ in range(MAX_DEPTH):
        below: list[tuple[str, Any]] = []
        for path, value in level:
            if isinstance(value, dict):
                children = [(f"{path}/{_escape(str(key))}", child) for key, child in value.items()]
            elif isinstance(value, list):
                children = [(f"{path}/items", child) for child in value]
            else:
                continue
            for child_path, child in children:
                if entry.add_type(child_path, json_type(child)) and isinstance(child, (dict, list)):
                    below.append((child_path, child))
        if not below:
            return
        level = below
    if any(isinstance(value, (dict, list)) and value for _, value in level):
        entry.truncated = True  # deeper than MAX_DEPTH


class Recorder:
    """The observer's listener: records the responses to requests made at the run's API version.

    A request that names another version (the version scenarios ask for every published one)
    says nothing about this version's contract and is left out; one without a version header is
    kept (the same in every run).
    """

    def __init__(self, api_version: str, contract: ObservedContract | None = None) -> None:
        self.api_version = api_version
        self.contract = contract if contract is not None else ObservedContract()

    def __call__(self, operation_id: str, status: int, response: Any) -> None:
        request = getattr(response, "request", None)
        headers = getattr(request, "headers", None)
        asked = headers.get(VERSION_HEADER) if headers is not None else None
        if asked is not None and str(asked) != self.api_version:
            return
        body, parsed = _json_body(response)
        self.contract.add(operation_id, status, _header_names(response), body, parsed)


def _header_names(response: Any) -> list[str]:
    headers = getattr(response, "headers", None) or {}
    return [str(name).lower() for name in headers.keys()]


def _json_body(response: Any) -> tuple[Any, bool]:
    """The parsed JSON body, and whether there was one (a JSON content type, within MAX_BODY)."""
    headers = getattr(response, "headers", None) or {}
    content_type = headers.get("content-type") or ""
    if isinstance(content_type, list):  # schemathesis: lists of values
        content_type = ", ".join(content_type)
    if "json" not in str(content_type).lower():
        return None, False
    content = getattr(response, "content", b"") or b""
    if not content or len(content) > MAX_BODY:
        return None, False
    try:
        return json.loads(content), True
    except (ValueError, RecursionError):
        return None, False
