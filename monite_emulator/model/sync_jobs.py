"""The simulated accounting platform and the jobs that sync with it.

Everything here is deterministic given the entity id and an index: synced ids are uuid5 of
(entity, kind, index); every 5th record (index % 5 == 4) is in ``error``; of those, every
other one (index % 10 == 9) fails permanently, so a push of it ends in ``error`` again.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from datetime import UTC, datetime, timedelta

from monite_emulator.model import connections, ids
from monite_emulator.model.clock import canon, parse_datetime
from monite_emulator.model.faults import FaultBook, answer_message
from monite_emulator.model.synced_records import OBJECT_TYPES

log = logging.getLogger("monite_emulator.faults")

SYNC_RECORDS_PER_TYPE = 10
SYNC_TAX_RATES = 12
SYNC_LEDGER_ACCOUNTS = 12
SEED_EPOCH = datetime(2024, 5, 25, 10, 0, 0, tzinfo=UTC)
PROVIDER = "codat"

TAX_RATES = [
    # (name, components[(name, rate, is_compound)]) — rates are percent x 100
    ("Compound Sales Tax", [("State tax", 500, False), ("City tax", 200, True)]),
    ("Standard VAT", [("VAT", 1900, False)]),
    ("Reduced VAT", [("VAT", 700, False)]),
    ("Zero Rated", [("VAT", 0, False)]),
    ("Exempt", [("Exempt", 0, False)]),
    ("GST on Income", [("GST", 1000, False)]),
    ("GST on Expenses", [("GST", 1000, False)]),
    ("Combined Sales Tax", [("State tax", 625, False), ("County tax", 125, False)]),
    ("Hotel Tax", [("Hotel tax", 1250, False)]),
    ("Import VAT", [("VAT", 2000, False)]),
    ("Reverse Charge", [("VAT", 0, False)]),
    ("Services Tax", [("Service tax", 850, False), ("Levy", 50, False)]),
]

LEDGER_ACCOUNTS = [
    # (name, type, subtype, is_bank_account)
    ("Accounts Receivable", "Asset", "Current", False),
    ("Accounts Payable", "Liability", "Current", False),
    ("Business Bank Account", "Asset", "Bank", True),
    ("Sales", "Income", "Revenue", False),
    ("Cost of Goods Sold", "Expense", "Direct Costs", False),
    ("Office Equipment", "Asset", "Fixed", False),
    ("Advertising", "Expense", "Expense", False),
    ("Salaries", "Expense", "Expense", False),
    ("Rent", "Expense", "Overhead", False),
    ("Retained Earnings", "Equity", "Equity", False),
    ("VAT Payable", "Liability", "Current", False),
    ("Petty Cash", "Asset", "Bank", True),
]


def _ts(base: datetime, seconds: float) -> str:
    return canon(base + timedelta(seconds=seconds))


def record_values(entity_id: str, object_type: str, index: int, platform: str) -> dict:
    is_error = index % 5 == 4
    return {
        "id": ids.derived_id(entity_id, "synced_record", object_type, index),
        "object_id": ids.derived_id(entity_id, "object", object_type, index),
        "sync_status": "error" if is_error else "done",
        "errors": json.dumps(
            {"message": f"{platform} rejected the {object_type}: emulated validation error #{index}"}
        )
        if is_error
        else "{}",
        "permanent_failure": 1 if index % 10 == 9 else 0,
        "platform_object_id": ids.derived_id(entity_id, "platform", object_type, index),
        "provider_object_id": ids.derived_id(entity_id, "provider", object_type, index),
    }


def upsert_records(
    conn: sqlite3.Connection, entity_id: str, platform: str, count: int, now: datetime, seeded: bool
) -> None:
    now_s = canon(now)
    for t_index, object_type in enumerate(OBJECT_TYPES):
        for i in range(count):
            v = record_values(entity_id, object_type, i, platform)
            existing = conn.execute("SELECT sync_status FROM synced_records WHERE id = ?", (v["id"],)).fetchone()
            if seeded:
                # seed: created_at exactly 1 s apart; updated_at shared by groups of 3 (ties)
                created = _ts(SEED_EPOCH, i)
                updated = _ts(SEED_EPOCH, 3600 + i // 3)
            else:
                created = _ts(now, i / 1000.0)
                updated = now_s
            if existing is None or seeded:
                conn.execute("DELETE FROM synced_records WHERE id = ?", (v["id"],))
                conn.execute(
                    "INSERT INTO synced_records(id, entity_id, object_type, idx, object_id, sync_status,"
                    " errors, permanent_failure, created_at, updated_at, last_pulled_at,"
                    " object_updated_at, platform, platform_object_id, platform_updated_at, provider,"
                    " provider_object_id, provider_updated_at)"
                    " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        v["id"], entity_id, object_type, i, v["object_id"], v["sync_status"], v["errors"],
                        v["permanent_failure"], created, updated, now_s, created, platform,
                        v["platform_object_id"], updated, PROVIDER, v["provider_object_id"], updated,
                    ),
                )
            else:
                conn.execute(
                    "UPDATE synced_records SET updated_at = ?, last_pulled_at = ?, platform_updated_at = ?,"
                    " provider_updated_at = ?, platform = ? WHERE id = ?",
                    (now_s, now_s, now_s, now_s, platform, v["id"]),
                )


def upsert_tax_rates(conn: sqlite3.Connection, entity_id: str, count: int, now: datetime) -> None:
    for i in range(count):
        name, comps = TAX_RATES[i % len(TAX_RATES)]
        if i >= len(TAX_RATES):
            name = f"{name} {i // len(TAX_RATES) + 1}"
        components = [{"is_compound": c, "name": n, "rate": r} for n, r, c in comps]
        total = sum(r for _, r, _ in comps)
        effective = 0.0
        for _, rate, compound in comps:
            # a compound component applies to the amount including the earlier taxes
            effective += rate * (1 + effective / 10000) if compound else rate
        tid = ids.derived_id(entity_id, "tax_rate", i)
        ts = _ts(now, i / 1000.0)
        conn.execute(
            "INSERT OR IGNORE INTO tax_rates(id, entity_id, code, name, status, components,"
            " effective_tax_rate, total_tax_rate, description, is_external, created_at, updated_at)"
            " VALUES(?, ?, ?, ?, 'Active', ?, ?, ?, ?, 1, ?, ?)",
            (tid, entity_id, f"TAX{i:03d}", name, json.dumps(components), round(effective), total,
             f"{name} ({total / 100:g}%)", ts, ts),
        )


def upsert_ledger_accounts(conn: sqlite3.Connection, entity_id: str, count: int, now: datetime) -> None:
    for i in range(count):
        name, type_, subtype, bank = LEDGER_ACCOUNTS[i % len(LEDGER_ACCOUNTS)]
        if i >= len(LEDGER_ACCOUNTS):
            name = f"{name} {i // len(LEDGER_ACCOUNTS) + 1}"
        aid = ids.derived_id(entity_id, "ledger_account", i)
        ts = _ts(now, i / 1000.0)
        conn.execute(
            "INSERT OR IGNORE INTO ledger_accounts(id, entity_id, name, nominal_code, description,"
            " status, type, subtype, currency, current_balance, is_bank_account, is_external,"
            " created_at, updated_at) VALUES(?, ?, ?, ?, ?, 'Active', ?, ?, 'EUR', ?, ?, 1, ?, ?)",
            (aid, entity_id, name, str(200 + 10 * i), f"{name} (from the accounting system)",
             type_, subtype, (i * 137_00) % 1_000_000, int(bank), ts, ts),
        )


def pull(conn: sqlite3.Connection, connection: sqlite3.Row, now: datetime, *, seeded: bool = False,
         records: int = SYNC_RECORDS_PER_TYPE, tax_rates: int = SYNC_TAX_RATES,
         ledger_accounts: int = SYNC_LEDGER_ACCOUNTS) -> None:
    """One pull from the platform: records, tax rates, ledger accounts, and last_pull."""
    entity_id = connection["entity_id"]
    upsert_records(conn, entity_id, connection["platform"], records, now, seeded)
    upsert_tax_rates(conn, entity_id, tax_rates, now)
    upsert_ledger_accounts(conn, entity_id, ledger_accounts, now)
    conn.execute(  # a pull that succeeds clears the errors of an earlier failed one
        "UPDATE connections SET last_pull = ?, updated_at = ?, errors = '[]' WHERE id = ?",
        (canon(now), canon(now), connection["id"]),
    )


def fail_sync(conn: sqlite3.Connection, connection: sqlite3.Row, now: datetime, message: str) -> None:
    """A sync that failed: the connection carries the error; nothing is pulled, last_pull stays."""
    conn.execute(
        "UPDATE connections SET errors = ?, updated_at = ? WHERE id = ?",
        (json.dumps([{"message": message}]), canon(now), connection["id"]),
    )


def queue_sync(conn: sqlite3.Connection, connection: sqlite3.Row, now: str, due: str) -> None:
    conn.execute(
        "INSERT INTO jobs(kind, entity_id, connection_id, record_id, due_at, created_at)"
        " VALUES('sync', ?, ?, NULL, ?, ?)",
        (connection["entity_id"], connection["id"], due, now),
    )


def run(conn: sqlite3.Connection, now: datetime, *, due_only: bool, faults: FaultBook | None = None) -> int:
    """Run queued jobs (only the due ones, or all); returns how many ran.

    Domain fault rules (model/faults.py) can make a sync fail, find the authorization
    revoked, or make a push fail again.
    """
    if due_only:
        jobs = conn.execute("SELECT * FROM jobs WHERE due_at <= ? ORDER BY due_at, id", (canon(now),)).fetchall()
    else:
        jobs = conn.execute("SELECT * FROM jobs ORDER BY due_at, id").fetchall()
    now_s = canon(now)
    for job in jobs:
        conn.execute("DELETE FROM jobs WHERE id = ?", (job["id"],))
        if job["kind"] == "sync":
            row = conn.execute("SELECT * FROM connections WHERE id = ?", (job["connection_id"],)).fetchone()
            if row is None or row["status"] != "connected":
                continue
            if _sync_fault(conn, row, now, faults):
                continue
            pull(conn, row, now)
        elif job["kind"] == "push":
            rec = conn.execute("SELECT * FROM synced_records WHERE id = ?", (job["record_id"],)).fetchone()
            if rec is None or rec["sync_status"] != "pending":
                continue
            rule = faults.domain_fault("push_error", entity_id=rec["entity_id"], record_id=rec["id"]) if faults else None
            if rule is not None:
                log.warning("fault %s (push_error) injected: the push of synced record %s fails", rule.id, rec["id"])
                errors, status = json.dumps({"message": answer_message(rule)}), "error"
            elif rec["permanent_failure"]:
                errors = json.dumps({"message": f"{rec['platform']} rejected the {rec['object_type']} again: "
                                     "emulated permanent failure"})
                status = "error"
            else:
                errors, status = "{}", "done"
            conn.execute(
                "UPDATE synced_records SET sync_status = ?, errors = ?, updated_at = ?,"
                " platform_updated_at = ?, provider_updated_at = ? WHERE id = ?",
                (status, errors, now_s, now_s, now_s, rec["id"]),
            )
    return len(jobs)


def next_due(conn: sqlite3.Connection) -> datetime | None:
    """When the earliest queued job is due (None: nothing queued)."""
    due = conn.execute("SELECT MIN(due_at) FROM jobs").fetchone()[0]
    return parse_datetime(due) if due else None


def _sync_fault(conn: sqlite3.Connection, row: sqlite3.Row, now: datetime, faults: FaultBook | None) -> bool:
    """Apply a deauthorize or sync_error fault rule to this sync job; whether one applied."""
    if faults is None:
        return False
    keys = {"entity_id": row["entity_id"], "connection_id": row["id"]}
    rule = faults.domain_fault("deauthorize", **keys)
    if rule is not None:
        log.warning("fault %s (deauthorize) injected: the sync of connection %s finds it deauthorized", rule.id, row["id"])
        connections.set_status(conn, row, "deauthorized", canon(now), answer_message(rule))
        return True
    rule = faults.domain_fault("sync_error", **keys)
    if rule is not None:
        log.warning("fault %s (sync_error) injected: the sync of connection %s fails", rule.id, row["id"])
        fail_sync(conn, row, now, answer_message(rule))
        return True
    return False


def connected_for(conn: sqlite3.Connection, entity_id: str) -> sqlite3.Row | None:
    row = connections.active_for(conn, entity_id)
    return row if row is not None and row["status"] == "connected" else None
