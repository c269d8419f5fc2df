"""The Emulator: the domain model's entry point. Each method is one store transaction.

The API's operations and the control plane's (reset, seed, authorize, jobs, clock, rate
limit, faults) are all here, so the HTTP layer only parses requests and calls one method.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from monite_emulator.model import auth, connections, ledger_accounts, synced_records, sync_jobs, tax_rates
from monite_emulator.model.clock import Clock, canon
from monite_emulator.model.errors import Conflict
from monite_emulator.model.faults import FaultBook, FaultRule
from monite_emulator.model.pagination import Query, TokenCodec
from monite_emulator.model.ratelimit import RateLimiter
from monite_emulator.settings import EmulatorSettings
from monite_emulator.store import Store


log = logging.getLogger("monite_emulator.faults")
MAX_KEPT_TOKENS = 4096  # partner tokens whose rows authenticate keeps (then it starts afresh)


class Emulator:
    def __init__(self, settings: EmulatorSettings | None = None, operations: Iterable[str] = ()) -> None:
        """`operations`: the operation ids fault rules may name (given by the HTTP layer)."""
        self.settings = settings or EmulatorSettings()
        self.store = Store(self.settings.db_path)
        self.clock = Clock()
        self.codec = TokenCodec(self.store.secret())
        self.limiter = RateLimiter(self.settings.rate_limit_per_second, offset=self.clock.offset_seconds)
        self.sync_delay = float(self.settings.sync_delay_seconds)
        self.faults = FaultBook(operations)
        self._next_due: datetime | None = None
        self._partner_tokens: dict[str, dict[str, Any]] = {}  # in memory only: see authenticate
        for spec in self.settings.faults:
            self.faults.add(spec)

    # --- time & jobs -------------------------------------------------------------------
    def now(self) -> str:
        return canon(self.clock.now())

    def _due(self) -> str:
        return canon(self.clock.now() + timedelta(seconds=self.sync_delay))

    def run_due_jobs(self) -> int:
        """Run the sync and push jobs that are due (design: at the start of every request).

        In memory, only this model queues jobs, so it knows when the next one is due and the
        common case (nothing due) costs no query; a ``--db`` file may be shared with another
        emulator process, so there one indexed read asks.
        """
        if self.store.path is None:
            if self._next_due is None:
                return 0
            now = self.clock.now()
            if now < self._next_due:
                return 0
        else:
            now = self.clock.now()
            if not self.store.any_row("SELECT 1 FROM jobs WHERE due_at <= ? LIMIT 1", (canon(now),)):
                return 0
        with self.store.tx() as conn:
            ran = sync_jobs.run(conn, now, due_only=True, faults=self.faults)
            self._next_due = sync_jobs.next_due(conn)
            return ran

    def run_all_jobs(self) -> int:
        """Run every queued job now, due or not (control plane: POST /_emulator/jobs/run)."""
        with self.store.tx() as conn:
            ran = sync_jobs.run(conn, self.clock.now(), due_only=False, faults=self.faults)
            self._next_due = sync_jobs.next_due(conn)
            return ran

    def _queued(self, conn: Any) -> None:
        """A job was queued (call inside its transaction): remember when the next one is due."""
        self._next_due = sync_jobs.next_due(conn)

    # --- auth ----------------------------------------------------------------------------
    def issue_token(self, client_id: str, client_secret: str, grant_type: str,
                    entity_user_id: str | None, entity_id: str | None) -> dict[str, Any]:
        ttl = int(self.settings.token_ttl_seconds)
        with self.store.tx() as conn:
            token = auth.issue(
                conn, expected_id=self.settings.client_id, expected_secret=self.settings.client_secret,
                client_id=client_id, client_secret=client_secret, grant_type=grant_type,
                entity_user_id=entity_user_id, entity_id=entity_id,
                expires_at=canon(self.clock.now() + timedelta(seconds=ttl)),
            )
        return {"access_token": token, "token_type": "Bearer", "expires_in": ttl}

    def authenticate(self, token: str) -> auth.Principal:
        """The token's principal (A2), from its row in the store (one SELECT).

        In memory, a partner token's row is read once and kept: only this model writes the
        tokens table, a partner token's row never changes after it is issued (an entity-user
        token's is bound on first use, A26, so it is always read), and ``reset`` forgets them.
        Expiry is checked on every call, against the emulator's clock. A ``--db`` file may be
        shared with another emulator process, so there every call reads."""
        now = self.now()
        row = self._partner_tokens.get(token)
        if row is not None:
            return auth.admit(row, now)
        with self.store.read() as conn:
            row = auth.token_row(conn, token)
            principal = auth.admit(row, now)
            if self.store.path is None and not auth.is_entity_scoped(principal):
                if len(self._partner_tokens) >= MAX_KEPT_TOKENS:
                    self._partner_tokens.clear()
                self._partner_tokens[token] = dict(row)  # under the store's lock: a reset clears it after
        return principal

    def check_entity(self, principal: auth.Principal, entity_id: str) -> None:
        if not auth.is_entity_scoped(principal):
            return  # A4: a partner token acts on every entity; nothing to look up
        with self.store.tx() as conn:
            auth.check_entity(conn, principal, entity_id)

    # --- connections -------------------------------------------------------------------
    def list_connections(self, entity_id: str) -> dict[str, Any]:
        with self.store.tx() as conn:
            return {"data": [connections.to_dict(r) for r in connections.list_for(conn, entity_id)]}

    def create_connection(self, entity_id: str, platform: str, base_url: str) -> dict[str, Any]:
        with self.store.tx() as conn:
            return connections.to_dict(connections.create(conn, entity_id, platform, self.now(), base_url))

    def get_connection(self, entity_id: str, connection_id: str) -> dict[str, Any]:
        with self.store.read() as conn:
            return connections.to_dict(connections.get(conn, entity_id, connection_id))

    def disconnect(self, entity_id: str, connection_id: str) -> dict[str, Any]:
        with self.store.tx() as conn:
            row = connections.get(conn, entity_id, connection_id)
            return connections.to_dict(connections.disconnect(conn, row, self.now()))

    def sync(self, entity_id: str, connection_id: str) -> dict[str, Any]:
        with self.store.tx() as conn:
            row = connections.get(conn, entity_id, connection_id)
            if row["status"] != "connected":
                # A6: only a connected connection can sync.
                raise Conflict(f"The connection is {row['status']}; only a connected connection can sync")
            sync_jobs.queue_sync(conn, row, self.now(), self._due())
            self._queued(conn)
        return {"message": "Started connection data sync."}

    def authorize(self, connection_id: str) -> dict[str, Any]:
        with self.store.tx() as conn:
            row = connections.get(conn, None, connection_id)
            return connections.to_dict(connections.authorize(conn, row, self.now()))

    def deauthorize(self, connection_id: str) -> dict[str, Any]:
        with self.store.tx() as conn:
            row = connections.get(conn, None, connection_id)
            return connections.to_dict(connections.deauthorize(conn, row, self.now()))

    # --- synced records ------------------------------------------------------------------
    def list_synced_records(self, entity_id: str, query: Query, limit: int) -> dict[str, Any]:
        with self.store.tx() as conn:
            return synced_records.list_page(conn, self.codec, entity_id, query, limit)

    def get_synced_record(self, entity_id: str, record_id: str) -> dict[str, Any]:
        with self.store.read() as conn:
            return synced_records.to_dict(synced_records.get(conn, entity_id, record_id))

    def push(self, entity_id: str, record_id: str) -> dict[str, Any]:
        with self.store.tx() as conn:
            record = synced_records.push(conn, entity_id, record_id, self.now(), self._due())
            self._queued(conn)
            return synced_records.to_dict(record)

    # --- tax rates -----------------------------------------------------------------------
    def list_tax_rates(self, entity_id: str, query: Query, limit: int) -> dict[str, Any]:
        with self.store.tx() as conn:
            return tax_rates.list_page(conn, self.codec, entity_id, query, limit)

    def get_tax_rate(self, entity_id: str, tax_rate_id: str) -> dict[str, Any]:
        with self.store.read() as conn:
            return tax_rates.to_dict(tax_rates.get(conn, entity_id, tax_rate_id))

    # --- ledger accounts -----------------------------------------------------------------
    def list_ledger_accounts(self, entity_id: str, query: Query, limit: int) -> dict[str, Any]:
        with self.store.tx() as conn:
            return ledger_accounts.list_page(conn, self.codec, entity_id, query, limit)

    def get_ledger_account(self, entity_id: str, account_id: str) -> dict[str, Any]:
        with self.store.read() as conn:  # one SELECT (owned_row)
            return ledger_accounts.to_dict(ledger_accounts.get(conn, entity_id, account_id))

    def create_ledger_account(self, entity_id: str, fields: dict[str, Any]) -> dict[str, Any]:
        with self.store.tx() as conn:
            return ledger_accounts.to_dict(ledger_accounts.create(conn, entity_id, fields, self.now()))

    def patch_ledger_account(self, entity_id: str, account_id: str, fields: dict[str, Any]) -> dict[str, Any]:
        with self.store.tx() as conn:
            return ledger_accounts.to_dict(ledger_accounts.patch(conn, entity_id, account_id, fields, self.now()))

    def delete_ledger_account(self, entity_id: str, account_id: str) -> None:
        with self.store.tx() as conn:
            ledger_accounts.delete(conn, entity_id, account_id)

    # --- control plane -------------------------------------------------------------------
    def reset(self) -> None:
        """Empty state, real clock, the configured rate limit and fault rules (those given at start)."""
        self.store.reset()
        self._partner_tokens.clear()
        self._next_due = None
        self.clock.reset()
        self.set_rate_limit(self.settings.rate_limit_per_second)
        self.faults.clear()
        for spec in self.settings.faults:
            self.faults.add(spec)

    def set_rate_limit(self, per_second: int) -> int:
        """A17: the per-token limit per second; counting starts afresh."""
        self.limiter.per_second = per_second
        self.limiter.clear()
        return per_second

    def clock_state(self) -> dict[str, Any]:
        return {"now": self.clock.now().isoformat().replace("+00:00", "Z"), "real_clock": self.clock.is_real}

    def set_clock(self, when: datetime) -> dict[str, Any]:
        self.clock.set(when)
        return self.clock_state()

    def advance_clock(self, seconds: float) -> dict[str, Any]:
        self.clock.advance(seconds)
        return self.clock_state()

    def real_clock(self) -> dict[str, Any]:
        self.clock.reset()
        return self.clock_state()

    def add_fault(self, spec: dict[str, Any]) -> dict[str, Any]:
        rule = self.faults.add(spec)
        log.info("fault rule %s added: %s", rule.id, rule.to_dict())
        return rule.to_dict()

    def list_faults(self) -> list[dict[str, Any]]:
        return [rule.to_dict() for rule in self.faults.list()]

    def remove_fault(self, rule_id: str) -> dict[str, Any]:
        return self.faults.remove(rule_id).to_dict()

    def clear_faults(self) -> int:
        return self.faults.clear()

    def http_fault(self, operation_ids: tuple[str, ...], method: str, path: str, template: str) -> FaultRule | None:
        """The fault rule this API call meets, if any (the HTTP layer answers it)."""
        return self.faults.http_fault(operation_ids, method, path, template)

    def seed(self, entity_id: str, records_per_type: int, tax_rates_n: int, ledger_n: int,
             base_url: str, platform: str = "xero") -> dict[str, Any]:
        with self.store.tx() as conn:
            row = connections.active_for(conn, entity_id)
            if row is None:
                row = connections.create(conn, entity_id, platform, self.now(), base_url)
            if row["status"] != "connected":
                row = connections.authorize(conn, row, self.now())
            sync_jobs.pull(conn, row, self.clock.now(), seeded=True, records=records_per_type,
                           tax_rates=tax_rates_n, ledger_accounts=ledger_n)
            return connections.to_dict(connections.get(conn, entity_id, row["id"]))

    def state(self, entity_id: str | None = None) -> dict[str, Any]:
        with self.store.tx() as conn:
            where, params = ("WHERE entity_id = ?", (entity_id,)) if entity_id else ("", ())

            def rows(table: str, order: str) -> list:
                return conn.execute(f"SELECT * FROM {table} {where} ORDER BY {order}", params).fetchall()

            conns = rows("connections", "entity_id, created_at, seq")
            entities = sorted({r["entity_id"] for r in conns} | {
                r["entity_id"] for r in conn.execute(
                    f"SELECT DISTINCT entity_id FROM synced_records {where}", params)} | {
                r["entity_id"] for r in conn.execute(
                    f"SELECT DISTINCT entity_id FROM ledger_accounts {where}", params)})
            return {
                "now": self.clock.now().isoformat().replace("+00:00", "Z"),
                "real_clock": self.clock.is_real,
                "rate_limit_per_second": self.limiter.per_second,
                "faults": self.list_faults(),
                "sync_delay_seconds": self.sync_delay,
                "entities": entities,
                "connections": [dict(connections.to_dict(r), entity_id=r["entity_id"]) for r in conns],
                "synced_records": [dict(synced_records.to_dict(r), entity_id=r["entity_id"])
                                   for r in rows("synced_records", "entity_id, object_type, idx")],
                "tax_rates": [dict(tax_rates.to_dict(r), entity_id=r["entity_id"])
                              for r in rows("tax_rates", "entity_id, name, id")],
                "ledger_accounts": [dict(ledger_accounts.to_dict(r), entity_id=r["entity_id"])
                                    for r in rows("ledger_accounts", "entity_id, name, id")],
                "jobs": [dict(r) for r in rows("jobs", "due_at, id")],
                "tokens": conn.execute("SELECT COUNT(*) FROM tokens").fetchone()[0],
            }
