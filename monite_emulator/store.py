"""SQLite store: in-memory by default, a file with ``--db PATH``.

One connection per emulator, guarded by a re-entrant lock; every model operation that
writes, or reads with more than one statement, runs in one ``BEGIN IMMEDIATE`` transaction,
so concurrent callers (the fixture's test thread, or two emulator processes sharing a file)
never lose an update; a read of one statement needs none (``read``). A partial unique index makes a
second active connection per entity impossible even if a rule were bypassed (A5).
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY, client_id TEXT NOT NULL, grant_type TEXT NOT NULL,
    entity_user_id TEXT, entity_id TEXT, expires_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS connections (
    id TEXT PRIMARY KEY, entity_id TEXT NOT NULL, platform TEXT NOT NULL, status TEXT NOT NULL,
    connection_url TEXT, business_info TEXT, errors TEXT, last_pull TEXT,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, seq INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS connections_one_active
    ON connections(entity_id) WHERE status IN ('pending_auth', 'connected');
CREATE TABLE IF NOT EXISTS synced_records (
    id TEXT PRIMARY KEY, entity_id TEXT NOT NULL, object_type TEXT NOT NULL, idx INTEGER NOT NULL,
    object_id TEXT NOT NULL, sync_status TEXT NOT NULL, errors TEXT, permanent_failure INTEGER NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, last_pulled_at TEXT,
    object_updated_at TEXT, platform TEXT, platform_object_id TEXT, platform_updated_at TEXT,
    provider TEXT, provider_object_id TEXT, provider_updated_at TEXT
);
CREATE INDEX IF NOT EXISTS synced_records_entity ON synced_records(entity_id, object_type);
CREATE TABLE IF NOT EXISTS tax_rates (
    id TEXT PRIMARY KEY, entity_id TEXT NOT NULL, code TEXT, name TEXT, status TEXT,
    components TEXT, effective_tax_rate INTEGER, total_tax_rate INTEGER, description TEXT,
    is_external INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tax_rates_entity ON tax_rates(entity_id);
CREATE TABLE IF NOT EXISTS ledger_accounts (
    id TEXT PRIMARY KEY, entity_id TEXT NOT NULL, name TEXT, nominal_code TEXT, description TEXT,
    status TEXT, type TEXT, subtype TEXT, currency TEXT, current_balance INTEGER,
    is_bank_account INTEGER NOT NULL, is_external INTEGER NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ledger_accounts_entity ON ledger_accounts(entity_id);
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, entity_id TEXT NOT NULL,
    connection_id TEXT, record_id TEXT, due_at TEXT NOT NULL, created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_due ON jobs(due_at);
"""

DATA_TABLES = ("tokens", "connections", "synced_records", "tax_rates", "ledger_accounts", "jobs")


class Store:
    def __init__(self, path: str | None = None) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._depth = 0
        self._conn = sqlite3.connect(
            path or ":memory:", check_same_thread=False, isolation_level=None, timeout=10.0
        )
        self._conn.row_factory = sqlite3.Row
        if path:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA busy_timeout=10000")
        with self._lock:
            self._conn.executescript(SCHEMA)

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """One transaction (nested calls join the outer one)."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self._conn
                finally:
                    self._depth -= 1
                return
            self._conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self._conn
            except BaseException:
                self._depth = 0
                self._conn.execute("ROLLBACK")
                raise
            self._depth = 0
            self._conn.execute("COMMIT")

    def read(self) -> "_Read":
        """For a read of ONE statement: it is atomic on its own, so it needs no explicit
        transaction (two fewer statements on the hot path). Inside a transaction, it joins it.
        ``with store.read() as conn:`` (a plain class, cheaper than a generator context manager)."""
        return _Read(self._lock, self._conn)

    def any_row(self, sql: str, params: tuple = ()) -> bool:
        """Whether a read-only query returns a row (one statement)."""
        with self.read() as conn:
            return conn.execute(sql, params).fetchone() is not None

    def secret(self) -> bytes:
        """The per-store secret that signs pagination tokens (kept in the file with --db)."""
        with self.tx() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key='secret'").fetchone()
            if row:
                return bytes.fromhex(row["value"])
            value = secrets.token_bytes(32)
            conn.execute("INSERT INTO meta(key, value) VALUES('secret', ?)", (value.hex(),))
            return value

    def reset(self) -> None:
        with self.tx() as conn:
            for table in DATA_TABLES:
                conn.execute(f"DELETE FROM {table}")
            conn.execute("DELETE FROM meta WHERE key = 'created_sequence'")

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class _Read:
    __slots__ = ("lock", "conn")

    def __init__(self, lock: threading.RLock, conn: sqlite3.Connection) -> None:
        self.lock, self.conn = lock, conn

    def __enter__(self) -> sqlite3.Connection:
        self.lock.acquire()
        return self.conn

    def __exit__(self, *exc: object) -> None:
        self.lock.release()
