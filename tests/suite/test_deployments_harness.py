"""The alternative deployments do what they claim: fast, in-process checks of `tests/deployments/`.

Each variant answers differently from the emulator exactly where its docstring says, and the
harness sees what a run changed. (The slow runs of the whole suite against them are in
`test_alternative_deployments.py`.)
"""

from __future__ import annotations

from typing import Any

import re
from collections.abc import Iterator

import httpx
import pytest
from starlette.testclient import TestClient

from tests.deployments import snapshot
from tests.deployments.launcher import serve
from tests.deployments.registry import DEPARTS_FROM, DEPLOYMENTS
from tests.deployments.broken import VARIANTS as BROKEN
from tests.deployments.sandbox import ENTITY_ID, LIFECYCLE_ENTITY_ID, OTHER_ENTITY_ID, build
from tests.deployments.timeline import which_test

VERSION = "2024-05-25"
UNKNOWN_ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


class Api:
    """A client of one in-process deployment, with a partner token."""

    def __init__(self, name: str, layer: Any = None) -> None:
        variant = DEPLOYMENTS[name] if layer is None else (lambda app: DEPLOYMENTS[name](layer(app)))
        self.deployment = build(name, variant)
        self.http = TestClient(self.deployment.app, base_url="http://sandbox.local", raise_server_exceptions=True)
        settings = self.deployment.settings
        token = self.http.post("/v1/auth/token", headers={"x-monite-version": VERSION}, json={
            "grant_type": "client_credentials", "client_id": settings.client_id,
            "client_secret": settings.client_secret}).json()["access_token"]
        self.headers = {"authorization": f"Bearer {token}", "x-monite-version": VERSION,
                        "x-monite-entity-id": ENTITY_ID}

    def call(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}  # type: ignore[dict-item]
        return self.http.request(method, path, headers=headers, **kwargs)  # type: ignore[arg-type]

    def connection(self) -> dict:
        return self.call("GET", "/v1/accounting_connections").json()["data"][0]

    def ledger_account(self) -> dict:
        return self.call("GET", "/v1/ledger_accounts", params={"limit": 1}).json()["data"][0]


@pytest.fixture(scope="module")
def hidden() -> Api:
    return Api("control_plane_hidden")


def test_every_deployment_has_a_docstring_and_builds() -> None:
    for name, factory in DEPLOYMENTS.items():
        assert factory.__doc__ and len(factory.__doc__) > 40, name
        assert name in DEPARTS_FROM, name
        build(name, factory)


def test_control_plane_answers_like_an_unknown_path(hidden: Api) -> None:
    unknown = hidden.http.get("/no_such_path")
    for method, path in [("GET", "/_emulator"), ("POST", "/_emulator/reset"), ("GET", "/_emulator/state"),
                         ("PUT", "/_emulator/rate_limit"), ("GET", "/_emulator/connect/x")]:
        answer = hidden.http.request(method, path)
        assert answer.status_code == unknown.status_code == 404, (method, path)
        assert answer.json() == {"error": {"message": f"Not found: {path}"}}
        assert answer.json().keys() == unknown.json().keys()


def test_entities_are_seeded_like_a_sandbox_entity(hidden: Api) -> None:
    connections = hidden.call("GET", "/v1/accounting_connections").json()["data"]
    assert [c["status"] for c in connections] == ["connected"]
    accounts = hidden.call("GET", "/v1/ledger_accounts").json()["data"]
    assert len(accounts) == 12
    for object_type in ("product", "customer", "vendor", "receivable", "bill", "payment_record"):
        page = hidden.call("GET", "/v1/accounting_synced_records", params={"object_type": object_type}).json()
        assert len(page["data"]) == 30, object_type
    assert len(hidden.call("GET", "/v1/accounting_tax_rates").json()["data"]) == 12
    other = hidden.call("GET", "/v1/accounting_connections", headers={"x-monite-entity-id": OTHER_ENTITY_ID})
    assert [c["status"] for c in other.json()["data"]] == ["connected"]
    assert len(hidden.call("GET", "/v1/ledger_accounts", headers={"x-monite-entity-id": OTHER_ENTITY_ID})
               .json()["data"]) == 6


