"""Which operations are compared, and under which name.

Paths are compared without the reserved `/v1` prefix (Monite's published document and our spec
put it in the server URL or in the path, depending on the generator) and with path parameters
matched by position, so `/ledger_accounts/{id}` and `/ledger_accounts/{ledger_account_id}` are
the same operation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from conformance.diff.normalize import Document

# The operations our spec covers (facts: accounting connections, synced records, tax rates,
# ledger accounts, and the token endpoint), matched against the path without `/v1`.
DEFAULT_PATHS = re.compile(
    r"^/(accounting_connections|accounting_synced_records|accounting_tax_rates|ledger_accounts|auth/token)(/|$)")
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_PARAMETER = re.compile(r"\{[^}/]*\}")


@dataclass
class Operation:
    """One operation of one document, its parameters (path-level ones included) dereferenced."""

    method: str
    path: str
    raw: dict[str, Any]
    parameters: list[dict[str, Any]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def path_names(self) -> list[str]:
        """The path parameters' names in template order (they are matched by position)."""
        return [match.group(0)[1:-1] for match in _PARAMETER.finditer(self.path)]


def strip_prefix(path: str) -> str:
    """`/v1/ledger_accounts` → `/ledger_accounts` (the version prefix is not part of the contract)."""
    if path == "/v1":
        return "/"
    return path[3:] if path.startswith("/v1/") else path


def path_key(path: str) -> str:
    """The path with parameter names erased: what makes two paths the same."""
    return _PARAMETER.sub("{}", path)


def select_operations(document: Document, paths: re.Pattern[str] | None) -> dict[tuple[str, str], Operation]:
    """Operations whose prefix-free path matches `paths` (None: all), keyed by (method, path key)."""
    selected: dict[tuple[str, str], Operation] = {}
    raw_paths = document.doc.get("paths") or {}
    if not isinstance(raw_paths, dict):
        return selected
    for raw_path in sorted(raw_paths, key=str):
        path = strip_prefix(str(raw_path))
        if paths is not None and not paths.search(path):
            continue
        item = document.deref(raw_paths[raw_path])
        shared = _parameters(document, item.get("parameters"))
        for method in METHODS:
            raw = item.get(method)
            if not isinstance(raw, dict):
                continue
            own = _parameters(document, raw.get("parameters"))
            merged = {(p.get("in"), p.get("name")): p for p in shared}
            merged.update({(p.get("in"), p.get("name")): p for p in own})
            selected[(method, path_key(path))] = Operation(method, path, raw, list(merged.values()))
    return selected


def _parameters(document: Document, raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        return []
    found = [document.deref(parameter) for parameter in raw]
    return [p for p in found if isinstance(p.get("name"), str) and isinstance(p.get("in"), str)]
