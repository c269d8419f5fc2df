"""Ledger accounts: synced from the platform (is_external) or created through the API."""

from __future__ import annotations

import sqlite3
from typing import Any

from monite_emulator.model import ids
from monite_emulator.model.clock import render
from monite_emulator.model.ownership import owned_row
from monite_emulator.model.errors import Conflict
from monite_emulator.model.pagination import Query, TokenCodec, page

SORTS = ("name",)  # A22: name is the one sort field
SORT_EXPR = {"name": "COALESCE(name, '')"}
EDITABLE = ("name", "nominal_code", "description")
MAX_LEN = {"name": 500, "nominal_code": 500, "description": 2048}


def to_dict(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "created_at": render(row["created_at"]),
        "updated_at": render(row["updated_at"]),
        "is_bank_account": bool(row["is_bank_account"]),
        "status": row["status"],
        "type": row["type"],
        "currency": row["currency"],
        "current_balance": row["current_balance"],
        "description": row["description"],
        "is_external": bool(row["is_external"]),
        "name": row["name"],
        "nominal_code": row["nominal_code"],
        "subtype": row["subtype"],
    }


def list_page(
    conn: sqlite3.Connection, codec: TokenCodec, entity_id: str, query: Query, limit: int
) -> dict[str, Any]:
    return page(conn, codec, table="ledger_accounts", entity_id=entity_id, query=query,
                sort_expr=SORT_EXPR[query.sort], limit=limit, render=to_dict)


def get(conn: sqlite3.Connection, entity_id: str, account_id: str) -> sqlite3.Row:
    return owned_row(conn, "ledger_accounts", entity_id, account_id, "Ledger account")


def create(conn: sqlite3.Connection, entity_id: str, fields: dict[str, Any], now: str) -> sqlite3.Row:
    # A21: API-created accounts are internal, Active, of type Unknown; omitted fields are null.
    # A12: no connection is needed to create one.
    aid = ids.new_id(conn)
    conn.execute(
        "INSERT INTO ledger_accounts(id, entity_id, name, nominal_code, description, status, type,"
        " subtype, currency, current_balance, is_bank_account, is_external, created_at, updated_at)"
        " VALUES(?, ?, ?, ?, ?, 'Active', 'Unknown', NULL, NULL, NULL, 0, 0, ?, ?)",
        (aid, entity_id, fields.get("name"), fields.get("nominal_code"), fields.get("description"), now, now),
    )
    return get(conn, entity_id, aid)


def patch(
    conn: sqlite3.Connection, entity_id: str, account_id: str, fields: dict[str, Any], now: str
) -> sqlite3.Row:
    row = get(conn, entity_id, account_id)
    sets = [f"{k} = ?" for k in EDITABLE if k in fields]
    values = [fields[k] for k in EDITABLE if k in fields]
    # A19: an empty PATCH is a success and still advances updated_at.
    conn.execute(
        f"UPDATE ledger_accounts SET {', '.join([*sets, 'updated_at = ?'])} WHERE id = ?",
        (*values, now, row["id"]),
    )
    return get(conn, entity_id, row["id"])


def delete(conn: sqlite3.Connection, entity_id: str, account_id: str) -> None:
    row = get(conn, entity_id, account_id)
    if row["is_external"]:
        # A10: accounts that come from the accounting system cannot be deleted here.
        raise Conflict("A ledger account from the accounting system (is_external) cannot be deleted")
    conn.execute("DELETE FROM ledger_accounts WHERE id = ?", (row["id"],))
