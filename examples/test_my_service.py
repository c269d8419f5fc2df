"""Example: test a service that calls Monite against the emulator, with the shipped fixtures.

`pip install monite-conformance` registers the pytest fixtures (`monite_emulator`,
`monite_emulator_asgi`); no conftest.py is needed. Each test gets an emulator with fresh
state; fault rules make it fail the way Monite can (429, 503, a failing sync, a revoked
authorization), so the service's handling of those is tested too.

The "service" here is a few lines: an httpx transport that retries 429 and 503 (waiting
`Retry-After`), a small client built on httpx, and the same transport under Monite's official
SDK (`pip install monite`). In your project they are your own modules.

    pytest examples/test_my_service.py
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

# ---------------------------------------------------------------------------------------------
# The service under test
# ---------------------------------------------------------------------------------------------
RETRY_STATUSES = (429, 503)


class RetryTransport(httpx.BaseTransport):
    """Retries 429 and 503 answers, waiting what `Retry-After` says (else 0.5 s, doubling)."""

    def __init__(self, attempts: int = 4, sleep: Callable[[float], None] = time.sleep,
                 inner: httpx.BaseTransport | None = None) -> None:
        self.attempts = attempts
        self.sleep = sleep
        self.inner = inner or httpx.HTTPTransport()
        self.waits: list[float] = []  # what it waited, for the curious (and for these tests)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        for attempt in range(1, self.attempts + 1):
            response = self.inner.handle_request(request)
            if response.status_code not in RETRY_STATUSES or attempt == self.attempts:
                return response
            response.read()
            response.close()
            header = response.headers.get("retry-after", "")
            wait = float(header) if header.isdigit() else 0.5 * 2 ** (attempt - 1)
            self.waits.append(wait)
            self.sleep(wait)
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.inner.close()


class ReconnectNeeded(Exception):
    """The entity must authorize the accounting connection again."""


class LedgerService:
    """The part of a service that reads ledger accounts and keeps the accounting data synced."""

    def __init__(self, base_url: str, client_id: str, client_secret: str, entity_id: str,
                 transport: httpx.BaseTransport | None = None, api_version: str = "2024-05-25") -> None:
        self.transport = transport or RetryTransport()
        self.http = httpx.Client(base_url=base_url, transport=self.transport, timeout=10,
                                 headers={"x-monite-version": api_version, "x-monite-entity-id": entity_id})
        token = self.http.post("/auth/token", json={"grant_type": "client_credentials", "client_id": client_id,
                                                    "client_secret": client_secret})
        token.raise_for_status()
        self.http.headers["Authorization"] = f"Bearer {token.json()['access_token']}"

    def account_name(self, account_id: str) -> str:
        response = self.http.get(f"/ledger_accounts/{account_id}")
        response.raise_for_status()
        return response.json()["name"]

    def sync(self, connection_id: str) -> None:
        response = self.http.post(f"/accounting_connections/{connection_id}/sync")
        if response.status_code == 409 and self.connection_status(connection_id) == "deauthorized":
            raise ReconnectNeeded(connection_id)
        response.raise_for_status()

    def connection_status(self, connection_id: str) -> str:
        return self.http.get(f"/accounting_connections/{connection_id}").json()["status"]

    def sync_problems(self, connection_id: str) -> list[str]:
        """What the last sync reported (Monite leaves it in the connection's `errors`)."""
        connection = self.http.get(f"/accounting_connections/{connection_id}").json()
        if connection["status"] == "deauthorized":
            raise ReconnectNeeded(connection_id)
        return [error["message"] for error in connection.get("errors") or []]


# ---------------------------------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------------------------------
@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def service(monite_emulator: Any, waits: list[float]) -> LedgerService:
    """The service pointed at the emulator; its retries record their waits instead of sleeping."""
    return LedgerService(monite_emulator.base_url, monite_emulator.client_id, monite_emulator.client_secret,
                         monite_emulator.entity_id, transport=RetryTransport(sleep=waits.append))


def first_account(monite_emulator: Any) -> dict:
    accounts = httpx.get(f"{monite_emulator.base_url}/ledger_accounts", headers=monite_emulator.headers()).json()
    return accounts["data"][0]


def test_reads_an_account(monite_emulator: Any, service: LedgerService) -> None:
    monite_emulator.seed_entity()
    account = first_account(monite_emulator)
    assert service.account_name(account["id"]) == account["name"]


def test_retries_a_429_after_retry_after(monite_emulator: Any, service: LedgerService, waits: list[float]) -> None:
    monite_emulator.seed_entity()
    account = first_account(monite_emulator)
    monite_emulator.add_fault(operation="getLedgerAccount", status=429, retry_after=2)
    assert service.account_name(account["id"]) == account["name"]
    assert waits == [2.0]  # it waited what Retry-After said, once
    assert monite_emulator.faults()[0]["hits"] == 1


def test_retries_503s(monite_emulator: Any, service: LedgerService, waits: list[float]) -> None:
    monite_emulator.seed_entity()
    account = first_account(monite_emulator)
    monite_emulator.add_fault(operation="getLedgerAccount", status=503, times=2)
    assert service.account_name(account["id"]) == account["name"]
    assert waits == [0.5, 1.0]  # no Retry-After: its own backoff


def test_gives_up_when_monite_stays_down(monite_emulator: Any, service: LedgerService, waits: list[float]) -> None:
    monite_emulator.seed_entity()
    account = first_account(monite_emulator)
    monite_emulator.add_fault(operation="getLedgerAccount", status=503, times="always")
    with pytest.raises(httpx.HTTPStatusError) as error:
        service.account_name(account["id"])
    assert error.value.response.status_code == 503 and len(waits) == 3


def test_a_deauthorized_connection_reaches_the_service(monite_emulator: Any, service: LedgerService) -> None:
    connection = monite_emulator.seed_entity()
    monite_emulator.deauthorize(connection["id"])  # the user revoked access in the accounting system
    with pytest.raises(ReconnectNeeded):
        service.sync(connection["id"])


def test_a_revocation_found_by_a_sync_reaches_the_service(monite_emulator: Any, service: LedgerService) -> None:
    connection = monite_emulator.seed_entity()
    monite_emulator.add_fault(kind="deauthorize", connection_id=connection["id"])
    service.sync(connection["id"])  # accepted; the sync job finds the authorization revoked
    monite_emulator.run_jobs()
    with pytest.raises(ReconnectNeeded):
        service.sync_problems(connection["id"])


def test_a_failing_sync_reaches_the_service(monite_emulator: Any, service: LedgerService) -> None:
    connection = monite_emulator.seed_entity()
    monite_emulator.add_fault(kind="sync_error", message="Xero is unavailable")
    service.sync(connection["id"])
    monite_emulator.run_jobs()
    assert service.sync_problems(connection["id"]) == ["Xero is unavailable"]
    service.sync(connection["id"])  # the next sync succeeds and clears the errors
    monite_emulator.run_jobs()
    assert service.sync_problems(connection["id"]) == []


# --- the same with Monite's official SDK, on the same retrying transport ------------------------
def sdk_client(monite_emulator: Any, waits: list[float]) -> Any:
    monite = pytest.importorskip("monite")
    http = httpx.Client(transport=RetryTransport(sleep=waits.append), timeout=10)
    return monite.Monite(base_url=monite_emulator.base_url, monite_version=monite_emulator.api_version,
                         monite_entity_id=monite_emulator.entity_id, token=monite_emulator.partner_token(),
                         httpx_client=http)


def test_sdk_retries_a_429_and_a_503(monite_emulator: Any, waits: list[float]) -> None:
    monite_emulator.seed_entity()
    account = first_account(monite_emulator)
    client = sdk_client(monite_emulator, waits)
    monite_emulator.add_fault(operation="getLedgerAccount", status=429, retry_after=1)
    monite_emulator.add_fault(operation="getLedgerAccount", status=503, retry_after=3)
    assert client.accounting.ledger_accounts.get_by_id(account["id"]).name == account["name"]
    assert waits == [1.0, 3.0]


def test_sdk_sees_a_failing_sync(monite_emulator: Any, waits: list[float]) -> None:
    connection = monite_emulator.seed_entity()
    client = sdk_client(monite_emulator, waits)
    monite_emulator.add_fault(kind="sync_error", connection_id=connection["id"])
    client.accounting.connections.sync_by_id(connection["id"])
    monite_emulator.run_jobs()
    errors = client.accounting.connections.get_by_id(connection["id"]).errors
    assert errors and errors[0].message


def test_sdk_sees_a_deauthorized_connection(monite_emulator: Any, waits: list[float]) -> None:
    connection = monite_emulator.seed_entity()
    client = sdk_client(monite_emulator, waits)
    monite_emulator.deauthorize(connection["id"])
    assert client.accounting.connections.get_by_id(connection["id"]).status == "deauthorized"
