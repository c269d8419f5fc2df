"""The pytest fixtures the package ships (monite_emulator.pytest_plugin): isolation and helpers.

The fixtures come from the package's ``pytest11`` entry point: nothing here imports or
declares them, as in a dependent service's own tests.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
import requests

from monite_emulator.testing import AsgiEmulator, ServedEmulator

# What the previous test on this worker left behind (same process, same session server).
LEFT_BEHIND: dict[str, Any] = {}


def _assert_clean_and_dirty(emulator: ServedEmulator) -> None:
    """Every isolation test starts by checking that nothing of an earlier test is left, then
    leaves a mess of every kind. Whichever two of them run on one worker, the second checks
    the first's mess is gone (with xdist, at least one worker runs two of the three)."""
    state = emulator.state()
    assert state["connections"] == [] and state["ledger_accounts"] == [] and state["jobs"] == []
    assert state["faults"] == [] and state["real_clock"] is True and state["rate_limit_per_second"] == 10000
    assert state["tokens"] == 0
    if "token" in LEFT_BEHIND:
        r = httpx.get(f"{emulator.base_url}/accounting_connections", headers=emulator.headers(token=LEFT_BEHIND["token"]))
        assert r.status_code == 401, "a token of an earlier test still works"
    token = emulator.partner_token()
    headers = emulator.headers(token=token)
    with emulator.client(headers=headers) as client:
        assert client.post("/accounting_connections").status_code == 201
        assert client.post("/ledger_accounts", json={"name": "Left behind"}).status_code == 201
    emulator.seed_entity("00000000-0000-4000-8000-000000000001", records_per_type=2)
    emulator.add_fault(operation="listAccountingConnections", status=503, times="always")
    emulator.advance_clock(3600)
    emulator.set_rate_limit(3)
    LEFT_BEHIND["token"] = token


def test_isolation_first(monite_emulator: ServedEmulator) -> None:
    _assert_clean_and_dirty(monite_emulator)


def test_isolation_second(monite_emulator: ServedEmulator) -> None:
    _assert_clean_and_dirty(monite_emulator)


def test_isolation_third(monite_emulator: ServedEmulator) -> None:
    _assert_clean_and_dirty(monite_emulator)


def test_where_and_as_whom(monite_emulator: ServedEmulator) -> None:
    assert monite_emulator.base_url.startswith("http://127.0.0.1:") and monite_emulator.base_url.endswith("/v1")
    r = httpx.post(f"{monite_emulator.base_url}/auth/token", headers={"x-monite-version": "2024-05-25"},
                   json={"grant_type": "client_credentials", "client_id": monite_emulator.client_id,
                         "client_secret": monite_emulator.client_secret})
    assert r.status_code == 200 and r.json()["token_type"] == "Bearer" and r.json()["expires_in"] == 1800


def test_connect_authorize_through_connection_url_sync(monite_emulator: ServedEmulator) -> None:
    with monite_emulator.client(headers=monite_emulator.headers()) as client:
        connection = client.post("/accounting_connections").json()
        assert connection["status"] == "pending_auth"
        assert connection["connection_url"].startswith(monite_emulator.origin + "/_emulator/connect/")
        assert httpx.get(connection["connection_url"]).json()["status"] == "connected"
        assert client.post(f"/accounting_connections/{connection['id']}/sync").status_code == 202
        assert monite_emulator.run_jobs() == 1
        synced = client.get(f"/accounting_connections/{connection['id']}").json()
        assert synced["last_pull"] and client.get("/accounting_tax_rates").json()["data"]
        monite_emulator.deauthorize(connection["id"])
        assert client.get(f"/accounting_connections/{connection['id']}").json()["status"] == "deauthorized"
        assert monite_emulator.authorize(connection["id"])["status"] == "connected"


def test_seed_with_requests(monite_emulator: ServedEmulator) -> None:
    """Any HTTP client works: here `requests`."""
    connection = monite_emulator.seed_entity(records_per_type=3, tax_rates=2, ledger_accounts=4)
    assert connection["status"] == "connected"
    r = requests.get(f"{monite_emulator.base_url}/ledger_accounts", headers=monite_emulator.headers(), timeout=60)
    assert r.status_code == 200 and len(r.json()["data"]) == 4
    r = requests.get(f"{monite_emulator.base_url}/accounting_synced_records", params={"object_type": "bill"},
                     headers=monite_emulator.headers(), timeout=60)
    assert len(r.json()["data"]) == 3


