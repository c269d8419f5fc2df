"""Coverage per operation, in four dimensions, and the `--min-coverage` gate.

| dimension | documented (the run's effective spec) | covered when |
|---|---|---|
| `statuses` | each status an operation documents | the run saw the operation answer it (the coverage matrix) |
| `parameters` | each path, query and header parameter | a request to the operation sent it (a path parameter: any request) |
| `enums` | each value of an `enum` of a parameter or a request-body property | a request sent that value there |
| `fields` | each JSON path of a documented response body, per status (`200 /data/items/name`) | a response with that status had that path (the observed contract) |

What was *sent* is recorded like the observed contract: `SentRecorder` listens to the evidence
observer, records only documented names and values (so nothing a test sent that the spec does
not name, and no secret, is kept), travels with each test's evidence (`TestEvidence.sent`) and
is merged on the controller. A dimension the spec documents nothing for counts as 100 %.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from conformance.config import COVERAGE_DIMENSIONS
from conformance.report.matrix import MISSING, Matrix

VERSION_HEADER = "x-monite-version"
MAX_DEPTH = 10
MAX_MISSING = 20  # names listed per operation and dimension in summary.json
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
UNDER_COVERAGE = "under-coverage"


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _value(value: Any) -> str:
    """An enum value as it is compared: strings as they are, anything else as JSON text."""
    return value if isinstance(value, str) else json.dumps(value)


@dataclass
class Documented:
    """What one operation documents, in the terms coverage counts."""

    parameters: list[tuple[str, str]] = field(default_factory=list)  # (in, name)
    enums: dict[str, list[str]] = field(default_factory=dict)  # "query:order" | "body:/platform" -> values
    fields: dict[str, list[str]] = field(default_factory=dict)  # status -> JSON paths


class _Resolver:
    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document

    def __call__(self, node: Any, seen: frozenset[str] = frozenset()) -> tuple[Any, frozenset[str]]:
        """`node` with local `$ref`s followed; the refs followed so far (a cycle stops there)."""
        while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if ref in seen or not ref.startswith("#/"):
                return {}, seen
            seen = seen | {ref}
            target: Any = self.document
            for part in ref[2:].split("/"):
                part = part.replace("~1", "/").replace("~0", "~")
                target = target.get(part, {}) if isinstance(target, Mapping) else {}
            node = target
        return node, seen


def _schema_paths(resolve: _Resolver, schema: Any, prefix: str, depth: int, seen: frozenset[str],
                  out: dict[str, list[str] | None]) -> None:
    """Every JSON path below `prefix` the schema describes (value: its enum, or None)."""
    schema, seen = resolve(schema, seen)
    if not isinstance(schema, Mapping) or depth > MAX_DEPTH:
        return
    if isinstance(schema.get("enum"), list) and prefix:
        out[prefix] = [_value(item) for item in schema["enum"] if item is not None]
    for keyword in ("allOf", "oneOf", "anyOf"):
        for part in schema.get(keyword) or []:
            _schema_paths(resolve, part, prefix, depth, seen, out)
    if "items" in schema:
        out.setdefault(f"{prefix}/items", None)
        _schema_paths(resolve, schema["items"], f"{prefix}/items", depth + 1, seen, out)
    for name, sub in (schema.get("properties") or {}).items():
        path = f"{prefix}/{_escape(str(name))}"
        out.setdefault(path, None)
        _schema_paths(resolve, sub, path, depth + 1, seen, out)


def _json_schema(resolve: _Resolver, holder: Any) -> Any:
    holder, _ = resolve(holder)
    content = holder.get("content") if isinstance(holder, Mapping) else None
    for media, entry in (content or {}).items():
        if "json" in media and isinstance(entry, Mapping):
            return entry.get("schema")
    return None


def documented(document: Mapping[str, Any]) -> dict[str, Documented]:
    """Per operationId, what `document` documents (parameters, enums, response fields)."""
    resolve = _Resolver(document)
    found: dict[str, Documented] = {}
    for item in (document.get("paths") or {}).values():
        item, _ = resolve(item)
        shared = list(item.get("parameters") or []) if isinstance(item, Mapping) else []
        for method, operation in (item.items() if isinstance(item, Mapping) else ()):
            if method not in HTTP_METHODS or not isinstance(operation, Mapping) or "operationId" not in operation:
                continue
            doc = found[str(operation["operationId"])] = Documented()
            for parameter in shared + list(operation.get("parameters") or []):
                parameter, _ = resolve(parameter)
                where, name = str(parameter.get("in", "")), str(parameter.get("name", ""))
                if where not in ("path", "query", "header") or not name or (where, name) in doc.parameters:
                    continue
                doc.parameters.append((where, name))
                paths: dict[str, list[str] | None] = {}
                _schema_paths(resolve, {"properties": {"v": parameter.get("schema", {})}}, "", 0, frozenset(), paths)
                values = paths.get("/v") or paths.get("/v/items")
                if values:
                    doc.enums[f"{where}:{name.lower() if where == 'header' else name}"] = values
            body = _json_schema(resolve, operation.get("requestBody"))
            if body is not None:
                paths = {}
                _schema_paths(resolve, body, "", 0, frozenset(), paths)
                doc.enums.update({f"body:{path}": values for path, values in paths.items() if values})
            for status, response in (operation.get("responses") or {}).items():
                schema = _json_schema(resolve, response)
                if schema is not None:
                    paths = {}
                    _schema_paths(resolve, schema, "", 0, frozenset(), paths)
                    doc.fields[str(status)] = sorted(paths)
    return found


# -- what the run sent ------------------------------------------------------------------------

def _request_parts(request: Any) -> tuple[list[tuple[str, str]], Mapping[str, Any], Any]:
    """Query pairs, headers and parsed JSON body of an httpx or requests-style request."""
    query = parse_qsl(urlsplit(str(getattr(request, "url", "") or "")).query, keep_blank_values=True)
    headers = getattr(request, "headers", None) or {}
    content = getattr(request, "content", None)
    if content is None:
        content = getattr(request, "body", None)
    body: Any = None
    if content:
        try:
            body = json.loads(content)
        except (ValueError, TypeError, RecursionError):
            body = None
    return query, headers, body


def _body_values(body: Any, prefix: str = "", depth: int = 0) -> list[tuple[str, str]]:
    if depth > MAX_DEPTH:
        return []
    if isinstance(body, Mapping):
        return [pair for key, value in body.items() for pair in _body_values(value, f"{prefix}/{_escape(str(key))}",
                                                                             depth + 1)]
    if isinstance(body, list):
        return [pair for value in body for pair in _body_values(value, f"{prefix}/items", depth + 1)]
    return [(prefix, _value(body))] if body is not None else []


class SentRecorder:
    """The observer's listener for the request side: documented parameters and enum values sent."""

    def __init__(self, api_version: str, operations: Mapping[str, Documented]) -> None:
        self.api_version = api_version
        self.operations = operations
        self._lock = threading.Lock()
        self._sent: dict[str, dict[str, set[str]]] = {}

    def __call__(self, operation_id: str, status: int, response: Any) -> None:
        doc = self.operations.get(operation_id)
        request = getattr(response, "request", None)
        if doc is None or request is None:
            return
        query, headers, body = _request_parts(request)
        asked = headers.get(VERSION_HEADER) if hasattr(headers, "get") else None
        if asked is not None and str(asked) != self.api_version:
            return
        header_names = {str(name).lower() for name in headers.keys()} if hasattr(headers, "keys") else set()
        query_names = {name for name, _ in query}
        params = {f"{where}:{name}" for where, name in doc.parameters
                  if where == "path" or (where == "query" and name in query_names)
                  or (where == "header" and name.lower() in header_names)}
        values: list[tuple[str, str]] = [(f"query:{name}", part) for name, value in query
                                         for part in {value, *value.split(",")}]
        values += [(f"header:{name.lower()}", str(headers.get(name))) for name in header_names
                   if f"header:{name}" in doc.enums]
        values += [(f"body:{path}", value) for path, value in _body_values(body)]
        enums = {f"{key}={value}" for key, value in values if value in (doc.enums.get(key) or ())}
        with self._lock:
            entry = self._sent.setdefault(operation_id, {"parameters": set(), "enums": set()})
            entry["parameters"] |= params
            entry["enums"] |= enums

    def drain(self) -> dict[str, Any]:
        with self._lock:
            sent, self._sent = self._sent, {}
        return _sent_dict(sent)