def test_the_lifecycle_entity_starts_without_connections(hidden: Api) -> None:
    """MONITE_LIFECYCLE_ENTITY_ID of the deployments: seed 002's empty list, room to connect."""
    listed = hidden.call("GET", "/v1/accounting_connections", headers={"x-monite-entity-id": LIFECYCLE_ENTITY_ID})
    assert listed.status_code == 200 and listed.json()["data"] == []
    assert LIFECYCLE_ENTITY_ID in hidden.deployment.entity_ids


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_every_documented_broken_variant_layers_under_the_deployment(name: str) -> None:
    api = Api("control_plane_hidden", layer=BROKEN[name].layer)
    assert api.call("GET", "/_emulator").status_code == 404  # still without control plane
    assert BROKEN[name].rule and BROKEN[name].slice


def test_a_layered_variant_breaks_its_rule_on_the_deployment() -> None:
    api = Api("control_plane_hidden", layer=BROKEN["connection_create_200"].layer)
    created = api.call("POST", "/v1/accounting_connections", json={"platform": "xero"},
                       headers={"x-monite-entity-id": LIFECYCLE_ENTITY_ID})
    assert created.status_code == 200 and created.json()["status"] == "pending_auth"
    clean = Api("control_plane_hidden")
    assert clean.call("POST", "/v1/accounting_connections", json={"platform": "xero"},
                      headers={"x-monite-entity-id": LIFECYCLE_ENTITY_ID}).status_code == 201


def test_snapshot_sees_changes_removals_and_leftovers() -> None:
    api = Api("control_plane_hidden")
    emulator = api.deployment.emulator
    before = snapshot.take(emulator, None)
    assert before.count("connection") == 2 and before.count("ledger_account") == 18
    account = api.ledger_account()
    api.call("PATCH", f"/v1/ledger_accounts/{account['id']}", json={"name": "renamed"})
    created = api.call("POST", "/v1/ledger_accounts", json={"name": "mine"}).json()
    api.call("POST", f"/v1/accounting_connections/{api.connection()['id']}/disconnect")
    new_connection = api.call("POST", "/v1/accounting_connections", json={"platform": "xero"}).json()
    after = snapshot.take(emulator, None)
    changes = {(c.kind, c.id): c for c in snapshot.changed(before, after)}
    assert changes[("ledger_account", account["id"])].fields["name"] == (account["name"], "renamed")
    assert any(kind == "connection" for kind, _ in changes)
    leftovers = {(item.kind, item.id) for item in snapshot.left_behind(before, after)}
    assert leftovers == {("ledger_account", created["id"]), ("connection", new_connection["id"])}
    api.call("POST", f"/v1/accounting_connections/{new_connection['id']}/disconnect")
    api.call("DELETE", f"/v1/ledger_accounts/{created['id']}")
    assert snapshot.left_behind(before, snapshot.take(emulator, None)) == []


