"""Control plane, persistence, the clock."""

from __future__ import annotations

import uuid
from pathlib import Path

from starlette.testclient import TestClient

from emu_helpers import Api, get_token
from monite_emulator.app import create_app
from monite_emulator.assumptions import ASSUMPTIONS, BY_ID
from monite_emulator.settings import EmulatorSettings


def test_describe(client: TestClient) -> None:
    d = client.get("/_emulator").json()
    assert d["emulator"] == "monite-accounting" and d["version"]
    paths = {c["path"] for c in d["calls"]}
    assert "/_emulator/jobs/run" in paths and "/_emulator/entities/{entity_id}/seed" in paths


def test_reset(seeded: Api) -> None:
    seeded.client.put("/_emulator/rate_limit", json={"per_second": 5})
    assert seeded.client.post("/_emulator/reset").status_code == 200
    tok = get_token(seeded.client)
    fresh = Api(seeded.client, tok, seeded.entity_id)
    assert fresh.get("/v1/accounting_connections").json() == {"data": []}
    assert fresh.get("/v1/accounting_connections").headers["RateLimit-Limit"] == "10000"
    # old tokens are gone
    assert seeded.get("/v1/accounting_connections").status_code == 401


def test_state(seeded: Api) -> None:
    s = seeded.client.get("/_emulator/state", params={"entity_id": seeded.entity_id}).json()
    assert s["entities"] == [seeded.entity_id]
    assert len(s["synced_records"]) == 180 and len(s["connections"]) == 1
    assert seeded.client.get("/_emulator/state").status_code == 200


def test_clock(client: TestClient) -> None:
    r = client.put("/_emulator/clock", json={"now": "2030-01-01T00:00:00Z"})
    assert r.status_code == 200 and r.json()["now"].startswith("2030-01-01T00:00")
    api = Api(client, get_token(client), str(uuid.uuid4()))
    c = api.post("/v1/accounting_connections").json()
    assert c["created_at"].startswith("2030-01-01T00:00")
    assert client.put("/_emulator/clock", json={}).status_code == 422
    assert client.put("/_emulator/clock", json={"now": "garbage"}).status_code == 422
    assert client.delete("/_emulator/clock").json()["real_clock"] is True


def test_control_validation(client: TestClient) -> None:
    assert client.put("/_emulator/rate_limit", json={"per_second": 0}).status_code == 422
    assert client.post("/_emulator/entities/not-a-uuid/seed").status_code == 422
    assert client.post(f"/_emulator/connections/{uuid.uuid4()}/authorize").status_code == 404
    assert client.post("/_emulator/entities/" + str(uuid.uuid4()) + "/seed", json={"records_per_type": -1}).status_code == 422


def test_seed_is_idempotent(api: Api) -> None:
    c1 = api.seed(records_per_type=5)
    c2 = api.seed(records_per_type=5)
    assert c1["id"] == c2["id"] and c2["status"] == "connected"
    assert len(api.get("/v1/accounting_synced_records", params={"object_type": "bill"}).json()["data"]) == 5


def test_db_persistence(tmp_path: Path) -> None:
    db = str(tmp_path / "emu.db")
    entity = str(uuid.uuid4())
    with TestClient(create_app(EmulatorSettings(db_path=db))) as c:
        api = Api(c, get_token(c), entity)
        api.seed(records_per_type=5)
        acc = api.post("/v1/ledger_accounts", json={"name": "Kept"}).json()
        tok = api.get("/v1/accounting_synced_records", params={"object_type": "bill", "limit": 2}).json()["next_pagination_token"]
    with TestClient(create_app(EmulatorSettings(db_path=db))) as c:
        api2 = Api(c, api.token, entity)  # the token survives too
        assert api2.get(f"/v1/ledger_accounts/{acc['id']}").json()["name"] == "Kept"
        assert api2.get("/v1/accounting_connections").json()["data"][0]["status"] == "connected"
        page = api2.get("/v1/accounting_synced_records", params={"pagination_token": tok, "limit": 2})
        assert page.status_code == 200 and len(page.json()["data"]) == 2
        assert api2.post("/v1/accounting_connections").status_code == 409


def test_isolated_apps() -> None:
    with TestClient(create_app()) as a, TestClient(create_app()) as b:
        api = Api(a, get_token(a), str(uuid.uuid4()))
        api.seed(records_per_type=1)
        assert b.get("/_emulator/state").json()["connections"] == []


def test_assumptions_listed() -> None:
    ids = [a.id for a in ASSUMPTIONS]
    assert ids[:24] == [f"A{i}" for i in range(1, 25)]
    assert all(BY_ID[i].choice for i in ids)
    readme = (Path(__file__).parents[2] / "monite_emulator" / "README.md").read_text()
    for i in ids:
        assert f"| {i} |" in readme


def test_public_base_url() -> None:
    with TestClient(create_app(EmulatorSettings(public_base_url="http://emu.example:9000"))) as c:
        api = Api(c, get_token(c), str(uuid.uuid4()))
        url = api.post("/v1/accounting_connections").json()["connection_url"]
        assert url.startswith("http://emu.example:9000/_emulator/connect/")


def test_client_credentials_from_env(monkeypatch) -> None:
    monkeypatch.setenv("MONITE_CLIENT_ID", "11111111-1111-1111-1111-111111111111")
    monkeypatch.setenv("MONITE_CLIENT_SECRET", "other")
    s = EmulatorSettings()
    assert s.client_id.startswith("1111") and s.client_secret == "other"
