"""Ids: uuid5 throughout, so the same requests against a fresh or reset emulator give the same ids.

Synced things derive theirs from entity and index; things created through the API from a
sequence kept in the store (reset with it), so ids stay unique for a `--db` file across restarts.
"""

from __future__ import annotations

import re
import sqlite3
import uuid

NAMESPACE = uuid.UUID("6d6f6e69-7465-2d65-6d75-6c61746f7221")


def new_id(conn: sqlite3.Connection) -> str:
    """The next id for a thing created through the API (call inside the creating transaction)."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'created_sequence'").fetchone()
    number = int(row["value"]) + 1 if row else 1
    conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES('created_sequence', ?)", (str(number),))
    return derived_id("created", number)


def derived_id(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts)))


_CANONICAL = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def is_canonical(value: str) -> bool:
    """Lower-case hex in 8-4-4-4-12 groups: what ``str(uuid.UUID(...))`` gives."""
    return _CANONICAL.fullmatch(value) is not None


def normalize(value: str) -> str | None:
    """The canonical form of a uuid, or None when ``value`` is not one."""
    if isinstance(value, str) and _CANONICAL.fullmatch(value):
        return value  # already canonical (the common case): what str(uuid.UUID(value)) gives
    try:
        if len(value) > 64:
            return None
        return str(uuid.UUID(value))
    except (ValueError, AttributeError, TypeError):
        return None
