"""10. Entity isolation: what entity A has is invisible to entity B, and B can change none of it.

A gets a seeded connection with synced records and tax rates (on the emulator) and a ledger
account it creates (on any target); B lists, gets, patches, deletes, syncs and pushes with
A's ids. Elsewhere B is MONITE_OTHER_ENTITY_ID, and A's data is whatever A has. At an API
version that cannot create ledger accounts A's first listed one stands in for the new one, and
what needs PATCH or DELETE is skipped with that reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from conformance.http.client import MoniteClient
from conformance.target.control import EmulatorControl
from conformance.expectations.kinds import Expectations
from conformance.suite.scenarios import catalogue
from conformance.suite.scenarios.arrange import (ABSENT_IN_VERSION, create_ledger_account, lacks, require_operations,
                                                 seed_entity)
from conformance.suite.scenarios.cleanup import Cleanup
from conformance.suite.scenarios.lists import OBJECT_TYPES
from conformance.suite.scenarios.paging import all_items

# Footprint on a target without the control plane (conformance/commands/remote_workers.py): A's lists read,
# then compared with B's and with A's by id; creates A's account (B's changes to A's resources are refused by
# a conforming target, and sent only where the run may change them).
pytestmark = [pytest.mark.scenario,
              pytest.mark.footprint(walks=("connections", "synced_records", "tax_rates"), changes=("ledger_accounts",))]


@dataclass
class Holdings:
    """Entity A's ids, by what they are."""

    connections: list[dict[str, Any]] = field(default_factory=list)
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # by object type
    tax_rates: list[dict[str, Any]] = field(default_factory=list)
    ledger_account: dict[str, Any] = field(default_factory=dict)

    def error_record(self) -> dict[str, Any] | None:
        return next((r for rs in self.records.values() for r in rs if r.get("sync_status") == "error"), None)


@pytest.fixture
def holdings(client: MoniteClient, check: Expectations, cleanup: Cleanup, entity_id: str,
             emulator_control: EmulatorControl | None) -> Holdings:
    if emulator_control is not None:
        seed_entity(emulator_control, entity_id, records_per_type=5, tax_rates=3, ledger_accounts=3)
    listed = client.get("/accounting_connections")
    return Holdings(
        connections=listed.json().get("data", []) if listed.status_code == 200 else [],
        records={t: all_items(client, check, "/accounting_synced_records", {"object_type": t}) for t in OBJECT_TYPES},
        tax_rates=all_items(client, check, "/accounting_tax_rates"),
        ledger_account=_ledger_account(client, check, cleanup),
    )


def _ledger_account(client: MoniteClient, check: Expectations, cleanup: Cleanup) -> dict[str, Any]:
    """A ledger account of A's: a new one, or at a version that cannot create one, A's first."""
    version = client.target.api_version
    if lacks(version, "createLedgerAccount"):
        existing = all_items(client, check, "/ledger_accounts")
        if not existing:
            pytest.skip(f"{ABSENT_IN_VERSION} {version}: POST /ledger_accounts (createLedgerAccount), "
                        "and entity A has no ledger account of its own")
        return existing[0]
    created = create_ledger_account(client, cleanup, {"name": "Isolation scenario", "nominal_code": "4713"})
    check.expect(created.status_code in (200, 201), catalogue.LEDGER_CREATED,
                 f"POST /ledger_accounts answered {created.status_code}", created)
    return created.json()


def _ids(items: list[dict[str, Any]]) -> set[str]:
    return {item.get("id") for item in items}


def _invisible(check: Expectations, response: httpx.Response, what: str) -> None:
    """B's request on A's resource: refused as if it did not exist."""
    check.expect(400 <= response.status_code < 500, catalogue.ENTITY_OWNS,
                 f"entity B's {what} answered {response.status_code}", response)
    check.expect(response.status_code == 404, catalogue.UNKNOWN_ID_404,
                 f"entity B's {what} answered {response.status_code}", response)


