"""Arrange a scenario's state: its own entity, seeded data, things created with their undo.

On the emulator each scenario acts for an entity of its own (any uuid names one, A4), derived
from its node id so runs repeat exactly, and seeds it through the control plane. Elsewhere
it uses MONITE_ENTITY_ID and skips, with the reason, what it cannot arrange.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from conformance.http.client import DEFAULT, MoniteClient
from conformance.openapi.catalog import spec_catalog
from conformance.openapi.versions import operation_ids
from conformance.target.control import EmulatorControl
from conformance.suite.scenarios.cleanup import Cleanup

# Namespace of the scenarios' entity ids (uuid5 of a test's node id): stable across runs.
SCENARIO_NAMESPACE = uuid.UUID("5c3e7a10-6f1d-4b2e-9a8c-4d5e6f708192")
# Without the control plane, how long a scenario waits for the target's background work.
REMOTE_WAIT_SECONDS = 120.0
REMOTE_POLL_SECONDS = 2.0


class ScenarioEntities:
    """Names the entity each scenario acts for on the emulator: uuid5 of its node id.

    A persistent emulator may already hold a previous run's entities; each run claims a run
    number (a marker entity seeded through the control plane) and run n > 0 salts the names
    with it. On a fresh emulator this is always run 0, so the ids repeat exactly.
    """

    def __init__(self, control: EmulatorControl) -> None:
        self.run = self._claim_run(control)

    @staticmethod
    def _claim_run(control: EmulatorControl) -> int:
        for run in range(10_000):
            marker = str(uuid.uuid5(SCENARIO_NAMESPACE, f"scenario run marker #{run}"))
            if not control.state(marker).get("connections"):
                control.seed(marker, records_per_type=0, tax_rates=0, ledger_accounts=0)
                return run
        raise RuntimeError("the emulator holds 10 000 scenario runs; reset it")

    def entity_id(self, name: str) -> str:
        """The entity of the scenario (or module) with node id `name`."""
        return str(uuid.uuid5(SCENARIO_NAMESPACE, name if self.run == 0 else f"{name} #run{self.run}"))


# The skip reason of a lifecycle scenario on a remote target without a lifecycle entity.
LIFECYCLE_ENTITY_NEEDED = ("needs an entity without an active connection to connect and disconnect in: "
                           "set MONITE_LIFECYCLE_ENTITY_ID")

# The start of the skip reason of a scenario that needs an operation its API version lacks.
ABSENT_IN_VERSION = "operation absent in API version"


def lacks(version: str, *operations: str) -> list[str]:
    """Which of `operations` (operationIds) the contract of API `version` does not have."""
    present = operation_ids(version)
    return [operation for operation in operations if operation not in present]


def require_operations(version: str, *operations: str) -> None:
    """Skip, with the reason, a scenario that needs an operation API `version` does not have:
    a check that cannot run at that version is a skip, never a pass."""
    missing = lacks(version, *operations)
    if missing:
        catalog = spec_catalog()
        named = ", ".join(f"{catalog.by_id[op].label} ({op})" if op in catalog.by_id else op for op in missing)
        pytest.skip(f"{ABSENT_IN_VERSION} {version}: {named}")


def require_control(control: EmulatorControl | None, why: str) -> EmulatorControl:
    """The control plane, or skip: the target cannot be made to have the state `why` needs."""
    if control is None:
        pytest.skip(f"needs the emulator's control plane to {why}; the target has none")
    return control


@dataclass(frozen=True)
class SeededEntity:
    """The entity a scenario reads, and what was seeded into it (None: unknown, a remote target)."""

    entity_id: str
    connection: dict[str, Any] | None = None
    records_per_type: int | None = None
    tax_rates: int | None = None
    ledger_accounts: int | None = None

    @property
    def is_seeded(self) -> bool:
        return self.records_per_type is not None


def seed_entity(control: EmulatorControl, entity_id: str, records_per_type: int = 30, tax_rates: int = 12,
                ledger_accounts: int = 12) -> SeededEntity:
    connection = control.seed(entity_id, records_per_type=records_per_type, tax_rates=tax_rates,
                              ledger_accounts=ledger_accounts)
    return SeededEntity(entity_id, connection, records_per_type, tax_rates, ledger_accounts)


def create_ledger_account(client: MoniteClient, cleanup: Cleanup, body: dict[str, Any]) -> httpx.Response:
    """POST /ledger_accounts; whatever got created is deleted after the test."""
    response = client.post("/ledger_accounts", json=body)
    if 200 <= response.status_code < 300:
        account_id = response.json().get("id")
        cleanup.add(f"delete ledger account {account_id}", lambda: delete_ledger_account_if_present(client, account_id))
    return response


def delete_ledger_account_if_present(client: MoniteClient, account_id: str, version: Any = DEFAULT) -> None:
    """DELETE the account (at `version`, default the run's); already gone is fine."""
    response = client.delete(f"/ledger_accounts/{account_id}", version=version)
    if not (200 <= response.status_code < 300 or response.status_code == 404):
        raise RuntimeError(f"DELETE /ledger_accounts/{account_id} answered {response.status_code}")


def create_connection(client: MoniteClient, cleanup: Cleanup, body: dict[str, Any] | None = None) -> httpx.Response:
    """POST /accounting_connections; a created connection is disconnected after the test.

    The API has no way to delete a connection: disconnecting is the closest undo.
    """
    response = client.post("/accounting_connections", json=body if body is not None else {"platform": "xero"})
    if 200 <= response.status_code < 300:
        connection_id = response.json().get("id")
        cleanup.add(f"disconnect connection {connection_id}", lambda: disconnect_if_active(client, connection_id))
    return response


def disconnect_if_active(client: MoniteClient, connection_id: str) -> None:
    current = client.get(f"/accounting_connections/{connection_id}")
    if current.status_code == 200 and current.json().get("status") == "disconnected":
        return
    response = client.post(f"/accounting_connections/{connection_id}/disconnect")
    if response.status_code != 200:
        raise RuntimeError(f"POST /accounting_connections/{connection_id}/disconnect answered {response.status_code}")


def active_connection(client: MoniteClient) -> dict[str, Any] | None:
    """The entity's pending_auth or connected connection, if it has one."""
    response = client.get("/accounting_connections")
    if response.status_code != 200:
        return None
    for connection in response.json().get("data", []):
        if connection.get("status") in ("pending_auth", "connected"):
            return connection
    return None


def wait_for(control: EmulatorControl | None, fetch: Callable[[], dict[str, Any]],
             done: Callable[[dict[str, Any]], bool]) -> tuple[dict[str, Any], bool]:
    """Let the target's background work run, then return (latest state, whether `done` holds).

    With the control plane the queued jobs run now (no sleeping, no race); without it the
    state is polled for at most REMOTE_WAIT_SECONDS.
    """
    if control is not None:
        control.run_jobs()
        latest = fetch()
        return latest, done(latest)
    deadline = time.monotonic() + REMOTE_WAIT_SECONDS
    while True:
        latest = fetch()
        if done(latest) or time.monotonic() >= deadline:
            return latest, done(latest)
        time.sleep(REMOTE_POLL_SECONDS)
