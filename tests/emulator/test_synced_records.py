"""Synced records: filters, sorting, pagination and tokens, push retry."""

from __future__ import annotations

import base64
import uuid

import pytest

from emu_helpers import Api

URL = "/v1/accounting_synced_records"


def all_pages(api: Api, params: dict, limit: int) -> list[dict]:
    out: list[dict] = []
    r = api.get(URL, params={**params, "limit": limit}).json()
    out += r["data"]
    assert r["prev_pagination_token"] is None
    while r["next_pagination_token"]:
        r = api.get(URL, params={"pagination_token": r["next_pagination_token"], "limit": limit}).json()
        out += r["data"]
    return out


def test_object_type_required_and_enum(seeded: Api) -> None:
    r = seeded.get(URL)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "object_type"]
    assert seeded.get(URL, params={"object_type": "invoice"}).status_code == 422


def test_seed_shape(seeded: Api) -> None:
    data = seeded.get(URL, params={"object_type": "product"}).json()
    assert len(data["data"]) == 30 and data["next_pagination_token"] is None
    assert data["prev_pagination_token"] is None
    rec = data["data"][0]
    assert set(rec) >= {"id", "created_at", "updated_at", "last_pulled_at", "object_type", "sync_status", "errors",
                        "object_id", "object_updated_at", "platform", "platform_object_id", "platform_updated_at",
                        "provider", "provider_object_id", "provider_updated_at"}
    created = [d["created_at"] for d in data["data"]]
    assert created == sorted(created) and len(set(created)) == 30
    assert sum(d["sync_status"] == "error" for d in data["data"]) == 6


def test_pagination_walk_forward_and_back(seeded: Api) -> None:
    items = all_pages(seeded, {"object_type": "bill"}, 7)
    assert len(items) == 30 and len({i["id"] for i in items}) == 30
    # walk back from the last page
    r = seeded.get(URL, params={"object_type": "bill", "limit": 7}).json()
    pages = [r]
    while r["next_pagination_token"]:
        r = seeded.get(URL, params={"pagination_token": r["next_pagination_token"], "limit": 7}).json()
        pages.append(r)
    assert pages[-1]["next_pagination_token"] is None and len(pages) == 5
    back = pages[-1]
    seen = [back["data"]]
    while back["prev_pagination_token"]:
        back = seeded.get(URL, params={"pagination_token": back["prev_pagination_token"], "limit": 7}).json()
        seen.insert(0, back["data"])
    assert [i["id"] for page in seen for i in page] == [i["id"] for i in items]
    assert back["prev_pagination_token"] is None


@pytest.mark.parametrize("sort", ["created_at", "updated_at"])
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_sort_with_ties(seeded: Api, sort: str, order: str) -> None:
    items = all_pages(seeded, {"object_type": "vendor", "sort": sort, "order": order}, 4)
    keys = [(i[sort], i["id"]) for i in items]
    assert keys == sorted(keys, reverse=order == "desc")
    assert len(items) == 30


def test_filters(seeded: Api) -> None:
    items = seeded.get(URL, params={"object_type": "customer"}).json()["data"]
    pivot = items[10]["created_at"]
    gt = seeded.get(URL, params={"object_type": "customer", "created_at__gt": pivot}).json()["data"]
    gte = seeded.get(URL, params={"object_type": "customer", "created_at__gte": pivot}).json()["data"]
    lt = seeded.get(URL, params={"object_type": "customer", "created_at__lt": pivot}).json()["data"]
    lte = seeded.get(URL, params={"object_type": "customer", "created_at__lte": pivot}).json()["data"]
    assert (len(gt), len(gte), len(lt), len(lte)) == (19, 20, 10, 11)
    upd = items[3]["updated_at"]
    assert len(seeded.get(URL, params={"object_type": "customer", "updated_at__gte": upd,
                                       "updated_at__lte": upd}).json()["data"]) == 3
    assert seeded.get(URL, params={"object_type": "customer", "updated_at__gt": "2100-01-01T00:00:00+02:00"}).json()["data"] == []
    oid = items[5]["object_id"]
    one = seeded.get(URL, params={"object_type": "customer", "object_id": oid}).json()["data"]
    assert [i["object_id"] for i in one] == [oid]
    ids = [items[1]["object_id"], items[2]["object_id"], items[3]["object_id"]]
    rep = seeded.get(URL, params=[("object_type", "customer"), ("object_id__in", ids[0]), ("object_id__in", ids[1])])
    assert {i["object_id"] for i in rep.json()["data"]} == set(ids[:2])
    comma = seeded.get(URL, params={"object_type": "customer", "object_id__in": ",".join(ids)})
    assert {i["object_id"] for i in comma.json()["data"]} == set(ids)
    # object ids of one type do not match another type
    assert seeded.get(URL, params={"object_type": "bill", "object_id": oid}).json()["data"] == []