def test_lists_show_nothing_of_another_entity(holdings: Holdings, other_client: MoniteClient,
                                              check: Expectations) -> None:
    theirs = other_client.get("/accounting_connections")
    check.expect(theirs.status_code == 200, catalogue.CONNECTIONS_LIST, f"answered {theirs.status_code}", theirs)
    leaked = _ids(holdings.connections) & _ids(theirs.json().get("data", []))
    check.expect(not leaked, catalogue.ENTITY_OWNS, f"entity B lists A's connections {sorted(leaked)}", theirs)
    for object_type, records in holdings.records.items():
        leaked = _ids(records) & _ids(all_items(other_client, check, "/accounting_synced_records",
                                                {"object_type": object_type}))
        check.expect(not leaked, catalogue.ENTITY_OWNS, f"entity B lists {len(leaked)} of A's {object_type} records")
    leaked = _ids(holdings.tax_rates) & _ids(all_items(other_client, check, "/accounting_tax_rates"))
    check.expect(not leaked, catalogue.ENTITY_OWNS, f"entity B lists {len(leaked)} of A's tax rates")
    leaked = {holdings.ledger_account["id"]} & _ids(all_items(other_client, check, "/ledger_accounts"))
    check.expect(not leaked, catalogue.ENTITY_OWNS, "entity B lists A's new ledger account")


def test_gets_do_not_reach_another_entity(holdings: Holdings, other_client: MoniteClient,
                                          check: Expectations) -> None:
    paths = [f"/ledger_accounts/{holdings.ledger_account['id']}"]
    paths += [f"/accounting_connections/{c['id']}" for c in holdings.connections[:1]]
    paths += [f"/accounting_synced_records/{rs[0]['id']}" for rs in holdings.records.values() if rs][:2]
    paths += [f"/accounting_tax_rates/{t['id']}" for t in holdings.tax_rates[:1]]
    for path in paths:
        _invisible(check, other_client.get(path), f"GET {path}")


def test_ledger_changes_do_not_reach_another_entity(holdings: Holdings, client: MoniteClient,
                                                    other_client: MoniteClient, check: Expectations) -> None:
    require_operations(client.target.api_version, "updateLedgerAccount", "deleteLedgerAccount")
    account_path = f"/ledger_accounts/{holdings.ledger_account['id']}"
    _invisible(check, other_client.patch(account_path, json={"name": "Changed by entity B"}), f"PATCH {account_path}")
    _invisible(check, other_client.delete(account_path), f"DELETE {account_path}")
    mine = client.get(account_path)
    check.expect(mine.status_code == 200 and mine.json() == holdings.ledger_account, catalogue.ENTITY_OWNS,
                 "entity A's ledger account changed or vanished after entity B's PATCH and DELETE", mine)


def test_changes_do_not_reach_another_entity(holdings: Holdings, client: MoniteClient, other_client: MoniteClient,
                                             check: Expectations, emulator_control: EmulatorControl | None) -> None:
    for connection in holdings.connections[:1]:
        path = f"/accounting_connections/{connection['id']}"
        _invisible(check, other_client.post(f"{path}/sync"), f"POST {path}/sync")
        _invisible(check, other_client.post(f"{path}/disconnect"), f"POST {path}/disconnect")
        if emulator_control is not None:
            emulator_control.run_jobs()
        after = client.get(path)
        check.expect(after.status_code == 200 and after.json().get("status") == connection.get("status")
                     and after.json().get("last_pull") == connection.get("last_pull"), catalogue.ENTITY_OWNS,
                     "entity A's connection changed after entity B's sync and disconnect", after)

    record = holdings.error_record()
    if record is not None:
        path = f"/accounting_synced_records/{record['id']}"
        _invisible(check, other_client.post(f"{path}/push"), f"POST {path}/push")
        after = client.get(path)
        check.expect(after.status_code == 200 and after.json().get("sync_status") == "error", catalogue.ENTITY_OWNS,
                     "entity A's failed record changed after entity B's push", after)
