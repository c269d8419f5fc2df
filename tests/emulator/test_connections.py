"""Connections: lifecycle, connection_url, one active per entity, isolation, concurrency."""

from __future__ import annotations

import threading
import uuid

from emu_helpers import Api


def test_create_pending_then_connect_url(api: Api) -> None:
    assert api.get("/v1/accounting_connections").json() == {"data": []}
    r = api.post("/v1/accounting_connections", json={"platform": "quickbooks_online"})
    assert r.status_code == 201
    c = r.json()
    assert c["status"] == "pending_auth" and c["platform"] == "quickbooks_online"
    assert c["connection_url"].endswith(f"/_emulator/connect/{c['id']}")
    assert c["created_at"].endswith("Z")
    assert api.client.get(c["connection_url"]).status_code == 200
    got = api.get(f"/v1/accounting_connections/{c['id']}").json()
    assert got["status"] == "connected" and got["business_info"]["name"]
    assert [x["id"] for x in api.get("/v1/accounting_connections").json()["data"]] == [c["id"]]


def test_connect_url_html_for_browsers(api: Api) -> None:
    c = api.post("/v1/accounting_connections").json()
    r = api.client.get(c["connection_url"], headers={"accept": "text/html"})
    assert r.status_code == 200 and "connected" in r.text and r.headers["content-type"].startswith("text/html")


def test_default_platform_and_no_body(api: Api) -> None:
    r = api.post("/v1/accounting_connections")
    assert r.status_code == 201 and r.json()["platform"] == "xero"


def test_second_active_is_409_and_disconnect_frees(api: Api) -> None:
    c = api.post("/v1/accounting_connections").json()
    r = api.post("/v1/accounting_connections")
    assert r.status_code == 409 and r.json()["error"]["message"]
    d = api.post(f"/v1/accounting_connections/{c['id']}/disconnect")
    assert d.status_code == 200 and d.json()["status"] == "disconnected"
    again = api.post(f"/v1/accounting_connections/{c['id']}/disconnect")
    assert again.status_code == 200 and again.json()["status"] == "disconnected"
    assert api.post("/v1/accounting_connections").status_code == 201
    assert len(api.get("/v1/accounting_connections").json()["data"]) == 2


def test_deauthorize_through_control_plane(api: Api) -> None:
    c = api.post("/v1/accounting_connections").json()
    api.client.post(f"/_emulator/connections/{c['id']}/authorize")
    r = api.client.post(f"/_emulator/connections/{c['id']}/deauthorize")
    assert r.status_code == 200 and r.json()["status"] == "deauthorized"
    assert api.get(f"/v1/accounting_connections/{c['id']}").json()["status"] == "deauthorized"
    assert api.post(f"/v1/accounting_connections/{c['id']}/sync").status_code == 409
    assert api.post("/v1/accounting_connections").status_code == 201


def test_sync_on_pending_or_disconnected_is_409(api: Api) -> None:
    c = api.post("/v1/accounting_connections").json()
    assert api.post(f"/v1/accounting_connections/{c['id']}/sync").status_code == 409
    api.post(f"/v1/accounting_connections/{c['id']}/disconnect")
    assert api.post(f"/v1/accounting_connections/{c['id']}/sync").status_code == 409


def test_unknown_ids_404(api: Api) -> None:
    for cid in (str(uuid.uuid4()), "not-a-uuid"):
        assert api.get(f"/v1/accounting_connections/{cid}").status_code == 404
        assert api.post(f"/v1/accounting_connections/{cid}/disconnect").status_code == 404
        assert api.post(f"/v1/accounting_connections/{cid}/sync").status_code == 404


def test_entity_isolation(api: Api) -> None:
    other = str(uuid.uuid4())
    c = api.post("/v1/accounting_connections").json()
    assert api.get(f"/v1/accounting_connections/{c['id']}", entity_id=other).status_code == 404
    assert api.post(f"/v1/accounting_connections/{c['id']}/disconnect", entity_id=other).status_code == 404
    assert api.get("/v1/accounting_connections", entity_id=other).json() == {"data": []}
    # the other entity may have its own active connection
    assert api.post("/v1/accounting_connections", entity_id=other).status_code == 201


def test_sync_job_pulls(api: Api) -> None:
    c = api.post("/v1/accounting_connections").json()
    api.client.get(c["connection_url"])
    r = api.post(f"/v1/accounting_connections/{c['id']}/sync")
    assert r.status_code == 202 and r.json() == {"message": "Started connection data sync."}
    assert api.get(f"/v1/accounting_connections/{c['id']}").json()["last_pull"] is None
    # the job is due sync_delay (0.5 s) later on the emulator's clock
    api.client.put("/_emulator/clock", json={"advance_seconds": 1})
    conn = api.get(f"/v1/accounting_connections/{c['id']}").json()
    assert conn["last_pull"] is not None
    for t in ("product", "customer", "vendor", "receivable", "bill", "payment_record"):
        data = api.get("/v1/accounting_synced_records", params={"object_type": t}).json()["data"]
        assert len(data) == 10
        statuses = [d["sync_status"] for d in data]
        assert statuses.count("error") == 2 and statuses.count("done") == 8
        assert all(d["errors"].get("message") for d in data if d["sync_status"] == "error")
    assert api.get("/v1/accounting_tax_rates").json()["data"]
    ledger = api.get("/v1/ledger_accounts").json()["data"]
    assert ledger and all(a["is_external"] for a in ledger)
    first_pull = conn["last_pull"]
    api.post(f"/v1/accounting_connections/{c['id']}/sync")
    assert api.client.post("/_emulator/jobs/run").json() == {"ran": 1}
    assert api.get(f"/v1/accounting_connections/{c['id']}").json()["last_pull"] > first_pull


def test_deterministic_ids_across_emulators(api: Api) -> None:
    from starlette.testclient import TestClient

    from monite_emulator.app import create_app
    from emu_helpers import get_token

    api.seed(records_per_type=3)
    ids1 = [d["id"] for d in api.get("/v1/accounting_synced_records", params={"object_type": "bill"}).json()["data"]]
    with TestClient(create_app()) as c2:
        other = Api(c2, get_token(c2), api.entity_id)
        other.seed(records_per_type=3)
        ids2 = [d["id"] for d in other.get("/v1/accounting_synced_records", params={"object_type": "bill"}).json()["data"]]
    assert ids1 == ids2


def test_concurrent_creates_exactly_one(api: Api) -> None:
    results: list[int] = []
    barrier = threading.Barrier(20)

    def worker() -> None:
        barrier.wait()
        results.append(api.post("/v1/accounting_connections").status_code)

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [201] + [409] * 19
    assert len(api.get("/v1/accounting_connections").json()["data"]) == 1
