"""What the entities held before the run, and what the run changed or left behind.

Read in-process from the emulator's store (the harness's access, not the hidden control plane):
every stored column of every connection, ledger account, synced record and tax rate of the
entities. Connections and ledger accounts are what issue 9 names; synced records (push) and tax
rates are compared too, since a push on a pre-existing record is a change of the user's data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from monite_emulator.model.emulator import Emulator

TABLES = {  # kind -> store table
    "connection": "connections",
    "ledger_account": "ledger_accounts",
    "synced_record": "synced_records",
    "tax_rate": "tax_rates",
}
Key = tuple[str, str]  # (kind, id)


@dataclass(frozen=True)
class Snapshot:
    """Every stored field of every resource of some entities (or of all, `entity_ids=None`)."""

    rows: dict[Key, dict[str, Any]]

    def of_kind(self, kind: str) -> dict[str, dict[str, Any]]:
        return {rid: row for (k, rid), row in self.rows.items() if k == kind}

    def count(self, kind: str) -> int:
        return len(self.of_kind(kind))


def take(emulator: Emulator, entity_ids: tuple[str, ...] | None,
         kinds: tuple[str, ...] = tuple(TABLES)) -> Snapshot:
    """Read the resources of `entity_ids` (None: every entity) straight from the store."""
    rows: dict[Key, dict[str, Any]] = {}
    with emulator.store.tx() as conn:
        for kind in kinds:
            sql = f"SELECT * FROM {TABLES[kind]}"
            params: tuple[str, ...] = ()
            if entity_ids is not None:
                sql += f" WHERE entity_id IN ({', '.join('?' for _ in entity_ids)})"
                params = entity_ids
            for row in conn.execute(sql, params):
                rows[(kind, row["id"])] = dict(row)
    return Snapshot(rows)


def jobs_pending(emulator: Emulator) -> bool:
    """Whether a queued sync or push job may change data at the start of the next request."""
    with emulator.store.tx() as conn:
        return conn.execute("SELECT 1 FROM jobs LIMIT 1").fetchone() is not None


@dataclass(frozen=True)
class Change:
    """A pre-existing resource that is no longer as it was."""

    kind: str
    id: str
    entity_id: str
    removed: bool = False
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # name -> (before, after)

    def describe(self) -> str:
        if self.removed:
            return f"{self.kind} {self.id} (entity {self.entity_id}): removed"
        shown = ", ".join(f"{name}: {before!r} -> {after!r}" for name, (before, after) in sorted(self.fields.items()))
        return f"{self.kind} {self.id} (entity {self.entity_id}): {shown}"


@dataclass(frozen=True)
class Leftover:
    """A resource the run created and did not remove (or, for a connection, did not disconnect)."""

    kind: str
    id: str
    entity_id: str
    status: str | None

    def describe(self) -> str:
        state = f", status {self.status}" if self.status else ""
        return f"{self.kind} {self.id} (entity {self.entity_id}{state})"


def changed(before: Snapshot, after: Snapshot) -> list[Change]:
    """The resources of `before` that `after` holds with other values, or no longer holds."""
    changes = []
    for (kind, rid), old in sorted(before.rows.items()):
        new = after.rows.get((kind, rid))
        if new is None:
            changes.append(Change(kind, rid, old["entity_id"], removed=True))
        elif new != old:
            diff = {name: (old.get(name), new.get(name)) for name in sorted(set(old) | set(new))
                    if old.get(name) != new.get(name)}
            changes.append(Change(kind, rid, old["entity_id"], fields=diff))
    return changes


def left_behind(before: Snapshot, after: Snapshot) -> list[Leftover]:
    """Created resources still there: ledger accounts not in `before`, created connections not
    disconnected (the API cannot delete a connection; disconnecting is its undo)."""
    leftovers = []
    for (kind, rid), row in sorted(after.rows.items()):
        if (kind, rid) in before.rows:
            continue
        if kind == "ledger_account":
            leftovers.append(Leftover(kind, rid, row["entity_id"], None))
        elif kind == "connection" and row["status"] != "disconnected":
            leftovers.append(Leftover(kind, rid, row["entity_id"], row["status"]))
    return leftovers
