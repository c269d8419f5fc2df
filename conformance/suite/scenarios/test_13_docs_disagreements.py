"""13. Where the docs disagree: which side the target takes.

Monite's published OpenAPI document and other docs pages disagree on a few points
(docs/design.md, "Monite's published document, and where the docs disagree"). Each is a probe:
whatever side the target takes is reported as an observation naming both sources, never a
failure. Read-only: these requests change nothing.

- D4: a path id that is not a uuid. The seeds type path ids as plain strings (a valid request
  for an unknown resource: 404); the published document gives them format uuid (an invalid
  one: 422). Either way it is a client error: never a success, never a 5xx.
- D2: a ledger account's `name`: required by the published document of 2025-08, optional
  since its 2025-10 change.
- D1: `connection_url` in the disconnect answer: required by the published document, absent
  from seed 002's example. Needs an entity without an active connection, where the scenario
  connects and disconnects a connection of its own (a connection cannot be deleted:
  disconnecting is the undo); skipped, with the reason, on an entity that has one.
"""

from __future__ import annotations

import pytest

from conformance.http.client import MoniteClient
from conformance.expectations.kinds import Expectations, documented
from conformance.suite.scenarios import catalogue
from conformance.suite.scenarios.arrange import active_connection, create_connection
from conformance.suite.scenarios.cleanup import Cleanup
from conformance.suite.scenarios.paging import all_items
from conformance.verdict.assumptions import DISCONNECT_URL, LEDGER_NAME, PATH_ID

# Footprint on a target without the control plane (conformance/commands/remote_workers.py): reads every ledger
# account (pages on a large entity); connects and disconnects where the entity has no active connection.
pytestmark = [pytest.mark.scenario, pytest.mark.footprint(walks=("ledger_accounts",), changes=("connections",))]

SEED_COUNTS = {"records_per_type": 0, "tax_rates": 0, "ledger_accounts": 3}
NOT_A_UUID = "not-a-uuid"
BY_ID = {
    "getAccountingConnection": "/accounting_connections/{}",
    "getSyncedRecord": "/accounting_synced_records/{}",
    "getTaxRate": "/accounting_tax_rates/{}",
    "getLedgerAccount": "/ledger_accounts/{}",
}
SIDES = {404: "the seeds' side (a plain-string id naming nothing: 404)",
         422: "the published document's side (format uuid: 422)"}
IDS_ARE_UUIDS = documented(
    "seeds 000, 004 (`id string format: uuid`); published OpenAPI (API version 2024-05-25, copy of 2025-08-29)",
    "every resource's id is a uuid: a path id that is not one names no resource, so it is never answered 2xx")


@pytest.mark.parametrize("operation", [pytest.param(op, marks=pytest.mark.operations(op)) for op in BY_ID])
def test_a_path_id_that_is_not_a_uuid(operation: str, client: MoniteClient, check: Expectations) -> None:
    path = BY_ID[operation].format(NOT_A_UUID)
    response = client.get(path)
    status = response.status_code
    check.expect(not 200 <= status < 300, IDS_ARE_UUIDS, f"GET {path} answered {status}", response)
    check.expect(status < 500, catalogue.NO_SERVER_ERROR, f"GET {path} answered {status}", response)
    check.observe(PATH_ID, f"GET {path} answered {status}: {SIDES.get(status, 'neither side')}")


@pytest.mark.operations("listLedgerAccounts")
def test_ledger_accounts_have_a_name(seeded_client: MoniteClient, check: Expectations) -> None:
    accounts = all_items(seeded_client, check, "/ledger_accounts")
    if not accounts:
        pytest.skip("the entity has no ledger accounts: nothing to tell the two sides apart")
    nameless = [account.get("id") for account in accounts if "name" not in account]
    side = ("the 2025-10 side: some accounts have no name" if nameless
            else "every account has a name, as the 2025-08 document requires (the 2025-10 one allows it)")
    check.observe(LEDGER_NAME, f"{len(accounts)} ledger accounts, {len(nameless)} without `name`"
                  f"{' (' + ', '.join(map(str, nameless[:3])) + ')' if nameless else ''}: {side}")


@pytest.mark.operations("createAccountingConnection", "disconnectAccountingConnection")
def test_the_disconnect_answer_and_connection_url(client: MoniteClient, check: Expectations,
                                                  cleanup: Cleanup) -> None:
    existing = active_connection(client)
    if existing is not None:
        pytest.skip(f"the entity already has an active connection ({existing.get('status')}); the probe needs an "
                    "entity without one, to connect and disconnect a connection of its own")
    created = create_connection(client, cleanup)
    check.expect(created.status_code == 201, catalogue.CONNECTION_CREATED,
                 f"POST /accounting_connections answered {created.status_code}", created)
    connection_id = created.json()["id"]
    response = client.post(f"/accounting_connections/{connection_id}/disconnect")
    check.expect(response.status_code == 200, catalogue.DISCONNECTED, f"disconnect answered {response.status_code}",
                 response)
    body = response.json()
    check.expect(body.get("status") == "disconnected", catalogue.DISCONNECTED,
                 f"the disconnect answer has status {body.get('status')!r}", response)
    side = ("connection_url present: the published document's side" if "connection_url" in body
            else "no connection_url: seed 002's side")
    check.observe(DISCONNECT_URL, f"POST /accounting_connections/{connection_id}/disconnect: {side}")
