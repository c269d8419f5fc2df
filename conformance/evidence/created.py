"""What this run created on the target, from the responses it saw.

A success (2xx) from a create operation adds an entry (with the entity it was created for); a delete or
a disconnect marks it undone. `conformance.safety` reads this to decide which resources the
run may change (only its own) and what to remove after each test.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

# operation that creates -> kind of resource; operation that undoes -> kind
CREATES = {"createLedgerAccount": "ledger_account", "createAccountingConnection": "connection"}
UNDOES = {"deleteLedgerAccount": "ledger_account", "disconnectAccountingConnection": "connection"}
# Operations that change the resource their path names, and what that did to it.
CHANGES = {
    "updateLedgerAccount": "fields changed (restored at the end of the run)",
    "deleteLedgerAccount": "deleted (cannot be restored)",
    "disconnectAccountingConnection": "disconnected (re-authorize it in the accounting system)",
    "syncAccountingConnection": "a sync was started",
    "pushSyncedRecord": "a push was queued",
}


@dataclass(frozen=True)
class Created:
    kind: str
    id: str
    entity_id: str

    def label(self) -> str:
        return f"{self.kind} {self.id}"


@dataclass(frozen=True)
class Change:
    """A change the run made to a resource it did not create (only with --allow-changes-to-existing)."""

    operation_id: str
    id: str
    entity_id: str

    def describe(self) -> str:
        return f"{self.operation_id} {self.id}: {CHANGES[self.operation_id]}"


_lock = threading.Lock()
_open: dict[tuple[str, str], Created] = {}  # created and not undone since the last take()
_ever: set[str] = set()  # ids of everything this process's run created
_tracking_changes = False
_changes: list[Change] = []  # changes to what the run did not create, in order, each once


def note(operation_id: str, status: int, response: Any) -> None:
    """Track creations and removals seen in `response` (an httpx or schemathesis response)."""
    # Any 2xx: the docs give no success status for creating a ledger account (201 is our A27),
    # and a target answering 200 still created something the run must be allowed to remove.
    if operation_id in CREATES and 200 <= status < 300:
        resource_id = _body_id(response)
        entity = _header(response.request, "x-monite-entity-id")
        if resource_id and entity:
            kind = CREATES[operation_id]
            with _lock:
                _open[(kind, resource_id)] = Created(kind, resource_id, entity)
                _ever.add(resource_id)
    elif operation_id in UNDOES and (200 <= status < 300 or status == 404):
        resource_id = _path_id(str(response.request.url), operation_id)
        with _lock:
            _open.pop((UNDOES[operation_id], resource_id), None)
    if _tracking_changes and operation_id in CHANGES and 200 <= status < 300:
        _note_change(operation_id, response)


def track_changes(on: bool) -> None:
    """Record changes to resources the run did not create (a run allowed to make them)."""
    global _tracking_changes
    _tracking_changes = on


def _note_change(operation_id: str, response: Any) -> None:
    resource_id = _path_id(str(response.request.url), operation_id)
    entity = _header(response.request, "x-monite-entity-id") or ""
    change = Change(operation_id, resource_id, entity)
    with _lock:
        if resource_id not in _ever and change not in _changes:
            _changes.append(change)


def changes() -> list[Change]:
    """Every change so far to a resource the run did not create."""
    with _lock:
        return list(_changes)


def is_ours(resource_id: str) -> bool:
    """Whether this run created the resource with that id."""
    with _lock:
        return resource_id in _ever


def take() -> list[Created]:
    """Everything created and not undone since the last call (newest first)."""
    with _lock:
        leftovers = list(_open.values())
        _open.clear()
    return leftovers[::-1]


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
    # .../ledger_accounts/{id}  or  .../accounting_connections/{id}/disconnect (sync, push)
    return parts[-1] if operation_id in ("deleteLedgerAccount", "updateLedgerAccount") else parts[-2]