def _sent_dict(sent: Mapping[str, Mapping[str, set[str]]]) -> dict[str, Any]:
    return {op: {kind: sorted(names) for kind, names in entry.items()} for op, entry in sorted(sent.items())}


class SentContract:
    """What the whole run sent (the controller's merge of every test's `sent`)."""

    def __init__(self) -> None:
        self._sent: dict[str, dict[str, set[str]]] = {}

    def merge(self, data: Mapping[str, Any] | None) -> None:
        for op, entry in (data or {}).items():
            mine = self._sent.setdefault(str(op), {"parameters": set(), "enums": set()})
            for kind in ("parameters", "enums"):
                mine[kind] |= {str(name) for name in (entry or {}).get(kind, [])}

    def as_dict(self) -> dict[str, Any]:
        return _sent_dict(self._sent)


# -- coverage and the gate ----------------------------------------------------------------------

def _ratio(covered: int, documented_count: int, missing: list[str]) -> dict[str, Any]:
    percent = 100.0 if documented_count == 0 else round(100.0 * covered / documented_count, 1)
    return {"covered": covered, "documented": documented_count, "percent": percent,
            "missing": missing[:MAX_MISSING], **({"missing_count": len(missing)} if len(missing) > MAX_MISSING else {})}


def coverage(matrix: Matrix, operations: Mapping[str, Documented], sent: Mapping[str, Any],
             observed: Mapping[str, Any]) -> dict[str, Any]:
    """{"operations": {op: {dimension: ratio}}, "dimensions": {dimension: ratio without missing}}."""
    per_operation: dict[str, dict[str, Any]] = {}
    totals = {name: [0, 0] for name in COVERAGE_DIMENSIONS}
    for row in matrix.rows:
        op = row.operation.operation_id
        doc = operations.get(op, Documented())
        statuses = list(row.operation.statuses)
        missing_statuses = [key for key in statuses if row.cells[key].state == MISSING]
        sent_here = sent.get(op) or {}
        params = [f"{where}:{name}" for where, name in doc.parameters]
        sent_params = set(sent_here.get("parameters", []))
        enum_values = [f"{key}={value}" for key, values in doc.enums.items() for value in values]
        sent_enums = set(sent_here.get("enums", []))
        seen = observed.get(op) or {}
        fields = [f"{status} {path}" for status, paths in doc.fields.items() for path in paths]
        seen_fields = {f"{status} {path}" for status, entry in seen.items() for path in (entry.get("fields") or {})}
        ratios = {
            "statuses": (len(statuses) - len(missing_statuses), len(statuses), missing_statuses),
            "parameters": (len(sent_params & set(params)), len(params), [p for p in params if p not in sent_params]),
            "enums": (len(sent_enums & set(enum_values)), len(enum_values),
                      [v for v in enum_values if v not in sent_enums]),
            "fields": (len(seen_fields & set(fields)), len(fields), [f for f in fields if f not in seen_fields]),
        }
        per_operation[op] = {name: _ratio(*ratios[name]) for name in COVERAGE_DIMENSIONS}
        for name in COVERAGE_DIMENSIONS:
            totals[name][0] += ratios[name][0]
            totals[name][1] += ratios[name][1]
    dimensions = {}
    for name, (covered, count) in totals.items():
        ratio = _ratio(covered, count, [])
        ratio.pop("missing")
        dimensions[name] = ratio
    return {"operations": per_operation, "dimensions": dimensions}


