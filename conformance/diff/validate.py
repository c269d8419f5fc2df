"""Is the document shaped like OpenAPI 3.x where `diff` reads it? Else a `DocumentError` (exit 3)
whose one line names the place, e.g. `paths./ledger_accounts: a path item must be an object, not
a list`.

Only the structure the comparison relies on is checked (objects where objects belong, lists
where lists belong, `$ref`s that are strings, security requirements that name a declared
scheme), so a document that is structurally sound but cuts corners elsewhere still compares. A
malformed part is never read as "anything" (which would report changes that are not there, or
hide ones that are).
"""

from __future__ import annotations

from typing import Any

from conformance.diff.errors import DocumentError

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Schema keywords and what each must hold: "schema" a schema, "schemas" a list of them,
# "map" an object of schemas.
_SCHEMA_KEYWORDS = {"items": "schema", "additionalProperties": "schema", "not": "schema",
                    "allOf": "schemas", "anyOf": "schemas", "oneOf": "schemas", "prefixItems": "schemas",
                    "properties": "map", "patternProperties": "map", "$defs": "map"}
_COMPONENT_KINDS = ("schemas", "parameters", "requestBodies", "responses", "headers", "securitySchemes")


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    return "a number"


class _Checker:
    def __init__(self, source: str, document: dict[str, Any]) -> None:
        self.source = source
        self.document = document
        self._seen: set[int] = set()  # schema objects already checked (shared components, YAML aliases)

    def fail(self, where: str, message: str) -> None:
        raise DocumentError(f"{self.source} is not a well-formed OpenAPI document: at {where}: {message}")

    def mapping(self, value: Any, where: str, what: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(where, f"{what} must be an object, not {_kind(value)}")
        return value

    def listing(self, value: Any, where: str, what: str) -> list[Any]:
        if not isinstance(value, list):
            self.fail(where, f"{what} must be a list, not {_kind(value)}")
        return value

    def reference(self, value: Any, where: str, what: str) -> bool:
        """Whether `value` is a `$ref` object (checked); otherwise it must be an object."""
        self.mapping(value, where, what)
        if "$ref" in value:
            if not isinstance(value["$ref"], str):
                self.fail(f"{where}.$ref", f"a $ref must be a string, not {_kind(value['$ref'])}")
            return True
        return False

    # -- the document ------------------------------------------------------------------------
    def check(self) -> None:
        doc = self.document
        paths = self.mapping(doc.get("paths", {}), "paths", "paths")
        for path, item in paths.items():
            where = f"paths.{path}"
            if self.reference(item, where, "a path item"):
                continue
            self.parameters(item.get("parameters"), f"{where}.parameters")
            for method in _METHODS:
                if method in item:
                    self.operation(item[method], f"{where}.{method}")
        if "security" in doc:
            self.security(doc["security"], "security")
        components = self.mapping(doc.get("components", {}), "components", "components")
        for kind in _COMPONENT_KINDS:
            entries = self.mapping(components.get(kind, {}), f"components.{kind}", f"components.{kind}")
            for name, entry in entries.items():
                where = f"components.{kind}.{name}"
                if kind == "schemas":
                    self.schema(entry, where)
                elif kind == "parameters":
                    self.parameter(entry, where)
                elif kind == "requestBodies":
                    self.body(entry, where)
                elif kind == "responses":
                    self.response(entry, where)
                elif kind == "headers":
                    self.header(entry, where)
                else:
                    self.reference(entry, where, "a security scheme")

    def operation(self, operation: Any, where: str) -> None:
        if self.reference(operation, where, "an operation"):
            self.fail(where, "an operation cannot be a $ref")
        self.parameters(operation.get("parameters"), f"{where}.parameters")
        if "requestBody" in operation:
            self.body(operation["requestBody"], f"{where}.requestBody")
        responses = self.mapping(operation.get("responses", {}), f"{where}.responses", "responses")
        for status, response in responses.items():
            self.response(response, f"{where}.responses.{status}")
        if "security" in operation:
            self.security(operation["security"], f"{where}.security")

    def parameters(self, parameters: Any, where: str) -> None:
        if parameters is None:
            return
        for index, parameter in enumerate(self.listing(parameters, where, "parameters")):
            self.parameter(parameter, f"{where}[{index}]")

    def parameter(self, parameter: Any, where: str) -> None:
        if self.reference(parameter, where, "a parameter"):
            return
        for key in ("name", "in"):
            if not isinstance(parameter.get(key), str):
                self.fail(f"{where}.{key}", f"a parameter's {key} must be a string, not {_kind(parameter.get(key))}")
        if "schema" in parameter:
            self.schema(parameter["schema"], f"{where}.schema")
        if "content" in parameter:
            self.content(parameter["content"], f"{where}.content")

    def body(self, body: Any, where: str) -> None:
        if not self.reference(body, where, "a request body"):
            self.content(body.get("content", {}), f"{where}.content")

    def response(self, response: Any, where: str) -> None:
        if self.reference(response, where, "a response"):
            return
        headers = self.mapping(response.get("headers", {}), f"{where}.headers", "headers")
        for name, header in headers.items():
            self.header(header, f"{where}.headers.{name}")
        self.content(response.get("content", {}), f"{where}.content")

    def header(self, header: Any, where: str) -> None:
        if not self.reference(header, where, "a header") and "schema" in header:
            self.schema(header["schema"], f"{where}.schema")

    def content(self, content: Any, where: str) -> None:
        for media_type, media in self.mapping(content, where, "content").items():
            media = self.mapping(media, f"{where}.{media_type}", "a media type")
            if "schema" in media:
                self.schema(media["schema"], f"{where}.{media_type}.schema")

    def security(self, requirements: Any, where: str) -> None:
        schemes = ((self.document.get("components") or {}).get("securitySchemes") or {})
        for index, requirement in enumerate(self.listing(requirements, where, "security")):
            at = f"{where}[{index}]"
            for name, scopes in self.mapping(requirement, at, "a security requirement").items():
                self.listing(scopes, f"{at}.{name}", "the scopes of a security requirement")
                if isinstance(schemes, dict) and name not in schemes:
                    self.fail(f"{at}.{name}", f"names the security scheme {name!r}, which components.securitySchemes "
                                              "does not declare")

    # -- schemas -----------------------------------------------------------------------------
    def schema(self, schema: Any, where: str) -> None:
        if isinstance(schema, bool):
            return  # 3.1: `true` (anything) and `false` (nothing) are schemas
        if id(schema) in self._seen:
            return
        if self.reference(schema, where, "a schema"):
            return
        self._seen.add(id(schema))
        declared = schema.get("type")
        if declared is not None and not isinstance(declared, str) and not (
                isinstance(declared, list) and all(isinstance(name, str) for name in declared)):
            self.fail(f"{where}.type", f"type must be a string or a list of strings, not {_kind(declared)}")
        if "required" in schema and not isinstance(schema["required"], (list, bool)):
            self.fail(f"{where}.required", f"required must be a list, not {_kind(schema['required'])}")
        if "enum" in schema:
            self.listing(schema["enum"], f"{where}.enum", "enum")
        for keyword, holds in _SCHEMA_KEYWORDS.items():
            if keyword not in schema:
                continue
            value, at = schema[keyword], f"{where}.{keyword}"
            if holds == "schema":
                self.schema(value, at)
            elif holds == "schemas":
                for index, member in enumerate(self.listing(value, at, keyword)):
                    self.schema(member, f"{at}[{index}]")
            else:
                for name, member in self.mapping(value, at, keyword).items():
                    self.schema(member, f"{at}.{name}")


def check_structure(document: dict[str, Any], source: str) -> None:
    """DocumentError naming the first place where `document` is not shaped like OpenAPI 3.x."""
    _Checker(source, document).check()