def test_request_log_pins_a_change_on_its_request_and_a_job_on_its_sync() -> None:
    with serve("control_plane_hidden") as served, httpx.Client(base_url=served.base_url) as http:
        env = served.env
        token = http.post("/auth/token", headers={"x-monite-version": VERSION}, json={
            "grant_type": "client_credentials", "client_id": env["MONITE_CLIENT_ID"],
            "client_secret": env["MONITE_CLIENT_SECRET"]}).json()["access_token"]
        http.headers.update({"authorization": f"Bearer {token}", "x-monite-version": VERSION,
                             "x-monite-entity-id": env["MONITE_ENTITY_ID"]})
        created = http.post("/ledger_accounts", json={"name": "mine"}).json()
        http.delete(f"/ledger_accounts/{created['id']}")  # not pre-existing: not a change
        account = http.get("/ledger_accounts", params={"limit": 1}).json()["data"][0]
        http.patch(f"/ledger_accounts/{account['id']}", json={"description": "changed"})
        connection = http.get("/accounting_connections").json()["data"][0]
        http.post(f"/accounting_connections/{connection['id']}/sync")
        # The job is due once the emulator's clock has passed its delay: move the clock, not the test.
        served.deployment.emulator.advance_clock(served.deployment.settings.sync_delay_seconds + 1)
        http.get("/accounting_tax_rates")  # the due sync job runs at the start of this request
        lines = [(entry.line(), entry.queued_by.line() if entry.queued_by else None)
                 for entry in served.log.changing()]
        touching = [entry.line() for entry in served.log.touching()]
    assert lines[0] == (f"PATCH /v1/ledger_accounts/{account['id']} -> 200", None)
    assert lines[1] == ("GET /v1/accounting_tax_rates -> 200",
                        f"POST /v1/accounting_connections/{connection['id']}/sync -> 202")
    assert len(lines) == 2
    assert touching == [f"PATCH /v1/ledger_accounts/{account['id']} -> 200",
                        f"POST /v1/accounting_connections/{connection['id']}/sync -> 202"]
    assert {c.kind for c in served.changed()} >= {"ledger_account", "connection", "synced_record"}
    assert served.env["MONITE_BASE_URL"] == served.base_url and served.base_url.endswith("/v1")


def test_timeline_maps_a_moment_to_its_test() -> None:
    timeline = [{"nodeid": "a", "start": 10.0, "stop": 11.0}, {"nodeid": "b", "start": 11.5, "stop": 12.0}]
    assert which_test(timeline, 10.5) == "a"
    assert which_test(timeline, 11.7) == "b"
    assert "preflight" in which_test(timeline, 1.0)
    assert "outside" in which_test(timeline, 11.2)


# --- each variant answers as its docstring says ----------------------------------------------


@pytest.fixture(scope="module")
def api(request: pytest.FixtureRequest) -> Iterator[Api]:
    yield Api(request.param)


def _variant(name: str):  # noqa: ANN202
    return pytest.mark.parametrize("api", [name], indirect=True)


@_variant("path_id_422")
def test_path_id_422(api: Api, hidden: Api) -> None:
    answer = api.call("GET", "/v1/ledger_accounts/not-a-uuid")
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["path", "ledger_account_id"]
    assert api.call("POST", "/v1/accounting_connections/xyz/sync").json()["detail"][0]["loc"] == [
        "path", "connection_id"]
    assert api.call("GET", f"/v1/ledger_accounts/{UNKNOWN_ID}").status_code == 404
    assert hidden.call("GET", "/v1/ledger_accounts/not-a-uuid").status_code == 404


@_variant("limit_416")
def test_limit_416(api: Api, hidden: Api) -> None:
    for limit in ("0", "251", "-1"):
        answer = api.call("GET", "/v1/accounting_tax_rates", params={"limit": limit})
        assert answer.status_code == 416 and isinstance(answer.json()["error"]["message"], str)
        assert hidden.call("GET", "/v1/accounting_tax_rates", params={"limit": limit}).status_code == 422
    assert api.call("GET", "/v1/accounting_tax_rates", params={"limit": "x"}).status_code == 422
    assert api.call("GET", "/v1/accounting_tax_rates", params={"limit": "250"}).status_code == 200


@_variant("conflict_400")
def test_conflict_400(api: Api, hidden: Api) -> None:
    answer = api.call("POST", "/v1/accounting_connections", json={"platform": "xero"})
    assert answer.status_code == 400 and "message" in answer.json()["error"]
    account = api.ledger_account()  # external: deleting it is a conflict (A10)
    assert api.call("DELETE", f"/v1/ledger_accounts/{account['id']}").status_code == 400
    assert hidden.call("POST", "/v1/accounting_connections", json={"platform": "xero"}).status_code == 409


