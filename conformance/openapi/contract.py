"""The spec compiled once: per operation, its parameters, body and responses (the proxy and the verdict read it).

Every schema is compiled with jsonschema-rs against the whole spec document (OpenAPI 3.1
schemas are JSON Schema 2020-12), so `$ref`s resolve as written and an error's schema path
points into the spec, where the nearest `x-source` says which document the rule comes from.
jsonschema-rs rather than `jsonschema`: a 250-item ledger-account page validates in about
0.25 ms instead of 43 ms, which is what lets the proxy judge every answer and stay fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jsonschema_rs

from conformance.openapi.assumed import strict
from conformance.openapi.files import load_spec
from conformance.openapi.versions import contract_document
from conformance.openapi.catalog import BASE_PATH, HTTP_METHODS, Catalog, Operation, documented_key

SPEC_URI = "urn:monite-conformance:spec"
_ASSUMPTION_ID = re.compile(r"^\s*(A\d+)\b")
_INTEGER = re.compile(r"[+-]?[0-9]+")


@dataclass(frozen=True)
class SchemaError:
    message: str
    instance_path: tuple[str | int, ...]
    schema_path: tuple[str | int, ...]  # from the spec's root, e.g. components/schemas/LedgerAccount/...

    def where(self) -> str:
        """The failing place in the value, as `$.data[0].id` (or `$` for the value itself)."""
        text = "$"
        for part in self.instance_path:
            text += f"[{part}]" if isinstance(part, int) else f".{part}"
        return text


@dataclass(frozen=True)
class Schema:
    """A schema of the spec, by its pointer, compiled."""

    pointer: str
    validator: Any
    type: str  # the top-level JSON type, for coercing query strings ("integer", "array", ...)
    item_type: str
    summary: str  # what a valid value looks like, for a report ("integer, 1 <= x <= 250")
    discriminator: str | None = None  # OpenAPI discriminator property, when the schema has one
    variants: tuple[tuple[str, "Schema"], ...] = ()  # discriminator value -> schema

    @property
    def name(self) -> str:
        """The schema's name in components/schemas (or its pointer when it is inline)."""
        return self.pointer.rsplit("/", 1)[1] if "/components/schemas/" in self.pointer else self.pointer

    def errors(self, value: Any) -> list[SchemaError]:
        """What is wrong with `value`; with a discriminator, judged by the variant it names."""
        if self.discriminator and isinstance(value, dict):
            variants = dict(self.variants)
            chosen = value.get(self.discriminator)
            if isinstance(chosen, str) and chosen in variants:
                return variants[chosen].errors(value)
            return [SchemaError(f"{self.discriminator} {chosen!r} is not one of {', '.join(variants)}",
                                (self.discriminator,), _path_of(self.pointer) + ("discriminator",))]
        return [SchemaError(error.message, tuple(error.instance_path), tuple(error.schema_path))
                for error in self.validator.iter_errors(value)]


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str  # query | header | path
    required: bool
    schema: Schema
    source: str
    example: str | None = None

    @property
    def expected(self) -> str:
        """What a valid value looks like: `limit: integer, 1 <= x <= 250`, with the spec's example."""
        return f"{self.name}: {self.schema.summary}" + (f", e.g. {self.example}" if self.example else "")


@dataclass(frozen=True)
class RequestBody:
    required: bool
    schema: Schema | None  # None when the body is not JSON
    source: str


@dataclass(frozen=True)
class ResponseSpec:
    key: str  # "200", "4XX", "default"
    schema: Schema | None  # None: no JSON body documented
    assumption: str | None  # "A10" when the response itself is one of the project's choices


@dataclass(frozen=True)
class OperationContract:
    operation: Operation
    headers: dict[str, Parameter]  # lower-case names
    query: dict[str, Parameter]
    body: RequestBody | None
    responses: dict[str, ResponseSpec]
    secured: bool
    source: str
    assumption: str | None = None  # "A5" when what the operation does in some state is a choice

    @property
    def operation_id(self) -> str:
        return self.operation.operation_id

    def response_for(self, status: int) -> ResponseSpec | None:
        key = documented_key(self.operation, status)
        return self.responses.get(key) if key is not None else None


