"""The direct path (monite_emulator/http/direct.py) answers exactly as FastAPI's path does.

The middleware calls the endpoint of a body-less API operation itself when FastAPI would have
nothing to validate. These tests run one sequence of requests (successes, every error the
routes raise, fallbacks to FastAPI) against two emulators in the same state, one with the direct
path and one without it, and compare every answer: status, headers and body bytes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import fastapi.routing
import pytest
from emu_helpers import VERSION, get_token
from starlette.testclient import TestClient

import monite_emulator.app as app_module
from monite_emulator.app import create_app
from monite_emulator.http.direct import direct_routes
from monite_emulator.model.pagination import TokenCodec

ENTITY = "0b6c2e3a-8f1d-4c7e-9a25-3d4f5e6a7b8c"
OTHER = "7f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
NOWHERE = "00000000-0000-4000-8000-000000000000"
FROZEN = datetime(2025, 3, 14, 15, 9, 26, 535897, tzinfo=UTC)
# Differ between any two answers: the request id, the time taken and the rate-limit window.
VOLATILE = {b"x-request-id", b"x-process-time", b"ratelimit-remaining", b"ratelimit-reset",
            b"x-ratelimit-remaining-second"}


def _app(direct: bool, monkeypatch: pytest.MonkeyPatch) -> Any:
    with monkeypatch.context() as m:
        if not direct:
            m.setattr(app_module, "direct_routes", lambda routes: {})
        app = create_app()
    emulator = app.state.emulator
    emulator.clock.now = lambda: FROZEN  # the same timestamps in both emulators
    emulator.codec = TokenCodec(b"k" * 32)  # the same pagination tokens
    return app


def _answer(r: Any) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    headers = [(k.lower(), v) for k, v in r.headers.raw if k.lower() not in VOLATILE]
    return r.status_code, headers, r.content


def exercise(client: TestClient) -> list[tuple[str, tuple[int, list[tuple[bytes, bytes]], bytes]]]:
    """Every direct operation, its errors, and requests that fall back to FastAPI."""
    token = get_token(client)
    answers: list[tuple[str, Any]] = []

    def call(label: str, method: str, path: str, entity: str | None = ENTITY, version: str = VERSION,
             auth: str | None = None, **kw: Any) -> Any:
        headers = {"x-monite-version": version, "authorization": f"Bearer {auth or token}"}
        if entity is not None:
            headers["x-monite-entity-id"] = entity
        r = client.request(method, path, headers=headers, **kw)
        answers.append((label, _answer(r)))
        return r

    assert client.post(f"/_emulator/entities/{ENTITY}/seed", json={"records_per_type": 3}).status_code == 200
    connection = call("connections", "GET", "/v1/accounting_connections").json()["data"][0]["id"]
    call("connection", "GET", f"/v1/accounting_connections/{connection}")
    call("connection unknown", "GET", f"/v1/accounting_connections/{NOWHERE}")
    call("connection not a uuid", "GET", "/v1/accounting_connections/abc")
    call("connection of another entity", "GET", f"/v1/accounting_connections/{connection}", entity=OTHER)

    page = call("records", "GET", "/v1/accounting_synced_records", params={"object_type": "bill", "limit": 2}).json()
    call("records next page", "GET", "/v1/accounting_synced_records",
         params={"pagination_token": page["next_pagination_token"], "limit": 2})
    call("records tampered token", "GET", "/v1/accounting_synced_records",
         params={"pagination_token": page["next_pagination_token"][:-2] + "xx"})
    call("records bad type", "GET", "/v1/accounting_synced_records", params={"object_type": "nope", "limit": "x"})
    call("records no type", "GET", "/v1/accounting_synced_records")
    record = page["data"][0]["id"]
    call("record", "GET", f"/v1/accounting_synced_records/{record}")
    call("push", "POST", f"/v1/accounting_synced_records/{record}/push")
    call("push again", "POST", f"/v1/accounting_synced_records/{record}/push")
    assert client.post("/_emulator/jobs/run").status_code == 200
    call("record pushed", "GET", f"/v1/accounting_synced_records/{record}")

    rates = call("tax rates", "GET", "/v1/accounting_tax_rates", params={"limit": 1, "order": "desc"}).json()
    call("tax rate", "GET", f"/v1/accounting_tax_rates/{rates['data'][0]['id']}")
    call("tax rates bad sort", "GET", "/v1/accounting_tax_rates", params={"sort": "rate", "limit": 0})

    accounts = call("ledger", "GET", "/v1/ledger_accounts", params={"limit": 2}).json()
    account = accounts["data"][0]["id"]
    call("ledger account", "GET", f"/v1/ledger_accounts/{account}")
    call("ledger account, old version", "GET", f"/v1/ledger_accounts/{account}", version="2023-06-04")
    call("ledger, old version", "GET", "/v1/ledger_accounts", version="2022-11-16")
    call("ledger delete synced", "DELETE", f"/v1/ledger_accounts/{account}")
    created = call("ledger create (FastAPI)", "POST", "/v1/ledger_accounts", json={"name": "Fees"}).json()["id"]
    call("ledger delete created", "DELETE", f"/v1/ledger_accounts/{created}")
    call("ledger delete again", "DELETE", f"/v1/ledger_accounts/{created}")
    call("ledger, upper-case entity (FastAPI)", "GET", f"/v1/ledger_accounts/{account}", entity=ENTITY.upper())
    call("ledger, no entity (422)", "GET", f"/v1/ledger_accounts/{account}", entity=None)
    call("ledger, bad entity (422)", "GET", f"/v1/ledger_accounts/{account}", entity="nope")
    call("ledger, bad entity and query (422)", "GET", "/v1/ledger_accounts", entity="nope", params={"limit": 0})
    call("ledger HEAD (FastAPI)", "HEAD", f"/v1/ledger_accounts/{account}")
    call("ledger, unknown token", "GET", "/v1/ledger_accounts", auth="nope")

    bound = get_token(client, grant_type="entity_user", entity_user_id=NOWHERE, entity_id=ENTITY)
    call("entity user, own entity", "GET", "/v1/ledger_accounts", auth=bound, params={"limit": 1})
    call("entity user, other entity (403)", "GET", "/v1/ledger_accounts", entity=OTHER, auth=bound)

    call("sync", "POST", f"/v1/accounting_connections/{connection}/sync")
    call("sync again", "POST", f"/v1/accounting_connections/{connection}/sync")
    call("disconnect", "POST", f"/v1/accounting_connections/{connection}/disconnect")
    call("disconnect again", "POST", f"/v1/accounting_connections/{connection}/disconnect")
    call("sync disconnected", "POST", f"/v1/accounting_connections/{connection}/sync")
    call("connections after", "GET", "/v1/accounting_connections")

    def crash(*args: Any) -> Any:
        raise RuntimeError("a bug in the model")

    client.app.state.emulator.get_tax_rate = crash  # type: ignore[attr-defined]
    call("tax rate, the model crashes (500)", "GET", f"/v1/accounting_tax_rates/{rates['data'][0]['id']}")
    return answers


def test_every_answer_of_the_direct_path_equals_fastapis(monkeypatch: pytest.MonkeyPatch) -> None:
    with TestClient(_app(False, monkeypatch)) as plain, TestClient(_app(True, monkeypatch)) as direct:
        expected, got = exercise(plain), exercise(direct)
    assert [label for label, _ in got] == [label for label, _ in expected]
    statuses = {answer[0] for _, answer in expected}
    assert {200, 202, 204, 401, 403, 404, 409, 422, 500} <= statuses, "the sequence must reach every kind of answer"
    for (label, want), (_, have) in zip(expected, got):
        assert have == want, f"{label}: the direct path answered differently from FastAPI's"


def _openapi_direct_candidates() -> set[tuple[str, str]]:
    """From the OpenAPI document: /v1 operations without a request body that take the entity header."""
    document = create_app().openapi()
    found = set()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
            if path.startswith("/v1/") and "requestBody" not in operation and "x-monite-entity-id" in headers:
                found.add((path, method.upper()))
    return found


def test_every_body_less_entity_operation_is_called_directly() -> None:
    assert set(direct_routes(create_app().routes)) == _openapi_direct_candidates()


def test_a_canonical_request_skips_fastapis_dependencies_and_others_do_not(monkeypatch: pytest.MonkeyPatch) -> None:
    solved = []
    original = fastapi.routing.solve_dependencies

    async def counting(*args: Any, **kwargs: Any) -> Any:
        solved.append(kwargs["request"].url.path)
        return await original(*args, **kwargs)

    monkeypatch.setattr(fastapi.routing, "solve_dependencies", counting)
    with TestClient(create_app()) as client:
        token = get_token(client)
        client.post(f"/_emulator/entities/{ENTITY}/seed", json={"records_per_type": 1})
        solved.clear()
        headers = {"x-monite-version": VERSION, "authorization": f"Bearer {token}", "x-monite-entity-id": ENTITY}
        assert client.get("/v1/ledger_accounts", headers=headers).status_code == 200
        assert solved == [], "a canonical request should not go through FastAPI's dependency solving"
        headers["x-monite-entity-id"] = ENTITY.upper()
        assert client.get("/v1/ledger_accounts", headers=headers).status_code == 200
        assert solved == ["/v1/ledger_accounts"], "a non-canonical entity id must go through FastAPI"