def test_bad_filters_422(seeded: Api) -> None:
    for params in ({"object_id": "x"}, {"object_id__in": "x"}, {"created_at__gt": "yesterday"},
                   {"order": "up"}, {"sort": "name"}, {"limit": "0"}, {"limit": "251"}, {"limit": "ten"},
                   {"limit": "99999999999999999999999999"}):
        r = seeded.get(URL, params={"object_type": "bill", **params})
        assert r.status_code == 422, params
        assert r.json()["detail"][0]["loc"][0] == "query"


def test_filters_carried_by_token_and_ignored_when_sent(seeded: Api) -> None:
    first = seeded.get(URL, params={"object_type": "bill", "order": "desc", "limit": 5}).json()
    tok = first["next_pagination_token"]
    a = seeded.get(URL, params={"pagination_token": tok, "limit": 5}).json()
    b = seeded.get(URL, params={"pagination_token": tok, "limit": 5, "object_type": "invalid", "order": "asc",
                                "created_at__gt": "garbage"}).json()
    assert a == b
    assert a["data"][0]["created_at"] < first["data"][-1]["created_at"]
    # limit is not carried: without it the default applies
    rest = seeded.get(URL, params={"pagination_token": tok}).json()
    assert len(rest["data"]) == 25 and rest["next_pagination_token"] is None
    assert seeded.get(URL, params={"pagination_token": tok, "limit": 0}).status_code == 422


def test_tampered_and_foreign_tokens(seeded: Api) -> None:
    tok = seeded.get(URL, params={"object_type": "bill", "limit": 2}).json()["next_pagination_token"]
    body, sig = tok.split(".")
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).replace(b'"bill"', b'"vendor"')
    forged = base64.urlsafe_b64encode(raw).rstrip(b"=").decode() + "." + sig
    for bad in (forged, tok[:-3] + "AAA", "garbage", "", "a.b.c", tok + "x"):
        r = seeded.get(URL, params={"pagination_token": bad})
        assert r.status_code == 422, bad
        assert r.json()["detail"][0]["loc"] == ["query", "pagination_token"]
    other = str(uuid.uuid4())
    seeded.seed(other)
    r = seeded.get(URL, entity_id=other, params={"pagination_token": tok})
    assert r.status_code == 422
    # a ledger-accounts token is not a synced-records token
    ltok = seeded.get("/v1/ledger_accounts", params={"limit": 2}).json()["next_pagination_token"]
    assert seeded.get(URL, params={"pagination_token": ltok}).status_code == 422


def test_get_by_id_and_isolation(seeded: Api) -> None:
    rec = seeded.get(URL, params={"object_type": "bill"}).json()["data"][0]
    assert seeded.get(f"{URL}/{rec['id']}").json() == rec
    other = str(uuid.uuid4())
    assert seeded.get(f"{URL}/{rec['id']}", entity_id=other).status_code == 404
    assert seeded.post(f"{URL}/{rec['id']}/push", entity_id=other).status_code == 404
    assert seeded.get(URL, entity_id=other, params={"object_type": "bill"}).json()["data"] == []
    assert seeded.get(f"{URL}/{uuid.uuid4()}").status_code == 404
    assert seeded.get(f"{URL}/nope").status_code == 404


def test_push_retry(seeded: Api) -> None:
    errors = [d for d in seeded.get(URL, params={"object_type": "receivable"}).json()["data"]
              if d["sync_status"] == "error"]
    assert len(errors) == 6
    pushed = []
    for rec in errors:
        r = seeded.post(f"{URL}/{rec['id']}/push")
        assert r.status_code == 200 and r.json()["sync_status"] == "pending" and r.json()["id"] == rec["id"]
        pushed.append(rec["id"])
    assert seeded.client.post("/_emulator/jobs/run").json()["ran"] == 6
    final = [seeded.get(f"{URL}/{rid}").json() for rid in pushed]
    statuses = [f["sync_status"] for f in final]
    assert statuses.count("done") == 3 and statuses.count("error") == 3
    assert all(f["errors"]["message"] for f in final if f["sync_status"] == "error")


def test_push_resolved_by_clock(seeded: Api) -> None:
    rec = seeded.get(URL, params={"object_type": "bill"}).json()["data"][4]
    assert rec["sync_status"] == "error"
    seeded.post(f"{URL}/{rec['id']}/push")
    seeded.client.put("/_emulator/clock", json={"advance_seconds": 2})
    assert seeded.get(f"{URL}/{rec['id']}").json()["sync_status"] == "done"


def test_push_without_connection_409(seeded: Api) -> None:
    rec = seeded.get(URL, params={"object_type": "bill"}).json()["data"][4]
    conn = seeded.get("/v1/accounting_connections").json()["data"][0]
    seeded.post(f"/v1/accounting_connections/{conn['id']}/disconnect")
    assert seeded.post(f"{URL}/{rec['id']}/push").status_code == 409