def unmet(dimensions: Mapping[str, Any], minimum: Mapping[str, float]) -> list[str]:
    """Each threshold the run's coverage is below, as one line: "statuses 61.5% < 90%"."""
    return [f"{name} {dimensions[name]['percent']:g}% < {threshold:g}%" for name, threshold in minimum.items()
            if dimensions[name]["percent"] < threshold]


def gate(verdict: str, missed: list[str]) -> str:
    """A run that would conform (or be only incomplete) but misses a threshold is `under-coverage`;
    a worse verdict (failures, unreachable, ...) stays."""
    return UNDER_COVERAGE if missed and verdict in ("conforms", "incomplete") else verdict


def add_to_summary(summary: dict[str, Any], measured: Mapping[str, Any], minimum: Mapping[str, float],
                   missed: list[str]) -> None:
    """summary.json: `coverage.dimensions`, the thresholds and what missed them; per operation `coverage`."""
    summary["coverage"].update({"dimensions": measured["dimensions"], "min": dict(minimum), "unmet": missed})
    for op, entry in summary.get("operations", {}).items():
        if op in measured["operations"]:
            entry["coverage"] = measured["operations"][op]


def coverage_html(summary: Mapping[str, Any]) -> str:
    """report.html's coverage section (empty when the summary has no coverage dimensions)."""
    from conformance.report.templating import render

    cov = summary.get("coverage") or {}
    if not cov.get("dimensions"):
        return ""
    operations = [(op, entry["coverage"]) for op, entry in (summary.get("operations") or {}).items()
                  if "coverage" in entry]
    return render("coverage.html.j2", dimensions=COVERAGE_DIMENSIONS, totals=cov["dimensions"],
                  minimum=cov.get("min") or {}, unmet=cov.get("unmet") or [], operations=operations)