class Contract:
    """Every operation of the spec with compiled validators, and lookups by request."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.catalog = Catalog.from_spec(spec)
        self._registry = jsonschema_rs.Registry([(SPEC_URI, spec)])
        self._schemas: dict[str, Schema] = {}
        self.operations: dict[str, OperationContract] = {}
        for path, item in (spec.get("paths") or {}).items():
            for method in HTTP_METHODS:
                if isinstance((item or {}).get(method), dict):
                    contract = self._operation(path, method)
                    self.operations[contract.operation_id] = contract
        # The first path segment of every documented path ("ledger_accounts", "auth", ...).
        self.families = frozenset(op.path.strip("/").split("/")[0] for op in self.catalog.operations)

    def match(self, method: str, path: str) -> OperationContract | None:
        op = self.catalog.match(method, path)
        return self.operations[op.operation_id] if op is not None else None

    def methods_on(self, path: str) -> list[str]:
        """The documented methods of the path template `path` matches (empty: no such path)."""
        return [op.method for op in self.catalog.on_path(path)]

    def family(self, path: str) -> str | None:
        """The documented resource `path` (under /v1) belongs to, or None."""
        rest = path[len(BASE_PATH):] if path.startswith(BASE_PATH + "/") else None
        first = rest.strip("/").split("/")[0] if rest else ""
        return first if first in self.families else None

    def source_at(self, schema_path: tuple[str | int, ...], fallback: str) -> str:
        """The nearest `x-source` on the way from the spec's root to `schema_path`."""
        node: Any = self.spec
        found = fallback
        for part in schema_path:
            if isinstance(node, dict) and isinstance(node.get("x-source"), str):
                found = node["x-source"]
            try:
                node = _child(node, part)
            except (KeyError, IndexError, TypeError, ValueError):
                break
        if isinstance(node, dict) and isinstance(node.get("x-source"), str):
            found = node["x-source"]
        return found

    def allows_null(self, operation_id: str, status: int | str, json_path: str) -> bool:
        """Whether the response schema lets the field at `json_path` ("/data/items/name", array
        elements as `items`) be null; False when the spec has no such field."""
        op = self.operations.get(operation_id)
        spec = op.response_for(int(status)) if op is not None and str(status).isdigit() else None
        if spec is None or spec.schema is None:
            return False
        nodes = [self._deref_node(self._resolve(spec.schema.pointer))]
        for part in [part for part in json_path.split("/") if part]:
            nodes = [child for node in nodes for child in self._children(node, part)]
        return any(_is_nullable(node) for node in nodes)

    def _children(self, node: Any, part: str) -> list[Any]:
        """The schemas a value's `part` (a property name, or `items`) may match under `node`."""
        node = self._deref_node(node)
        if not isinstance(node, dict):
            return []
        found = []
        for key in ("anyOf", "oneOf", "allOf"):
            for branch in node.get(key) or []:
                found += self._children(branch, part)
        if part == "items" and isinstance(node.get("items"), dict):
            found.append(self._deref_node(node["items"]))
        child = (node.get("properties") or {}).get(part)
        if isinstance(child, dict):
            found.append(self._deref_node(child))
        return found

    # -- compiling ---------------------------------------------------------------------------

    def _operation(self, path: str, method: str) -> OperationContract:
        pointer = f"#/paths/{_escape(path)}/{method}"
        entry = self._resolve(pointer)
        op = self.catalog.by_id[entry.get("operationId") or f"{method.upper()} {path}"]
        source = entry.get("x-source", "")
        parameters = [self._parameter(f"{pointer}/parameters/{index}", source)
                      for index, _ in enumerate(entry.get("parameters") or [])]
        security = entry["security"] if "security" in entry else self.spec.get("security") or []
        return OperationContract(
            operation=op,
            headers={p.name.lower(): p for p in parameters if p.location == "header"},
            query={p.name: p for p in parameters if p.location == "query"},
            body=self._body(f"{pointer}/requestBody", source) if "requestBody" in entry else None,
            responses={str(key): self._response(f"{pointer}/responses/{_escape(str(key))}")
                       for key in entry.get("responses") or {}},
            secured=any(requirement for requirement in security),
            source=source,
            assumption=_assumption_id(entry),
        )

    def _parameter(self, pointer: str, operation_source: str) -> Parameter:
        pointer, node = self._deref(pointer)
        return Parameter(name=node["name"], location=node["in"], required=bool(node.get("required")),
                         schema=self._schema(f"{pointer}/schema"),
                         source=node.get("x-source") or operation_source,
                         example=str(node["example"]) if "example" in node else None)

    def _body(self, pointer: str, operation_source: str) -> RequestBody:
        pointer, node = self._deref(pointer)
        content = node.get("content") or {}
        schema = self._schema(f"{pointer}/content/application~1json/schema") if "application/json" in content else None
        source = node.get("x-source") or operation_source
        if schema is not None:
            source = self.source_at(_path_of(schema.pointer), source)
        return RequestBody(required=bool(node.get("required")), schema=schema, source=source)

    def _response(self, pointer: str) -> ResponseSpec:
        key = pointer.rsplit("/", 1)[1].replace("~1", "/").replace("~0", "~")
        pointer, node = self._deref(pointer)
        content = node.get("content") or {}
        schema = self._schema(f"{pointer}/content/application~1json/schema") if "application/json" in content else None
        return ResponseSpec(key=key, schema=schema, assumption=_assumption_id(node))

    def _schema(self, pointer: str) -> Schema:
        if pointer not in self._schemas:
            pointer_resolved, node = self._deref(pointer)
            items = node.get("items") or {}
            if "$ref" in items:
                items = self._deref_node(items)
            discriminator = node.get("discriminator") or {}
            self._schemas[pointer] = Schema(
                pointer=pointer_resolved,
                validator=jsonschema_rs.validator_for({"$ref": SPEC_URI + pointer_resolved},
                                                      registry=self._registry, validate_formats=True),
                type=_first_type(node), item_type=_first_type(items), summary=_summary(node, items),
                discriminator=discriminator.get("propertyName"),
                variants=tuple((value, self._schema(ref))
                               for value, ref in (discriminator.get("mapping") or {}).items()))
        return self._schemas[pointer]

    def node(self, path: tuple[str | int, ...]) -> Any:
        """The spec's node at `path` from its root (e.g. a `SchemaError.schema_path`)."""
        node: Any = self.spec
        for part in path:
            node = _child(node, part)
        return node

    def _resolve(self, pointer: str) -> Any:
        return self.node(_path_of(pointer))

    def _deref(self, pointer: str) -> tuple[str, Any]:
        """Follow `$ref`s from `pointer`; the pointer and node finally reached."""
        node = self._resolve(pointer)
        while isinstance(node, dict) and "$ref" in node:
            pointer = node["$ref"]
            node = self._resolve(pointer)
        return pointer, node

    def _deref_node(self, node: dict[str, Any]) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            node = self._resolve(node["$ref"])
        return node


