"""Compare two documents operation by operation: parameters, request body, responses.

`diff_documents` is the whole comparison; schemas are handed to `schemas.SchemaComparer`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from conformance.diff import lifecycle
from conformance.diff.model import DiffResult, change
from conformance.diff.normalize import Document
from conformance.diff.catalogue import REQUEST_PARAMETER, REQUEST_PROPERTY, RESPONSE_PROPERTY
from conformance.diff.schemas import Emit, SchemaComparer
from conformance.diff.security import compare_security
from conformance.diff.select import DEFAULT_PATHS, Operation, select_operations
from conformance.findings import Finding

OPERATION = "operation"  # the location of changes to an operation as a whole
# Header parameters OpenAPI says to ignore: they are described elsewhere (security, content).
_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
_STATUS_RANGE = re.compile(r"^[1-5]xx$", re.IGNORECASE)


def diff_documents(old: dict[str, Any], new: dict[str, Any],
                   paths: re.Pattern[str] | None = DEFAULT_PATHS) -> DiffResult:
    """Every change from `old` to `new` among the operations whose path matches `paths` (None: all)."""
    old_doc, new_doc = Document(old), Document(new)
    before_ops, after_ops = select_operations(old_doc, paths), select_operations(new_doc, paths)
    surviving_paths = {path for _method, path in after_ops}
    schemas = SchemaComparer(old_doc, new_doc)  # shared: what a pair of components yields is remembered
    today = lifecycle.as_of(new)  # "before the sunset" is judged on NEW's date
    changes: list[Finding] = []
    names: list[str] = []
    for key in sorted(before_ops.keys() | after_ops.keys()):
        before, after = before_ops.get(key), after_ops.get(key)
        current = after or before
        assert current is not None
        name = current.name
        names.append(name)

        def emit(rule: str, where: str, message: str, name: str = name) -> None:
            changes.append(change(rule, name, where, message))

        if before is None:
            emit("endpoint-added", OPERATION, "operation added")
        elif after is None:
            rule, message = lifecycle.operation_removed(lifecycle.of_operation(before.raw, old_doc.deref),
                                                        key[1] not in surviving_paths, today)
            emit(rule, OPERATION, message)
        else:
            _OperationComparer(old_doc, new_doc, schemas, emit, today).compare(before, after)
            compare_security(old, new, before.raw, after.raw, emit)
    return DiffResult(changes=changes, operations=names)


class _OperationComparer:
    def __init__(self, old: Document, new: Document, schemas: SchemaComparer, emit: Emit, today: date) -> None:
        self.old, self.new, self.schemas, self.emit, self.today = old, new, schemas, emit, today

    def compare(self, before: Operation, after: Operation) -> None:
        lifecycle.compare(lifecycle.of_operation(before.raw, self.old.deref),
                          lifecycle.of_operation(after.raw, self.new.deref), OPERATION, "the operation", self.emit,
                          lifecycle.OPERATION_RULE_IDS)
        self._parameters(before, after)
        self._request_body(before, after)
        self._responses(before, after)

    # -- parameters ---------------------------------------------------------------------------
    def _parameters(self, before: Operation, after: Operation) -> None:
        old, new = _parameter_map(before), _parameter_map(after)
        for key in sorted(old.keys() | new.keys(), key=str):
            was, now = old.get(key), new.get(key)
            shown = now or was
            assert shown is not None
            where = f"{shown['in']} parameter {shown['name']}"
            if was is None:
                assert now is not None
                required = _required(now)
                self.emit("new-required-request-parameter" if required else "new-optional-request-parameter",
                          where, f"{'required' if required else 'optional'} {where} added")
                continue
            if now is None:
                rule, message = lifecycle.parameter_removed(lifecycle.of_parameter(was), where, self.today)
                self.emit(rule, where, message)
                continue
            lifecycle.compare(lifecycle.of_parameter(was), lifecycle.of_parameter(now), where, where, self.emit,
                              lifecycle.PARAMETER_RULE_IDS)
            if _required(was) != _required(now):
                became = "required" if _required(now) else "optional"
                self.emit(f"request-parameter-became-{became}", where, f"{where} became {became}")
            nulls = _carries_json(was) or _carries_json(now)
            self.schemas.compare(_parameter_schema(was), _parameter_schema(now), REQUEST_PARAMETER, where, self.emit,
                                 nulls=nulls)

    # -- request body -------------------------------------------------------------------------
    def _request_body(self, before: Operation, after: Operation) -> None:
        old = self.old.deref(before.raw["requestBody"]) if "requestBody" in before.raw else None
        new = self.new.deref(after.raw["requestBody"]) if "requestBody" in after.raw else None
        where = "request body"
        if old is None and new is None:
            return
        if old is None:
            assert new is not None
            required = new.get("required") is True
            self.emit(f"request-body-added-{'required' if required else 'optional'}", where,
                      f"{'required' if required else 'optional'} request body added")
            return
        if new is None:
            self.emit("request-body-removed", where, "request body removed")
            return
        if (old.get("required") is True) != (new.get("required") is True):
            became = "required" if new.get("required") is True else "optional"
            self.emit(f"request-body-became-{became}", where, f"request body became {became}")
        self._content(old, new, where, REQUEST_PROPERTY, "request-body-media-type")

    # -- responses ----------------------------------------------------------------------------
    def _responses(self, before: Operation, after: Operation) -> None:
        old, new = _responses(self.old, before), _responses(self.new, after)
        for status in sorted(old.keys() | new.keys()):
            where = f"response {status}"
            kind = "success" if status.startswith("2") else "non-success"
            if status not in old:
                self.emit(f"response-{kind}-status-added", where, f"status {status} added")
            elif status not in new:
                self.emit(f"response-{kind}-status-removed", where, f"status {status} removed")
            else:
                self._headers(old[status], new[status], status)
                self._content(old[status], new[status], where, RESPONSE_PROPERTY, "response-media-type")

    def _headers(self, old: dict[str, Any], new: dict[str, Any], status: str) -> None:
        before = {str(name).lower(): self.old.deref(header) for name, header in (old.get("headers") or {}).items()}
        after = {str(name).lower(): self.new.deref(header) for name, header in (new.get("headers") or {}).items()}
        for name in sorted(before.keys() | after.keys()):
            where = f"response {status} header {name}"
            if name not in before:
                self.emit("response-header-added", where, f"header {name} added")
            elif name not in after:
                required = before[name].get("required") is True
                self.emit(f"{'required' if required else 'optional'}-response-header-removed", where,
                          f"{'required' if required else 'optional'} header {name} removed")

    def _content(self, old: dict[str, Any], new: dict[str, Any], where: str, kind: str, media_rule: str) -> None:
        before, after = _content(old), _content(new)
        for media_type in sorted(before.keys() | after.keys()):
            if media_type not in before:
                self.emit(f"{media_rule}-added", f"{where} {media_type}", f"media type {media_type} added")
            elif media_type not in after:
                self.emit(f"{media_rule}-removed", f"{where} {media_type}", f"media type {media_type} removed")
            else:
                at = where if media_type == "application/json" else f"{where} {media_type}"
                self.schemas.compare(before[media_type], after[media_type], kind, at, self.emit)


def _parameter_map(operation: Operation) -> dict[tuple[str, Any], dict[str, Any]]:
    """Parameters by (in, name); path parameters by position, header names case-insensitively."""
    found: dict[tuple[str, Any], dict[str, Any]] = {}
    positions = operation.path_names
    for parameter in operation.parameters:
        where, name = parameter["in"], parameter["name"]
        if where == "path":
            found[("path", positions.index(name) if name in positions else name)] = parameter
        elif where == "header":
            if name.lower() not in _IGNORED_HEADERS:
                found[("header", name.lower())] = parameter
        else:
            found[(where, name)] = parameter
    return found


def _required(parameter: dict[str, Any]) -> bool:
    return parameter.get("in") == "path" or parameter.get("required") is True


def _carries_json(parameter: dict[str, Any]) -> bool:
    """Whether the parameter's value is a JSON document (`content`), which can be null; a value
    serialised by `style` (`schema`) is text and can never carry JSON null."""
    return not isinstance(parameter.get("schema"), dict) and isinstance(parameter.get("content"), dict)


def _parameter_schema(parameter: dict[str, Any]) -> Any:
    if isinstance(parameter.get("schema"), dict):
        return parameter["schema"]
    for media in (parameter.get("content") or {}).values():
        if isinstance(media, dict) and isinstance(media.get("schema"), dict):
            return media["schema"]
    return {}


def _responses(document: Document, operation: Operation) -> dict[str, dict[str, Any]]:
    raw = operation.raw.get("responses")
    if not isinstance(raw, dict):
        return {}
    found = {}
    for status, response in raw.items():
        code = str(status)
        found[code.upper() if _STATUS_RANGE.match(code) else code] = document.deref(response)
    return found


def _content(holder: dict[str, Any]) -> dict[str, Any]:
    """Media type (lower case, parameters kept) → its schema (`{}` when it has none)."""
    content = holder.get("content")
    if not isinstance(content, dict):
        return {}
    found = {}
    for media_type, media in content.items():
        schema = media.get("schema") if isinstance(media, dict) else None
        found[str(media_type).strip().lower().replace(" ", "")] = schema if isinstance(schema, dict) else {}
    return found
