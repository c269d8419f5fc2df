"""Undo what a test created on a remote target, even when the test failed or was interrupted.

Scenarios clean up after themselves; generated property tests (schemathesis) do not know
what they created. The recorder passes every response here: a 201 from a create operation
opens an entry (with the entity it was created for), a delete or disconnect closes it, and
after each test whatever is still open is deleted (ledger accounts) or disconnected
(connections) with the suite's partner token. The emulator needs none of this: it is thrown
away with the run.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from conformance.pacing import send_paced

# operation that creates -> (kind, operation that undoes, path of the undo)
CREATES = {
    "createLedgerAccount": "ledger_account",
    "createAccountingConnection": "connection",
}
UNDOES = {"deleteLedgerAccount": "ledger_account", "disconnectAccountingConnection": "connection"}
_UNDO_REQUEST = {
    "ledger_account": ("DELETE", "/ledger_accounts/{id}"),
    "connection": ("POST", "/accounting_connections/{id}/disconnect"),
}


@dataclass(frozen=True)
class Created:
    kind: str
    id: str
    entity_id: str

    def label(self) -> str:
        return f"{self.kind} {self.id}"


_lock = threading.Lock()
_open: dict[tuple[str, str], Created] = {}


def note(operation_id: str, status: int, response: Any) -> None:
    """Track creations and removals seen in `response` (from the recorder)."""
    if operation_id in CREATES and status == 201:
        resource_id = _body_id(response)
        entity = _header(response.request, "x-monite-entity-id")
        if resource_id and entity:
            with _lock:
                _open[(CREATES[operation_id], resource_id)] = Created(CREATES[operation_id], resource_id, entity)
    elif operation_id in UNDOES and (200 <= status < 300 or status == 404):
        resource_id = _path_id(str(response.request.url), operation_id)
        with _lock:
            _open.pop((UNDOES[operation_id], resource_id), None)


def take() -> list[Created]:
    """Everything created and not undone since the last call (newest first)."""
    with _lock:
        leftovers = list(_open.values())
        _open.clear()
    return leftovers[::-1]


def remove(leftovers: list[Created], base_url: str, api_version: str, token: Callable[[], str],
           http: httpx.Client) -> list[str]:
    """Undo each leftover; return what could not be undone (one line each, no secrets)."""
    failures = []
    for item in leftovers:
        method, path = _UNDO_REQUEST[item.kind]
        headers = {"x-monite-version": api_version, "x-monite-entity-id": item.entity_id,
                   "authorization": f"Bearer {token()}"}
        url = base_url + path.format(id=item.id)
        try:
            response = send_paced(lambda: http.request(method, url, headers=headers))
        except httpx.HTTPError as exc:
            failures.append(f"{item.label()}: {type(exc).__name__}")
            continue
        if not (200 <= response.status_code < 300 or response.status_code == 404):
            failures.append(f"{item.label()}: {method} answered {response.status_code}")
    return failures


def _body_id(response: Any) -> str | None:
    try:
        body = json.loads(getattr(response, "content", b"") or b"{}")
    except ValueError:
        return None
    value = body.get("id") if isinstance(body, dict) else None
    return value if isinstance(value, str) else None


def _header(request: Any, name: str) -> str | None:
    for key, value in dict(getattr(request, "headers", {}) or {}).items():
        if str(key).lower() == name:
            return str(value)
    return None


def _path_id(url: str, operation_id: str) -> str:
    parts = url.split("?", 1)[0].rstrip("/").split("/")
    # .../ledger_accounts/{id}  or  .../accounting_connections/{id}/disconnect
    return parts[-1] if operation_id == "deleteLedgerAccount" else parts[-2]