def test_clock_expires_tokens_and_makes_jobs_due(monite_emulator: ServedEmulator) -> None:
    monite_emulator.set_clock("2030-01-01T00:00:00Z")
    headers = monite_emulator.headers()
    connection = monite_emulator.seed_entity(records_per_type=1)
    with monite_emulator.client(headers=headers) as client:
        client.post(f"/accounting_connections/{connection['id']}/sync")
        monite_emulator.advance_clock(1)  # the job is due (sync delay 0.5 s): the next request runs it
        assert client.get(f"/accounting_connections/{connection['id']}").json()["last_pull"].startswith("2030-01-01T00:00:01")
        monite_emulator.advance_clock(1800)
        assert client.get("/accounting_connections").status_code == 401  # A20: tokens live 1800 s
    assert monite_emulator.real_clock()["real_clock"] is True


def test_rate_limit(monite_emulator: ServedEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two requests per 1-second window (A17). The limiter's wall clock is held in one window (the
    server runs in this process), so the outcome depends on the count of requests, not on how fast
    a busy machine sends them."""
    from types import SimpleNamespace

    from monite_emulator.model import ratelimit

    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_800_000_000.25))
    monite_emulator.set_rate_limit(2)
    with monite_emulator.client(headers=monite_emulator.headers()) as client:
        statuses = [client.get("/accounting_connections").status_code for _ in range(5)]
    assert statuses == [200, 200, 429, 429, 429], statuses


def test_fault_helpers_and_a_dropped_connection_over_http(monite_emulator: ServedEmulator) -> None:
    rule = monite_emulator.add_fault(operation="listAccountingConnections", drop=True)
    assert monite_emulator.faults() == [dict(rule, hits=0)]
    with monite_emulator.client(headers=monite_emulator.headers()) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            client.get("/accounting_connections")
        assert client.get("/accounting_connections").status_code == 200
    assert monite_emulator.faults()[0]["hits"] == 1
    assert monite_emulator.clear_faults() == 1 and monite_emulator.faults() == []


def test_entity_user_token(monite_emulator: ServedEmulator) -> None:
    token = monite_emulator.entity_user_token()
    with monite_emulator.client() as client:
        assert client.get("/accounting_connections", headers=monite_emulator.headers(token=token)).status_code == 200
        other = monite_emulator.headers("00000000-0000-4000-8000-000000000002", token=token)
        assert client.get("/accounting_connections", headers=other).status_code == 403  # A3


# --- the in-process flavour ------------------------------------------------------------------------
def test_asgi_async_client(monite_emulator_asgi: AsgiEmulator) -> None:
    monite_emulator_asgi.seed_entity(records_per_type=1)
    monite_emulator_asgi.add_fault(operation="getTaxRate", status=503)

    async def scenario() -> tuple[int, int, int]:
        async with monite_emulator_asgi.async_client(headers=monite_emulator_asgi.headers()) as client:
            rates = (await client.get("/accounting_tax_rates")).json()["data"]
            first = await client.get(f"/accounting_tax_rates/{rates[0]['id']}")
            again = await client.get(f"/accounting_tax_rates/{rates[0]['id']}")
            return len(rates), first.status_code, again.status_code

    assert asyncio.run(scenario()) == (12, 503, 200)


def test_asgi_sync_client_and_fresh_state(monite_emulator_asgi: AsgiEmulator) -> None:
    assert monite_emulator_asgi.base_url == "http://monite-emulator.local/v1"
    assert monite_emulator_asgi.state()["connections"] == [] and monite_emulator_asgi.faults() == []
    with monite_emulator_asgi.client(headers=monite_emulator_asgi.headers()) as client:
        connection = client.post("/accounting_connections").json()
        assert client.get(connection["connection_url"]).json()["status"] == "connected"
    monite_emulator_asgi.add_fault(operation="listAccountingConnections", status=500, times="always")  # left behind


def test_asgi_plain_httpx_transport(monite_emulator_asgi: AsgiEmulator) -> None:
    assert monite_emulator_asgi.faults() == []  # whatever ran before

    async def call() -> int:
        transport = httpx.ASGITransport(app=monite_emulator_asgi.app)
        async with httpx.AsyncClient(transport=transport, base_url=monite_emulator_asgi.base_url) as client:
            return (await client.get("/accounting_connections", headers=monite_emulator_asgi.headers())).status_code

    assert asyncio.run(call()) == 200
