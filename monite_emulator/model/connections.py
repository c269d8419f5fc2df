"""Accounting connections and their lifecycle.

pending_auth --(entity user completes connection_url / control authorize)--> connected
pending_auth|connected --(disconnect)--> disconnected
pending_auth|connected --(control deauthorize)--> deauthorized
Only one active (pending_auth or connected) connection per entity (A5).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from monite_emulator.model import ids
from monite_emulator.model.clock import render
from monite_emulator.model.ownership import owned_row
from monite_emulator.model.errors import Conflict

ACTIVE = ("pending_auth", "connected")
PLATFORMS = ("xero", "quickbooks_online", "quickbooks_online_sandbox", "quickbooks")
DEFAULT_PLATFORM = "xero"  # A11

BUSINESS_INFO = {
    "base_currency": "EUR",
    "email": "accounts@emulated-company.example",
    "legal_name": "Emulated Company GmbH",
    "name": "Emulated Company",
    "type": "Company",
}


def to_dict(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "created_at": render(row["created_at"]),
        "updated_at": render(row["updated_at"]),
        "connection_url": row["connection_url"],
        "business_info": json.loads(row["business_info"]) if row["business_info"] else None,
        "errors": json.loads(row["errors"]) if row["errors"] else [],
        "last_pull": render(row["last_pull"]),
        "platform": row["platform"],
        "status": row["status"],
    }


def list_for(conn: sqlite3.Connection, entity_id: str) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT * FROM connections WHERE entity_id = ? ORDER BY created_at, seq", (entity_id,)
    ).fetchall()


def get(conn: sqlite3.Connection, entity_id: str | None, connection_id: str) -> sqlite3.Row:
    return owned_row(conn, "connections", entity_id, connection_id, "Accounting connection")


def active_for(conn: sqlite3.Connection, entity_id: str) -> sqlite3.Row | None:
    return conn.execute(
        "SELECT * FROM connections WHERE entity_id = ? AND status IN ('pending_auth','connected')",
        (entity_id,),
    ).fetchone()


def create(
    conn: sqlite3.Connection, entity_id: str, platform: str, now: str, base_url: str
) -> sqlite3.Row:
    if active_for(conn, entity_id) is not None:
        # A5: one active connection per entity; the second gets 409.
        raise Conflict(
            "The entity already has an active accounting connection; disconnect it first"
        )
    cid = ids.new_id(conn)
    seq = conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM connections").fetchone()[0]
    url = f"{base_url.rstrip('/')}/_emulator/connect/{cid}"  # A23
    try:
        conn.execute(
            "INSERT INTO connections(id, entity_id, platform, status, connection_url, business_info,"
            " errors, last_pull, created_at, updated_at, seq)"
            " VALUES(?, ?, ?, 'pending_auth', ?, NULL, '[]', NULL, ?, ?, ?)",
            (cid, entity_id, platform, url, now, now, seq),
        )
    except sqlite3.IntegrityError:
        raise Conflict("The entity already has an active accounting connection") from None
    return get(conn, entity_id, cid)


DEAUTHORIZED_MESSAGE = "The authorization was revoked in the accounting platform; reconnect."


def set_status(conn: sqlite3.Connection, row: sqlite3.Row, status: str, now: str,
               message: str = DEAUTHORIZED_MESSAGE) -> sqlite3.Row:
    errors = "[]"
    info = row["business_info"]
    if status == "connected":
        info = json.dumps(BUSINESS_INFO)
    if status == "deauthorized":
        errors = json.dumps([{"message": message}])
    conn.execute(
        "UPDATE connections SET status = ?, errors = ?, business_info = ?, updated_at = ? WHERE id = ?",
        (status, errors, info, now, row["id"]),
    )
    return get(conn, None, row["id"])


def authorize(conn: sqlite3.Connection, row: sqlite3.Row, now: str) -> sqlite3.Row:
    """The entity user completes authorization (connection_url) or the control plane does."""
    if row["status"] == "connected":
        return row
    if row["status"] == "pending_auth":
        return set_status(conn, row, "connected", now)
    # deauthorized / disconnected: re-authorize only if no other connection is active
    other = active_for(conn, row["entity_id"])
    if other is not None and other["id"] != row["id"]:
        raise Conflict("The entity already has another active accounting connection")
    if row["status"] == "disconnected":
        raise Conflict("A disconnected connection cannot be authorized; create a new one")
    return set_status(conn, row, "connected", now)


def deauthorize(conn: sqlite3.Connection, row: sqlite3.Row, now: str) -> sqlite3.Row:
    if row["status"] not in ACTIVE and row["status"] != "deauthorized":
        raise Conflict(f"A {row['status']} connection cannot be deauthorized")
    return set_status(conn, row, "deauthorized", now)


def disconnect(conn: sqlite3.Connection, row: sqlite3.Row, now: str) -> sqlite3.Row:
    if row["status"] == "disconnected":
        return row  # A6: idempotent
    conn.execute("DELETE FROM jobs WHERE connection_id = ? AND kind = 'sync'", (row["id"],))
    return set_status(conn, row, "disconnected", now)
