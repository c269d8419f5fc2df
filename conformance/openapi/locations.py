"""Where a part of an OpenAPI document is written: JSON pointer -> line in its YAML (or JSON) file.

SARIF results point code scanning at the line of the operation or schema a finding is about, so
a pull request gets its annotation on `spec/…yaml`. PyYAML's composed nodes carry the line of
each key (`start_mark`); a pointer that names nothing in the file (a part an overlay added, a
field the check derived) falls back to its nearest ancestor that is written there.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from conformance.openapi.files import SAFE_LOADER, parse_yaml

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class SpecLocation:
    """A place in a file: its path (as given) and a 1-based line."""

    path: Path
    line: int


def escape(token: str) -> str:
    """One JSON-pointer reference token (RFC 6901): `~` -> `~0`, `/` -> `~1`."""
    return token.replace("~", "~0").replace("/", "~1")


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


class SpecLines:
    """The lines of every node of one document, by JSON pointer; and its operations by id."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lines: dict[str, int] = {}
        self.operations: dict[str, str] = {}  # operationId -> pointer of the operation
        self.routes: dict[tuple[str, str], str] = {}  # (METHOD, /path) -> pointer of the operation
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text, Loader=SAFE_LOADER)
        if root is not None:
            self.lines[""] = root.start_mark.line + 1
            self._walk(root, "")
        self._index_operations(text)

    def _walk(self, node: yaml.Node, pointer: str) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = f"{pointer}/{escape(str(key.value))}"
                self.lines.setdefault(child, key.start_mark.line + 1)
                self._walk(value, child)
        elif isinstance(node, yaml.SequenceNode):
            for index, value in enumerate(node.value):
                child = f"{pointer}/{index}"
                self.lines.setdefault(child, value.start_mark.line + 1)
                self._walk(value, child)

    def _index_operations(self, text: str) -> None:
        for pointer in self.lines:
            parts = pointer.split("/")
            if len(parts) == 4 and parts[1] == "paths" and parts[3] in HTTP_METHODS:
                self.routes[(parts[3].upper(), _unescape(parts[2]))] = pointer
        document: Any = parse_yaml(text) or {}
        for path, item in (document.get("paths") or {}).items():
            for method, operation in (item or {}).items() if isinstance(item, dict) else ():
                if method in HTTP_METHODS and isinstance(operation, dict) and operation.get("operationId"):
                    self.operations[str(operation["operationId"])] = f"/paths/{escape(path)}/{method}"

    def line_of(self, pointer: str) -> int:
        """The line of `pointer`, else of its nearest ancestor written in the file (1 at worst)."""
        while pointer and pointer not in self.lines:
            pointer = pointer.rsplit("/", 1)[0]
        return self.lines.get(pointer, 1)

    def operation_pointer(self, operation: str) -> str | None:
        """The pointer of an operation named by its id or as "METHOD /path" (with or without /v1)."""
        if operation in self.operations:
            return self.operations[operation]
        method, _, path = operation.partition(" ")
        for candidate in (path, path.removeprefix("/v1")):
            found = self.routes.get((method.upper(), candidate))
            if found is not None:
                return found
        return None

    def locate(self, operation: str | None, *below: str) -> SpecLocation:
        """The line of an operation (and of a part below it, e.g. "responses", "200"), else the
        document's `paths`, so a finding never lacks a place."""
        pointer = self.operation_pointer(operation) if operation else None
        if pointer is None:
            return SpecLocation(self.path, self.line_of("/paths"))
        return SpecLocation(self.path, self.line_of("/".join([pointer, *(escape(part) for part in below)])))


@lru_cache(maxsize=8)
def spec_lines(path: Path) -> SpecLines:
    """The (cached) lines of the document at `path`."""
    return SpecLines(path)
