"""The spec's operations as the report sees them: id, method, path template, tag, statuses.

One place answers "which operation is `GET /v1/ledger_accounts/abc`?" (the recorder's
question) and "which operations does `--only ledger-accounts` mean?" (the CLI's question),
both from the spec itself, so the report never lists an operation the spec does not have.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# The API's reserved base path (docs: api/concepts/versioning); spec paths are relative to it.
BASE_PATH = "/v1"
# Property tests are parametrized per operation; their ids carry "METHOD /path" (schemathesis).
_TEST_ID_OPERATION = re.compile(r"\b(GET|PUT|POST|DELETE|OPTIONS|HEAD|PATCH|TRACE) (/[^\]\s|]*)")


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str  # upper case
    path: str  # the spec's template, without /v1
    tags: tuple[str, ...]
    statuses: tuple[str, ...]  # documented response keys, as in the spec ("200", "4XX", "default")

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"

    def documents(self, status: int) -> bool:
        """Whether the spec documents `status` for this operation (ranges and default count)."""
        code = str(status)
        return any(key == code or (len(key) == 3 and key.upper().endswith("XX") and key[0] == code[0])
                   or key == "default" for key in self.statuses)


class Catalog:
    """Every operation of a spec, with lookups by request, by test id and by name or tag."""

    def __init__(self, operations: list[Operation]) -> None:
        self.operations = operations
        self.by_id = {op.operation_id: op for op in operations}
        self.tags = sorted({tag for op in operations for tag in op.tags})
        # Literal segments before templated ones, so /x/sync wins over /x/{id} when both exist.
        self._matchers = sorted(
            ((op.method, _template_regex(op.path), op) for op in operations),
            key=lambda entry: entry[2].path.count("{"),
        )

    @classmethod
    def from_spec(cls, spec: dict[str, Any]) -> "Catalog":
        operations = []
        for path, item in (spec.get("paths") or {}).items():
            for method in HTTP_METHODS:
                entry = (item or {}).get(method)
                if not isinstance(entry, dict):
                    continue
                operations.append(Operation(
                    operation_id=entry.get("operationId") or f"{method.upper()} {path}",
                    method=method.upper(),
                    path=_strip_base(path),
                    tags=tuple(entry.get("tags") or ()),
                    statuses=tuple(sorted(str(code) for code in (entry.get("responses") or {}))),
                ))
        return cls(operations)

    def match(self, method: str, url_or_path: str) -> Operation | None:
        """The operation a request addressed, or None (control plane, unknown path)."""
        path = _strip_base(urlsplit(url_or_path).path or "/")
        method = method.upper()
        for op_method, regex, op in self._matchers:
            if op_method == method and regex.fullmatch(path):
                return op
        return None

    def on_path(self, url_or_path: str) -> list[Operation]:
        """Every operation of the (most specific) path template that matches, whatever the method."""
        path = _strip_base(urlsplit(url_or_path).path or "/")
        for _, regex, op in self._matchers:
            if regex.fullmatch(path):
                return [other for other in self.operations if other.path == op.path]
        return []

    def from_test_id(self, nodeid: str) -> Operation | None:
        """The operation a parametrized test id names: "test_x[getTaxRate]" or "... [GET /path]"."""
        found = _TEST_ID_OPERATION.search(nodeid)
        if found:
            method, path = found.groups()
            path = _strip_base(path)
            for op in self.operations:
                if op.method == method and op.path == path:
                    return op
        params = nodeid.rpartition("::")[2].partition("[")[2].rstrip("]")
        for word in re.split(r"[-\[\]]", params):
            if word in self.by_id:
                return self.by_id[word]
        return None

    def resolve(self, names: list[str]) -> set[str]:
        """Operation ids meant by names that are operation ids or tags; ValueError on unknown."""
        chosen: set[str] = set()
        for name in names:
            if name in self.by_id:
                chosen.add(name)
            elif name in self.tags:
                chosen.update(op.operation_id for op in self.operations if name in op.tags)
            else:
                raise ValueError(
                    f"{name!r} is neither an operation id nor a tag of the spec "
                    f"(tags: {', '.join(self.tags)})"
                )
        return chosen

    def status_columns(self) -> list[str]:
        """Every documented status key of any operation, in numeric order."""
        keys = {key for op in self.operations for key in op.statuses}
        return sorted(keys, key=_status_order)


def _status_order(key: str) -> tuple[int, str]:
    return (int(key), key) if key.isdigit() else (int(key[0]) * 100 + 99 if key[0].isdigit() else 999, key)


def _strip_base(path: str) -> str:
    if path == BASE_PATH:
        return "/"
    if path.startswith(BASE_PATH + "/"):
        return path[len(BASE_PATH):]
    return path


def _template_regex(template: str) -> re.Pattern[str]:
    pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
    return re.compile(pattern + "/?")


@lru_cache(maxsize=1)
def spec_catalog() -> Catalog:
    """The catalog of the spec the suite ships (conformance.openapi.files)."""
    from conformance.openapi.files import load_spec

    return Catalog.from_spec(load_spec())


def documented_key(op: Operation, status: int) -> str | None:
    """The documented response key that covers `status`: the exact code, then `4XX`, then `default`."""
    code = str(status)
    if code in op.statuses:
        return code
    for key in op.statuses:
        if len(key) == 3 and key.upper().endswith("XX") and key[0] == code[0]:
            return key
    return "default" if "default" in op.statuses else None
