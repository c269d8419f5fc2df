"""Hostile and malformed input: always a 4xx, never a 5xx or a hang."""

from __future__ import annotations

import pytest

from emu_helpers import Api


def test_unknown_route_404_json(api: Api) -> None:
    for path in ("/v1/nope", "/nope", "/v1/ledger_accounts/a/b/c", "/v1/accounting_connections/"):
        r = api.client.get(path, headers=api.headers())
        assert r.status_code == 404 and r.json()["error"]["message"], path


def test_wrong_method_405_allow(api: Api) -> None:
    r = api.client.put("/v1/accounting_connections", headers=api.headers())
    assert r.status_code == 405
    assert set(r.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    assert r.json()["error"]["message"]
    r = api.client.get("/v1/auth/token")
    assert r.status_code == 405 and r.headers["Allow"] == "POST"
    r = api.client.delete("/v1/ledger_accounts", headers=api.headers())
    assert r.status_code == 405


def test_routing_before_version(api: Api) -> None:
    assert api.client.get("/v1/nope").status_code == 404


@pytest.mark.parametrize("body,ctype", [
    (b"{bad json", "application/json"),
    (b"\xff\xfe\xfa", "application/json"),
    (b"[" * 50000 + b"]" * 50000, "application/json"),
    (b'"just a string"', "application/json"),
    (b"name=x", "application/x-www-form-urlencoded"),
    (b'{"name": "x"}', "text/plain"),
    (b"", "application/json"),
])
def test_malformed_bodies_422(api: Api, body: bytes, ctype: str) -> None:
    r = api.client.post("/v1/ledger_accounts", headers=api.headers(**{"content-type": ctype}), content=body)
    assert r.status_code == 422, r.text
    assert all(set(d) == {"loc", "msg", "type"} for d in r.json()["detail"])


def test_body_over_1mib_413(api: Api) -> None:
    big = b'{"name": "' + b"a" * (1024 * 1024) + b'"}'
    r = api.client.post("/v1/ledger_accounts", headers=api.headers(**{"content-type": "application/json"}), content=big)
    assert r.status_code == 413 and r.json()["error"]["message"]

    def gen():
        for _ in range(20):
            yield b"a" * 65536

    r = api.client.post("/v1/ledger_accounts", headers=api.headers(**{"content-type": "application/json"}), content=gen())
    assert r.status_code == 413


def test_garbage_headers_and_params(api: Api) -> None:
    h = api.headers()
    for bad in (b"x" * 5000, "💥".encode(), b"2024-13-45", b""):
        r = api.client.get("/v1/accounting_connections", headers={**h, "x-monite-version": bad})
        assert r.status_code == 400
    r = api.client.get("/v1/accounting_connections", headers={**h, "Authorization": "Bearer " + "x" * 10000})
    assert r.status_code == 401
    r = api.get("/v1/accounting_synced_records", params={"object_type": "bill", "pagination_token": "%%%" * 5000})
    assert r.status_code == 422
    r = api.get("/v1/accounting_synced_records", params={"object_type": "bill", "created_at__gt": "9" * 500})
    assert r.status_code == 422
    r = api.get("/v1/accounting_synced_records", params={"object_type": "bill", "created_at__gt": "0001-01-01T00:00:00+14:00"})
    assert r.status_code in (200, 422)


def test_error_bodies_never_echo_token(api: Api) -> None:
    r = api.get("/v1/ledger_accounts/" + api.token)
    assert r.status_code == 404 and api.token not in r.text


def test_openapi_served(api: Api) -> None:
    doc = api.client.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert "/v1/accounting_synced_records" in doc["paths"]
    assert not any(p.startswith("/_emulator") for p in doc["paths"])
    ops = sum(len([m for m in v if m in {"get", "post", "patch", "delete", "put"}]) for v in doc["paths"].values())
    assert ops == 16
