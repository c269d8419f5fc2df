"""Auth, versions, headers, entity header, rate limits."""

from __future__ import annotations

import uuid

import pytest

from emu_helpers import CLIENT_ID, CLIENT_SECRET, VERSION, Api, get_token


def test_token_issue_and_use(api: Api) -> None:
    r = api.client.post("/v1/auth/token", headers={"x-monite-version": VERSION},
                        json={"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 1800 and body["access_token"]
    assert api.get("/v1/accounting_connections").status_code == 200


def test_wrong_credentials_401_without_secret_echo(api: Api) -> None:
    r = api.client.post("/v1/auth/token", headers={"x-monite-version": VERSION},
                        json={"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": "s3cr3t-value"})
    assert r.status_code == 401
    assert set(r.json()) == {"error"} and "message" in r.json()["error"]
    assert "s3cr3t-value" not in r.text


def test_token_request_validation(api: Api) -> None:
    r = api.client.post("/v1/auth/token", headers={"x-monite-version": VERSION}, json={"grant_type": "nope"})
    assert r.status_code == 422
    assert all(set(d) == {"loc", "msg", "type"} for d in r.json()["detail"])


def test_missing_unknown_and_expired_tokens(api: Api) -> None:
    base = {"x-monite-version": VERSION, "x-monite-entity-id": api.entity_id}
    assert api.client.get("/v1/accounting_connections", headers=base).status_code == 401
    r = api.client.get("/v1/accounting_connections", headers={**base, "Authorization": "Bearer nope"})
    assert r.status_code == 401 and r.json()["error"]["message"]
    assert "nope" not in r.text
    r = api.client.get("/v1/accounting_connections", headers={**base, "Authorization": "Basic abc"})
    assert r.status_code == 401
    api.client.put("/_emulator/clock", json={"advance_seconds": 1801})
    r = api.get("/v1/accounting_connections")
    assert r.status_code == 401 and "expired" in r.json()["error"]["message"]
    api.client.delete("/_emulator/clock")
    assert api.get("/v1/accounting_connections").status_code == 200


def test_a_token_in_use_expires_and_is_forgotten_by_reset(api: Api) -> None:
    """The emulator keeps a partner token's row after its first use (model: Emulator.authenticate):
    expiry and reset must still reach a token that was already in use."""
    assert api.get("/v1/accounting_connections").status_code == 200
    api.client.put("/_emulator/clock", json={"advance_seconds": 1801})
    r = api.get("/v1/accounting_connections")
    assert r.status_code == 401 and "expired" in r.json()["error"]["message"]
    api.client.delete("/_emulator/clock")
    assert api.get("/v1/accounting_connections").status_code == 200
    assert api.client.post("/_emulator/reset").status_code == 200
    r = api.get("/v1/accounting_connections")
    assert r.status_code == 401 and "expired" not in r.json()["error"]["message"]


def test_version_header(api: Api) -> None:
    h = api.headers()
    del h["x-monite-version"]
    r = api.client.get("/v1/accounting_connections", headers=h)
    assert r.status_code == 400
    assert r.json() == {"error": {"type": "missing_api_version", "message": "Missing the x-monite-version HTTP header"}}
    r = api.client.get("/v1/accounting_connections", headers={**h, "x-monite-version": "2099-01-01"})
    assert r.status_code == 400 and r.json()["error"]["type"] == "unsupported_api_version"
    assert r.headers["x-monite-version"] == "2099-01-01"
    for v in ("2023-09-01", "2024-01-31", "2024-05-25"):
        assert api.client.get("/v1/accounting_connections", headers={**h, "x-monite-version": v}).status_code == 200


def test_version_checked_before_token(api: Api) -> None:
    assert api.client.get("/v1/accounting_connections").status_code == 400


def test_response_headers(api: Api) -> None:
    r1 = api.get("/v1/accounting_connections")
    r2 = api.get("/v1/accounting_connections")
    for r in (r1, r2):
        assert r.headers["x-monite-version"] == VERSION
        assert r.headers["x-monite-entity-id"] == api.entity_id
        assert float(r.headers["x-process-time"]) >= 0
        for name in ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset",
                     "X-RateLimit-Limit-Second", "X-RateLimit-Remaining-Second"):
            assert name in r.headers
    assert r1.headers["x-request-id"] != r2.headers["x-request-id"]
    r = api.client.get("/v1/nope", headers={"x-monite-version": VERSION})
    assert r.status_code == 404 and "x-request-id" in r.headers


def test_entity_header_missing_or_malformed(api: Api) -> None:
    h = api.headers()
    del h["x-monite-entity-id"]
    r = api.client.get("/v1/accounting_connections", headers=h)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["header", "x-monite-entity-id"]
    r = api.client.get("/v1/accounting_connections", headers={**h, "x-monite-entity-id": "not-a-uuid"})
    assert r.status_code == 422
    assert "x-monite-entity-id" not in {"x"} and r.headers["x-monite-entity-id"] == "not-a-uuid"


def test_token_endpoint_needs_no_entity(api: Api) -> None:
    assert get_token(api.client)


def test_entity_user_token_bound_to_entity(api: Api) -> None:
    other = str(uuid.uuid4())
    tok = get_token(api.client, grant_type="entity_user", entity_user_id=str(uuid.uuid4()), entity_id=api.entity_id)
    user = Api(api.client, tok, api.entity_id)
    assert user.get("/v1/accounting_connections").status_code == 200
    r = user.get("/v1/accounting_connections", entity_id=other)
    assert r.status_code == 403 and r.json()["error"]["message"]
    # bound on first use when no entity_id is given (A26)
    tok2 = get_token(api.client, grant_type="entity_user", entity_user_id=str(uuid.uuid4()))
    user2 = Api(api.client, tok2, other)
    assert user2.get("/v1/accounting_connections").status_code == 200
    assert user2.get("/v1/accounting_connections", entity_id=api.entity_id).status_code == 403


def _one_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every request in one 1-second window of the limiter (A17: wall time): the test depends on
    the count of requests, not on how fast a busy machine sends them."""
    from types import SimpleNamespace

    from monite_emulator.model import ratelimit

    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_800_000_000.25))


def test_rate_limit_429(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    _one_window(monkeypatch)
    assert api.client.put("/_emulator/rate_limit", json={"per_second": 3}).status_code == 200
    statuses = [api.get("/v1/accounting_connections") for _ in range(12)]
    limited = [r for r in statuses if r.status_code == 429]
    assert [r.status_code for r in statuses] == [200] * 3 + [429] * 9
    r = limited[0]
    assert int(r.headers["Retry-After"]) >= 1
    assert r.headers["RateLimit-Remaining"] == "0" and r.headers["RateLimit-Limit"] == "3"
    assert r.json()["error"]["message"]
    ok = statuses[0]
    assert ok.headers["X-RateLimit-Limit-Second"] == "3"
    # another token has its own budget
    other = Api(api.client, get_token(api.client), api.entity_id)
    api.client.post("/_emulator/reset")
    assert other.get("/v1/accounting_connections").status_code in (200, 401)


def test_rate_limit_window_follows_the_emulator_clock(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """A17: the windows are the emulator clock's seconds, so a client that waits out a 429 by
    advancing the clock is let back without sleeping, and a clock put back returns to the
    used-up window."""
    _one_window(monkeypatch)
    assert api.client.put("/_emulator/rate_limit", json={"per_second": 2}).status_code == 200
    assert [api.get("/v1/accounting_connections").status_code for _ in range(3)] == [200, 200, 429]
    assert api.client.put("/_emulator/clock", json={"advance_seconds": 1}).status_code == 200
    assert [api.get("/v1/accounting_connections").status_code for _ in range(3)] == [200, 200, 429]
    assert api.client.put("/_emulator/clock", json={"advance_seconds": 0.5}).status_code == 200
    assert api.get("/v1/accounting_connections").status_code == 429  # still the same second


def test_default_rate_limit_is_high(api: Api) -> None:
    assert all(api.get("/v1/accounting_connections").status_code == 200 for _ in range(40))


def test_rate_limit_settable_via_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from starlette.testclient import TestClient

    _one_window(monkeypatch)
    from monite_emulator.app import create_app
    from monite_emulator.settings import EmulatorSettings

    with TestClient(create_app(EmulatorSettings(rate_limit_per_second=2))) as c:
        a = Api(c, get_token(c), str(uuid.uuid4()))
        codes = [a.get("/v1/accounting_connections").status_code for _ in range(8)]
        assert codes == [200, 200] + [429] * 6