@_variant("method_405_fastapi")
def test_method_405_fastapi(api: Api) -> None:
    answer = api.call("PUT", "/v1/accounting_tax_rates")
    assert answer.status_code == 405 and answer.json() == {"detail": "Method Not Allowed"}
    assert answer.headers["allow"] == "GET, HEAD"


@_variant("gateway_404")
def test_gateway_404(api: Api) -> None:
    answer = api.call("GET", "/v1/no_such_thing")
    assert answer.status_code == 404 and answer.json() == {"message": "no Route matched with those values"}
    known = api.call("GET", f"/v1/ledger_accounts/{UNKNOWN_ID}")
    assert known.status_code == 404 and "error" in known.json()


@_variant("null_tokens_omitted")
def test_null_tokens_omitted(api: Api) -> None:
    first = api.call("GET", "/v1/ledger_accounts", params={"limit": 5}).json()
    assert "prev_pagination_token" not in first and first["next_pagination_token"]
    last = api.call("GET", "/v1/ledger_accounts", params={"limit": 5, "pagination_token": first["next_pagination_token"]})
    assert "prev_pagination_token" in last.json()
    whole = api.call("GET", "/v1/ledger_accounts").json()
    assert set(whole) == {"data"}


@_variant("extra_fields")
def test_extra_fields(api: Api) -> None:
    page = api.call("GET", "/v1/accounting_connections").json()
    assert "undocumented_field" in page and "undocumented_field" in page["data"][0]
    assert "undocumented_field" in page["data"][0]["business_info"]
    error = api.call("GET", f"/v1/ledger_accounts/{UNKNOWN_ID}").json()
    assert "undocumented_field" in error and "undocumented_field" in error["error"]


@_variant("millisecond_timestamps")
def test_millisecond_timestamps(api: Api) -> None:
    stamps = [value for item in api.call("GET", "/v1/ledger_accounts").json()["data"]
              for key, value in item.items() if key.endswith("_at")]
    records = api.call("GET", "/v1/accounting_synced_records", params={"object_type": "bill"}).json()["data"]
    stamps += [value for item in records for key, value in item.items() if key.endswith("_at") and value]
    assert stamps and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", s) for s in stamps), stamps[:3]
    created = api.call("POST", "/v1/ledger_accounts", json={"name": "ms"}).json()["created_at"]
    exact = api.call("GET", "/v1/accounting_synced_records",
                     params={"object_type": "bill", "created_at__gte": records[1]["created_at"],
                             "created_at__lte": records[1]["created_at"]}).json()["data"]
    assert [r["id"] for r in exact] == [records[1]["id"]]
    assert re.fullmatch(r".*\.\d{3}Z", created)


@_variant("unknown_version_served")
def test_unknown_version_served(api: Api, hidden: Api) -> None:
    answer = api.call("GET", "/v1/accounting_tax_rates", headers={"x-monite-version": "2031-01-01"})
    assert answer.status_code == 200 and answer.headers["x-monite-version"] == "2031-01-01"
    assert hidden.call("GET", "/v1/accounting_tax_rates", headers={"x-monite-version": "2031-01-01"}).status_code == 400
    assert api.call("GET", "/v1/accounting_tax_rates", headers={"x-monite-version": "2031-02-30"}).status_code == 400
    assert api.call("GET", "/v1/accounting_tax_rates", headers={"x-monite-version": "latest"}).status_code == 400


@_variant("delete_200_with_body")
def test_delete_200_with_body(api: Api) -> None:
    created = api.call("POST", "/v1/ledger_accounts", json={"name": "gone"}).json()
    answer = api.call("DELETE", f"/v1/ledger_accounts/{created['id']}")
    assert answer.status_code == 200 and answer.json()["id"] == created["id"]
    assert api.call("GET", f"/v1/ledger_accounts/{created['id']}").status_code == 404
    assert api.call("DELETE", f"/v1/ledger_accounts/{created['id']}").status_code == 404


