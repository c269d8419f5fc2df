"""Tax rates and ledger accounts."""

from __future__ import annotations

import uuid

from emu_helpers import Api


def test_tax_rates_sorted_and_compound(seeded: Api) -> None:
    r = seeded.get("/v1/accounting_tax_rates").json()
    data = r["data"]
    assert len(data) == 12 and r["next_pagination_token"] is None
    names = [(d["name"], d["id"]) for d in data]
    assert names == sorted(names)
    compound = [d for d in data if any(c["is_compound"] for c in d["components"])]
    assert compound and all(d["effective_tax_rate"] > d["total_tax_rate"] for d in compound)
    for d in data:
        assert isinstance(d["total_tax_rate"], int)
        if d not in compound:
            assert sum(c["rate"] for c in d["components"]) == d["total_tax_rate"] == d["effective_tax_rate"]
    one = seeded.get(f"/v1/accounting_tax_rates/{data[0]['id']}").json()
    assert one == data[0]
    assert seeded.get(f"/v1/accounting_tax_rates/{data[0]['id']}", entity_id=str(uuid.uuid4())).status_code == 404
    desc = seeded.get("/v1/accounting_tax_rates", params={"order": "desc"}).json()["data"]
    assert [d["id"] for d in desc] == [d["id"] for d in data][::-1]


def test_tax_rate_pages(seeded: Api) -> None:
    p1 = seeded.get("/v1/accounting_tax_rates", params={"limit": 5}).json()
    p2 = seeded.get("/v1/accounting_tax_rates", params={"limit": 5, "pagination_token": p1["next_pagination_token"]}).json()
    p3 = seeded.get("/v1/accounting_tax_rates", params={"limit": 5, "pagination_token": p2["next_pagination_token"]}).json()
    assert len(p3["data"]) == 2 and p3["next_pagination_token"] is None and p2["prev_pagination_token"]
    assert seeded.get("/v1/accounting_tax_rates", params={"sort": "bogus"}).status_code == 422


def test_no_connection_empty_pages(api: Api) -> None:
    assert api.get("/v1/accounting_tax_rates").json() == {"data": [], "next_pagination_token": None,
                                                          "prev_pagination_token": None}
    assert api.get("/v1/ledger_accounts").json()["data"] == []


def test_ledger_crud(api: Api) -> None:
    r = api.post("/v1/ledger_accounts", json={"name": "Zeta", "nominal_code": "999", "description": "d"})
    assert r.status_code == 201
    acc = r.json()
    assert acc["is_external"] is False and acc["status"] == "Active" and acc["type"] == "Unknown"
    assert acc["is_bank_account"] is False and acc["currency"] is None and acc["subtype"] is None
    bare = api.post("/v1/ledger_accounts", json={}).json()
    assert bare["name"] is None and bare["nominal_code"] is None
    assert api.get(f"/v1/ledger_accounts/{acc['id']}").json() == acc
    p = api.patch(f"/v1/ledger_accounts/{acc['id']}", json={"name": "Alpha"})
    assert p.status_code == 200 and p.json()["name"] == "Alpha" and p.json()["nominal_code"] == "999"
    assert p.json()["updated_at"] > acc["updated_at"]
    empty = api.patch(f"/v1/ledger_accounts/{acc['id']}", json={})
    assert empty.status_code == 200 and empty.json()["updated_at"] > p.json()["updated_at"]
    names = [a["name"] for a in api.get("/v1/ledger_accounts").json()["data"]]
    assert names == [None, "Alpha"]  # null names sort as ""
    other = str(uuid.uuid4())
    assert api.get(f"/v1/ledger_accounts/{acc['id']}", entity_id=other).status_code == 404
    assert api.patch(f"/v1/ledger_accounts/{acc['id']}", entity_id=other, json={}).status_code == 404
    assert api.delete(f"/v1/ledger_accounts/{acc['id']}", entity_id=other).status_code == 404
    d = api.delete(f"/v1/ledger_accounts/{acc['id']}")
    assert d.status_code == 204 and d.content == b""
    assert api.get(f"/v1/ledger_accounts/{acc['id']}").status_code == 404
    assert api.delete(f"/v1/ledger_accounts/{acc['id']}").status_code == 404


def test_ledger_length_bounds(api: Api) -> None:
    ok = api.post("/v1/ledger_accounts", json={"name": "n" * 500, "nominal_code": "c" * 500, "description": "d" * 2048})
    assert ok.status_code == 201
    for field, n in (("name", 501), ("nominal_code", 501), ("description", 2049)):
        r = api.post("/v1/ledger_accounts", json={field: "x" * n})
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", field]
        r = api.patch(f"/v1/ledger_accounts/{ok.json()['id']}", json={field: "x" * n})
        assert r.status_code == 422
    assert api.post("/v1/ledger_accounts", json={"name": 5}).status_code == 422


def test_external_ledger_delete_409(seeded: Api) -> None:
    data = seeded.get("/v1/ledger_accounts").json()["data"]
    assert len(data) == 12 and all(a["is_external"] for a in data)
    names = [(a["name"], a["id"]) for a in data]
    assert names == sorted(names)
    r = seeded.delete(f"/v1/ledger_accounts/{data[0]['id']}")
    assert r.status_code == 409 and r.json()["error"]["message"]


def test_seed_counts(api: Api) -> None:
    api.seed(records_per_type=3, tax_rates=30, ledger_accounts=260)
    assert len(api.get("/v1/accounting_synced_records", params={"object_type": "bill"}).json()["data"]) == 3
    page = api.get("/v1/ledger_accounts").json()
    assert len(page["data"]) == 250 and page["next_pagination_token"]
    assert len(api.get("/v1/accounting_tax_rates").json()["data"]) == 30
