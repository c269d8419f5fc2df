"""Entities are isolated: a row is found only through the entity that owns it.

One lookup for every resource, so no model module can forget the entity filter.
"""

from __future__ import annotations

import sqlite3

from monite_emulator.model import ids
from monite_emulator.model.errors import NotFound


def owned_row(conn: sqlite3.Connection, table: str, entity_id: str | None, raw_id: str,
              what: str) -> sqlite3.Row:
    """The row `raw_id` of `table` owned by `entity_id` (any entity when None, for the control plane).

    An unknown id, another entity's id and a non-uuid id all read as "not found" (A7).
    """
    row_id = ids.normalize(raw_id)
    row = None
    if row_id:
        if entity_id is None:
            row = conn.execute(f"SELECT * FROM {table} WHERE id = ?", (row_id,)).fetchone()
        else:
            row = conn.execute(f"SELECT * FROM {table} WHERE id = ? AND entity_id = ?",
                               (row_id, entity_id)).fetchone()
    if row is None:
        raise NotFound(f"{what} not found")  # A7
    return row