@_variant("push_202")
def test_push_202(api: Api) -> None:
    record = api.call("GET", "/v1/accounting_synced_records", params={"object_type": "bill"}).json()["data"][4]
    answer = api.call("POST", f"/v1/accounting_synced_records/{record['id']}/push")
    assert answer.status_code == 202 and answer.json()["sync_status"] == "pending"


@_variant("ledger_create_200")
def test_ledger_create_200(api: Api) -> None:
    assert api.call("POST", "/v1/ledger_accounts", json={"name": "x"}).status_code == 200


@_variant("error_type_field")
def test_error_type_field(api: Api) -> None:
    assert api.call("GET", f"/v1/ledger_accounts/{UNKNOWN_ID}").json()["error"]["type"] == "not_found"
    unauthorized = api.call("GET", "/v1/ledger_accounts", headers={"authorization": "Bearer nope"})
    assert unauthorized.status_code == 401 and unauthorized.json()["error"]["type"] == "unauthorized"
    assert "type" not in api.call("GET", "/v1/ledger_accounts", params={"limit": 0}).json()


@_variant("token_lifetime_86400")
def test_token_lifetime_86400(api: Api) -> None:
    settings = api.deployment.settings
    answer = api.call("POST", "/v1/auth/token", json={
        "grant_type": "client_credentials", "client_id": settings.client_id, "client_secret": settings.client_secret})
    assert answer.json()["expires_in"] == 86400


@_variant("pagination_token_400")
def test_pagination_token_400(api: Api) -> None:
    answer = api.call("GET", "/v1/ledger_accounts", params={"pagination_token": "garbage"})
    assert answer.status_code == 400 and "message" in answer.json()["error"]
    assert api.call("GET", "/v1/ledger_accounts", params={"limit": 0}).status_code == 422


@_variant("default_limit_100")
def test_default_limit_100(api: Api) -> None:
    api.deployment.emulator.seed(ENTITY_ID, 120, 0, 0, "http://sandbox.local")
    page = api.call("GET", "/v1/accounting_synced_records", params={"object_type": "bill"}).json()
    assert len(page["data"]) == 100 and page["next_pagination_token"]
    following = api.call("GET", "/v1/accounting_synced_records", params={"pagination_token": page["next_pagination_token"]})
    assert len(following.json()["data"]) == 20


@_variant("unsupported_media_415")
def test_unsupported_media_415(api: Api) -> None:
    answer = api.call("POST", "/v1/ledger_accounts", content=b'{"name": "x"}', headers={"content-type": "text/plain"})
    assert answer.status_code == 415 and "message" in answer.json()["error"]
    assert api.call("POST", "/v1/ledger_accounts", json={"name": "x"}).status_code == 201


@_variant("all_at_once")
def test_all_at_once(api: Api) -> None:
    assert api.call("GET", "/v1/ledger_accounts/not-a-uuid").status_code == 422
    assert api.call("GET", "/v1/ledger_accounts", params={"limit": 0}).status_code == 416
    assert api.call("POST", "/v1/accounting_connections", json={}).status_code == 400
    assert api.call("GET", "/v1/no_such_thing").json()["message"] == "no Route matched with those values"
    assert api.call("PUT", "/v1/accounting_tax_rates").json()["detail"] == "Method Not Allowed"
    page = api.call("GET", "/v1/ledger_accounts", headers={"x-monite-version": "2031-01-01"})
    assert page.status_code == 200 and "prev_pagination_token" not in page.json()
    assert "undocumented_field" in page.json()
    assert re.fullmatch(r".*\.\d{3}Z", page.json()["data"][0]["created_at"])
