"""Tax rates of the connected accounting system (read-only through the API)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from monite_emulator.model.clock import render
from monite_emulator.model.ownership import owned_row
from monite_emulator.model.pagination import Query, TokenCodec, page

SORTS = ("name",)  # A22: name is the one sort field
SORT_EXPR = {"name": "COALESCE(name, '')"}


def to_dict(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "created_at": render(row["created_at"]),
        "updated_at": render(row["updated_at"]),
        "code": row["code"],
        "components": json.loads(row["components"]) if row["components"] else [],
        "description": row["description"],
        "effective_tax_rate": row["effective_tax_rate"],
        "is_external": bool(row["is_external"]),
        "name": row["name"],
        "status": row["status"],
        "total_tax_rate": row["total_tax_rate"],
    }


def list_page(
    conn: sqlite3.Connection, codec: TokenCodec, entity_id: str, query: Query, limit: int
) -> dict[str, Any]:
    # A12: an entity without a connection simply has no tax rates (200, empty page).
    return page(conn, codec, table="tax_rates", entity_id=entity_id, query=query,
                sort_expr=SORT_EXPR[query.sort], limit=limit, render=to_dict)


def get(conn: sqlite3.Connection, entity_id: str, tax_rate_id: str) -> sqlite3.Row:
    return owned_row(conn, "tax_rates", entity_id, tax_rate_id, "Tax rate")
