"""Synced records: the log of objects exchanged with the accounting platform."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from monite_emulator.model.clock import render
from monite_emulator.model.ownership import owned_row
from monite_emulator.model.errors import Conflict
from monite_emulator.model.pagination import Query, TokenCodec, page

OBJECT_TYPES = ("product", "customer", "vendor", "receivable", "bill", "payment_record")
SORTS = ("created_at", "updated_at")
DATE_FILTERS = tuple(
    f"{field}__{op}" for field in ("created_at", "updated_at") for op in ("gt", "lt", "gte", "lte")
)
_OPS = {"gt": ">", "lt": "<", "gte": ">=", "lte": "<="}


def to_dict(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "created_at": render(row["created_at"]),
        "updated_at": render(row["updated_at"]),
        "last_pulled_at": render(row["last_pulled_at"]),
        "object_type": row["object_type"],
        "sync_status": row["sync_status"],
        "errors": json.loads(row["errors"]) if row["errors"] else {},
        "object_id": row["object_id"],
        "object_updated_at": render(row["object_updated_at"]),
        "platform": row["platform"],
        "platform_object_id": row["platform_object_id"],
        "platform_updated_at": render(row["platform_updated_at"]),
        "provider": row["provider"],
        "provider_object_id": row["provider_object_id"],
        "provider_updated_at": render(row["provider_updated_at"]),
    }


def list_page(
    conn: sqlite3.Connection, codec: TokenCodec, entity_id: str, query: Query, limit: int
) -> dict[str, Any]:
    f = query.filters
    where, params = " AND object_type = ?", [f["object_type"]]
    if f.get("object_id"):
        where += " AND object_id = ?"
        params.append(f["object_id"])
    if f.get("object_id__in"):
        values = list(f["object_id__in"])
        where += f" AND object_id IN ({','.join('?' * len(values))})"
        params.extend(values)
    for name in DATE_FILTERS:
        if f.get(name):
            field, op = name.split("__")
            where += f" AND {field} {_OPS[op]} ?"
            params.append(f[name])
    return page(conn, codec, table="synced_records", entity_id=entity_id, query=query,
                sort_expr=query.sort, limit=limit, render=to_dict, where=where, params=params)


def get(conn: sqlite3.Connection, entity_id: str, record_id: str) -> sqlite3.Row:
    return owned_row(conn, "synced_records", entity_id, record_id, "Synced record")


def push(conn: sqlite3.Connection, entity_id: str, record_id: str, now: str, due: str) -> sqlite3.Row:
    row = get(conn, entity_id, record_id)
    connected = conn.execute(
        "SELECT id FROM connections WHERE entity_id = ? AND status = 'connected'", (entity_id,)
    ).fetchone()
    if connected is None:
        # A15: pushing needs a connected accounting system.
        raise Conflict("The entity has no connected accounting system to push to")
    # A15: any record may be (re-)pushed; it goes back to pending until the push job settles it.
    conn.execute(
        "UPDATE synced_records SET sync_status = 'pending', errors = '{}', updated_at = ? WHERE id = ?",
        (now, row["id"]),
    )
    conn.execute(
        "INSERT INTO jobs(kind, entity_id, connection_id, record_id, due_at, created_at)"
        " VALUES('push', ?, ?, ?, ?, ?)",
        (entity_id, connected["id"], row["id"], due, now),
    )
    return get(conn, entity_id, row["id"])
