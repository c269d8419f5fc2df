"""Monite's official Python SDK (PyPI `monite`) through the whole accounting round trip, against
the `monite_emulator` fixture: the fixture works as a drop-in Monite for an SDK user.

SDK 0.5.4 (the newest on PyPI) predates the 2025-10 ledger-account writes: it has no method for
`POST /ledger_accounts`, `PATCH` or `DELETE /ledger_accounts/{id}`. Those three calls go through
the SDK's own HTTP client (`client._client_wrapper.httpx_client`: base URL, version, entity and
token headers as the SDK sends them), a private attribute, the only way the SDK offers.
"""

from __future__ import annotations

import httpx
import pytest

from monite_emulator.testing import ServedEmulator

monite = pytest.importorskip("monite", reason="the test extra installs Monite's SDK (pip install -e '.[test]')")

OBJECT_TYPES = ("product", "customer", "vendor", "receivable", "bill", "payment_record")
ENTITY = "1f0e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b"


def sdk(emulator: ServedEmulator, token: str | None = None, entity_id: str | None = ENTITY) -> "monite.Monite":
    return monite.Monite(base_url=emulator.base_url, monite_version=emulator.api_version,
                         monite_entity_id=entity_id, token=token, timeout=60)


def all_pages(fetch, **query) -> list:
    """Every item of a list, following next_pagination_token (re-sending limit, as seed 003 says)."""
    items, page = [], fetch(**query)
    while True:
        items += page.data
        if not page.next_pagination_token:
            return items
        page = fetch(limit=query.get("limit"), pagination_token=page.next_pagination_token,
                     **({"object_type": query["object_type"]} if "object_type" in query else {}))


def test_sdk_round_trip(monite_emulator: ServedEmulator) -> None:
    # token
    issued = sdk(monite_emulator, entity_id=None).access_tokens.create(
        client_id=monite_emulator.client_id, client_secret=monite_emulator.client_secret,
        grant_type="client_credentials")
    assert issued.token_type == "Bearer" and issued.expires_in == 1800
    client = sdk(monite_emulator, issued.access_token)
    accounting = client.accounting

    # connect, then authorize through connection_url (what the entity user opens)
    connection = accounting.connections.create()
    assert connection.status == "pending_auth"
    assert httpx.get(connection.connection_url).status_code == 200
    assert accounting.connections.get_by_id(connection.id).status == "connected"
    assert [c.id for c in accounting.connections.get().data] == [connection.id]

    # sync: accepted, then the job pulls the platform's data
    assert accounting.connections.sync_by_id(connection.id).message
    assert monite_emulator.run_jobs() == 1
    assert accounting.connections.get_by_id(connection.id).last_pull is not None

    # synced records of every object type, three pages each (10 per type, limit 4)
    errored = None
    for object_type in OBJECT_TYPES:
        records = all_pages(accounting.synced_records.get, object_type=object_type, limit=4)
        assert len(records) == 10 and len({r.id for r in records}) == 10
        assert {r.object_type for r in records} == {object_type}
        assert accounting.synced_records.get_by_id(records[0].id).id == records[0].id
        errored = errored or next(r for r in records if r.sync_status == "error")

    # push a record in error: pending, then settled by the next job
    assert errored is not None and errored.errors
    assert accounting.synced_records.push_by_id(errored.id).sync_status == "pending"
    monite_emulator.run_jobs()
    assert accounting.synced_records.get_by_id(errored.id).sync_status == "done"  # not a permanent failure

    # tax rates, two pages
    rates = all_pages(accounting.tax_rates.get, limit=7)
    assert len(rates) == 12
    compound = next(r for r in rates if any(c.is_compound for c in r.components or []))
    assert accounting.tax_rates.get_by_id(compound.id).effective_tax_rate > compound.total_tax_rate

    # ledger accounts: list and get through the SDK; create, patch, delete through its HTTP client
    synced_accounts = all_pages(accounting.ledger_accounts.get, limit=5)
    assert len(synced_accounts) == 12
    raw = client._client_wrapper.httpx_client
    created = raw.request("ledger_accounts", method="POST", json={"name": "Emulator suspense", "nominal_code": "999"})
    assert created.status_code == 201, created.text
    account_id = created.json()["id"]
    fetched = accounting.ledger_accounts.get_by_id(account_id)
    assert (fetched.name, fetched.nominal_code, fetched.status) == ("Emulator suspense", "999", "Active")
    patched = raw.request(f"ledger_accounts/{account_id}", method="PATCH", json={"description": "patched"})
    assert patched.status_code == 200 and accounting.ledger_accounts.get_by_id(account_id).description == "patched"
    assert account_id in {a.id for a in all_pages(accounting.ledger_accounts.get, limit=5)}
    assert raw.request(f"ledger_accounts/{account_id}", method="DELETE").status_code == 204
    with pytest.raises(monite.core.api_error.ApiError) as gone:
        accounting.ledger_accounts.get_by_id(account_id)
    assert gone.value.status_code == 404

    # disconnect
    assert accounting.connections.disconnect_by_id(connection.id).status == "disconnected"
    assert accounting.connections.get().data[0].status == "disconnected"


def test_sdk_sees_injected_errors(monite_emulator: ServedEmulator) -> None:
    """The SDK's typed errors for what the fault rules answer."""
    client = sdk(monite_emulator, monite_emulator.partner_token())
    monite_emulator.add_fault(operation="listAccountingConnections", status=429, retry_after=1)
    with pytest.raises(monite.errors.TooManyRequestsError) as limited:
        client.accounting.connections.get()
    assert limited.value.headers["retry-after"] == "1"
    monite_emulator.add_fault(operation="listAccountingConnections", status=503)
    with pytest.raises(monite.core.api_error.ApiError) as unavailable:
        client.accounting.connections.get()
    assert unavailable.value.status_code == 503 and unavailable.value.body == {"error": {"message": "Service unavailable"}}
    assert client.accounting.connections.get().data == []