def _assumption_id(node: dict[str, Any]) -> str | None:
    """The id of a node's `x-assumption` ("A10: ..." -> "A10"), or None."""
    found = _ASSUMPTION_ID.match(str(node.get("x-assumption") or ""))
    return found.group(1) if found else None


def _is_nullable(node: Any) -> bool:
    if not isinstance(node, dict):
        return False
    kind = node.get("type")
    if kind == "null" or (isinstance(kind, list) and "null" in kind) or node.get("nullable") is True:
        return True
    if None in (node.get("enum") or []):
        return True
    # `anyOf: [X, {type: null}]` (a referenced branch is an object schema, never the null one)
    return any(_is_nullable(branch) for key in ("anyOf", "oneOf") for branch in node.get(key) or [])


def _child(node: Any, part: str | int) -> Any:
    return node[int(part)] if isinstance(node, list) else node[part]


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _path_of(pointer: str) -> tuple[str | int, ...]:
    parts = pointer.lstrip("#").strip("/").split("/") if pointer.strip("#/") else []
    return tuple(part.replace("~1", "/").replace("~0", "~") for part in parts)


def _first_type(node: dict[str, Any]) -> str:
    kind = node.get("type", "")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "")
    return kind or ("string" if "enum" in node else "")


def _summary(node: dict[str, Any], items: dict[str, Any]) -> str:
    """A valid value in a few words: type, format, allowed values, bounds."""
    if node.get("type") == "array":
        return f"one or more values, each {_summary(items, {})}"
    if "enum" in node:
        return "one of " + ", ".join(str(value) for value in node["enum"])
    text = _first_type(node) or "a value"
    if "format" in node:
        text += f" ({node['format']})"
    low, high = node.get("minimum"), node.get("maximum")
    if low is not None and high is not None:
        text += f", {low} <= x <= {high}"
    elif low is not None:
        text += f", >= {low}"
    elif high is not None:
        text += f", <= {high}"
    return text


def coerce(value: str, schema_type: str) -> Any:
    """A query string value as the schema's type, when it reads as one (else the string, to fail)."""
    if schema_type == "integer" and _INTEGER.fullmatch(value):
        return int(value)
    if schema_type == "number":
        try:
            return float(value)
        except ValueError:
            return value
    if schema_type == "boolean" and value in ("true", "false"):
        return value == "true"
    return value


@lru_cache(maxsize=1)
def spec_contract() -> Contract:
    """The contract of the spec the suite ships."""
    return Contract(load_spec())


@lru_cache(maxsize=None)
def documented_contract(api_version: str) -> Contract:
    """What the docs require at `api_version`: its effective spec as written, without the
    constraints the emulator alone is held to (`conformance.openapi.assumed`)."""
    return Contract(contract_document(api_version))


@lru_cache(maxsize=None)
def strict_contract(api_version: str) -> Contract:
    """What the emulator is held to at `api_version`: the documented contract plus our choices
    where the docs are silent (`conformance.openapi.assumed.strict`), as the property tests load it."""
    return Contract(strict(contract_document(api_version)))
