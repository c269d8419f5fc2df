"""Every request rule of the proxy: a call that breaks exactly it, and one that does the same right.

Both go through the real proxy to the emulator; the bad call must yield that rule and no
other, the good one nothing at all. One proxy and one seeded emulator serve the module: each
test judges only the violations its own calls add.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest

from conformance.findings import Rule
from conformance.proxy import catalogue
from conformance.proxy.server import RunningProxy
from tests.proxy.helpers import Service, rule_ids, seed, violation_count

Call = Callable[[Service, dict[str, str]], httpx.Response]


@dataclass(frozen=True)
class Case:
    rule: Rule
    bad: Call
    good: Call


TOKEN_REQUEST = {"grant_type": "client_credentials", "client_id": "5e7c0a1b-2c3d-4e5f-8a9b-0c1d2e3f4a5b",
                 "client_secret": "anything"}


def _ledger(service: Service, ids: dict[str, str]) -> str:
    return f"/ledger_accounts/{ids['ledger']}"


def _second_page(service: Service, *, resend_limit: bool) -> httpx.Response:
    first = service.get("/accounting_synced_records", params={"object_type": "bill", "limit": 2}).json()
    params = {"pagination_token": first["next_pagination_token"]} | ({"limit": "2"} if resend_limit else {})
    return service.get("/accounting_synced_records", params=params)


CASES = {
    "unknown path of a documented resource": Case(
        catalogue.UNKNOWN_PATH,
        lambda s, ids: s.call("POST", f"{_ledger(s, ids)}/archive"),
        lambda s, ids: s.get(_ledger(s, ids))),
    "method the docs do not give the path": Case(
        catalogue.METHOD_NOT_DOCUMENTED,
        lambda s, ids: s.call("PUT", _ledger(s, ids), json={"name": "x"}),
        lambda s, ids: s.call("PATCH", _ledger(s, ids), json={"name": "x"})),
    "no x-monite-version": Case(
        catalogue.MISSING_VERSION,
        lambda s, ids: s.get("/accounting_tax_rates", without=("x-monite-version",)),
        lambda s, ids: s.get("/accounting_tax_rates")),
    "no x-monite-version at /auth/token": Case(
        catalogue.MISSING_VERSION,
        lambda s, ids: s.http.post("/auth/token", json=TOKEN_REQUEST),
        lambda s, ids: s.http.post("/auth/token", headers={"x-monite-version": "2024-05-25"}, json=TOKEN_REQUEST)),
    "no x-monite-entity-id": Case(
        catalogue.MISSING_ENTITY_ID,
        lambda s, ids: s.get("/accounting_connections", without=("x-monite-entity-id",)),
        lambda s, ids: s.get("/accounting_connections")),
    "no bearer token": Case(
        catalogue.MISSING_AUTHORIZATION,
        lambda s, ids: s.get(_ledger(s, ids), without=("Authorization",)),
        lambda s, ids: s.get(_ledger(s, ids))),
    "a token without the Bearer scheme": Case(
        catalogue.MISSING_AUTHORIZATION,
        lambda s, ids: s.get(_ledger(s, ids), headers=s.headers(Authorization=s.token())),
        lambda s, ids: s.get(_ledger(s, ids), headers=s.headers(Authorization=f"bearer {s.token()}"))),
    "entity id that is not a uuid": Case(
        catalogue.INVALID_HEADER,
        lambda s, ids: s.get("/accounting_connections", headers=s.headers(x_monite_entity_id="acme")),
        lambda s, ids: s.get("/accounting_connections", headers=s.headers(
            x_monite_entity_id="4f3a7c1e-6b2d-4e8a-9c0f-1a2b3c4d5e6f"))),
    "version that is not a date": Case(
        catalogue.INVALID_HEADER,
        lambda s, ids: s.get("/accounting_connections", headers=s.headers(x_monite_version="latest")),
        lambda s, ids: s.get("/accounting_connections", headers=s.headers(x_monite_version="2024-01-31"))),
    "limit 500": Case(
        catalogue.LIMIT_OUT_OF_RANGE,
        lambda s, ids: s.get("/accounting_tax_rates", params={"limit": 500}),
        lambda s, ids: s.get("/accounting_tax_rates", params={"limit": 250})),
    "limit 0": Case(
        catalogue.LIMIT_OUT_OF_RANGE,
        lambda s, ids: s.get("/ledger_accounts", params={"limit": 0}),
        lambda s, ids: s.get("/ledger_accounts", params={"limit": 1})),
    "limit that is not a number": Case(
        catalogue.LIMIT_OUT_OF_RANGE,
        lambda s, ids: s.get("/accounting_synced_records", params={"object_type": "bill", "limit": "ten"}),
        lambda s, ids: s.get("/accounting_synced_records", params={"object_type": "bill", "limit": "10"})),
    "misspelt query parameter": Case(
        catalogue.UNKNOWN_QUERY_PARAMETER,
        lambda s, ids: s.get("/ledger_accounts", params={"limt": 5}),
        lambda s, ids: s.get("/ledger_accounts", params={"limit": 5})),
    "query parameter of another operation": Case(
        catalogue.UNKNOWN_QUERY_PARAMETER,
        lambda s, ids: s.get("/accounting_tax_rates", params={"object_type": "bill"}),
        lambda s, ids: s.get("/accounting_tax_rates", params={"sort": "name"})),
    "order outside its enum": Case(
        catalogue.INVALID_QUERY_PARAMETER,
        lambda s, ids: s.get("/ledger_accounts", params={"order": "up"}),
        lambda s, ids: s.get("/ledger_accounts", params={"order": "desc"})),
    "malformed date-time filter": Case(
        catalogue.INVALID_QUERY_PARAMETER,
        lambda s, ids: s.get("/accounting_synced_records", params={"object_type": "bill",
                                                                   "created_at__gt": "yesterday"}),
        lambda s, ids: s.get("/accounting_synced_records", params={"object_type": "bill",
                                                                   "created_at__gt": "2024-01-01T00:00:00Z"})),
    "object_id__in with a non-uuid": Case(
        catalogue.INVALID_QUERY_PARAMETER,
        lambda s, ids: s.get("/accounting_synced_records", params=[("object_type", "bill"),
                                                                   ("object_id__in", ids["object"]),
                                                                   ("object_id__in", "42")]),
        lambda s, ids: s.get("/accounting_synced_records", params=[("object_type", "bill"),
                                                                   ("object_id__in", ids["object"]),
                                                                   ("object_id__in", ids["object"])])),
    "a single-valued parameter sent twice": Case(
        catalogue.INVALID_QUERY_PARAMETER,
        lambda s, ids: s.get("/ledger_accounts", params=[("order", "asc"), ("order", "desc")]),
        lambda s, ids: s.get("/ledger_accounts", params=[("order", "asc")])),
    "a non-default limit not sent again with the next page's token": Case(
        catalogue.LIMIT_NOT_RESENT,
        lambda s, ids: _second_page(s, resend_limit=False),
        lambda s, ids: _second_page(s, resend_limit=True)),
    "no object_type": Case(
        catalogue.MISSING_PARAMETER,
        lambda s, ids: s.get("/accounting_synced_records", params={"limit": 5}),
        lambda s, ids: s.get("/accounting_synced_records", params={"limit": 5, "object_type": "vendor"})),
    "body field of the wrong type": Case(
        catalogue.INVALID_BODY,
        lambda s, ids: s.call("POST", "/ledger_accounts", json={"name": 720}),
        lambda s, ids: s.call("POST", "/ledger_accounts", json={"name": "720"})),
    "body field too long": Case(
        catalogue.INVALID_BODY,
        lambda s, ids: s.call("PATCH", _ledger(s, ids), json={"name": "n" * 501}),
        lambda s, ids: s.call("PATCH", _ledger(s, ids), json={"name": "n" * 500})),
    "body that is not JSON": Case(
        catalogue.INVALID_BODY,
        lambda s, ids: s.call("POST", "/ledger_accounts", content=b"name=Office",
                              headers=s.headers(content_type="application/x-www-form-urlencoded")),
        lambda s, ids: s.call("POST", "/ledger_accounts", json={})),
    "token request of an unknown grant type": Case(
        catalogue.INVALID_BODY,
        lambda s, ids: s.http.post("/auth/token", headers={"x-monite-version": "2024-05-25"},
                                   json={"grant_type": "password", "username": "u", "password": "p"}),
        lambda s, ids: s.http.post("/auth/token", headers={"x-monite-version": "2024-05-25"}, json={
            "grant_type": "entity_user", "client_id": "5e7c0a1b-2c3d-4e5f-8a9b-0c1d2e3f4a5b",
            "client_secret": "anything", "entity_user_id": "0b9e6c2a-7d41-4f3e-9a85-2c6d1e8f4b70"})),
}


@pytest.fixture(scope="module")
def proxy(module_proxy: RunningProxy) -> RunningProxy:
    return module_proxy


@pytest.fixture(scope="module")
def service(module_proxy: RunningProxy) -> Service:
    return Service(module_proxy.base_url)


@pytest.fixture(scope="module")
def ids(emulator: str, service: Service, module_proxy: RunningProxy) -> dict[str, str]:
    seed(emulator, records_per_type=3, tax_rates=2, ledger_accounts=2)
    ledger = service.get("/ledger_accounts").json()["data"][0]["id"]
    record = service.get("/accounting_synced_records", params={"object_type": "bill"}).json()["data"][0]
    assert rule_ids(module_proxy) == []  # setting up broke nothing
    return {"ledger": ledger, "object": record["object_id"]}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_the_rule_fires_on_the_bad_call_and_not_on_the_good_one(
        case: Case, proxy: RunningProxy, service: Service, ids: dict[str, str]) -> None:
    before = violation_count(proxy)
    case.good(service, ids)
    assert rule_ids(proxy, before) == [], "the good call broke a rule"
    case.bad(service, ids)
    assert rule_ids(proxy, before) == [case.rule.id]
    found = proxy.session.settled_traffic().violations[before]
    assert found["side"] == "request" and found["kind"] == "documented"
    assert found["expected"] and found["observed"] and found["source"]
    assert found["exchange"]["curl"].startswith("curl")


def test_other_resources_of_the_api_are_not_judged(proxy: RunningProxy, service: Service) -> None:
    """The spec covers the accounting part of Monite's API only; /v1/receivables is none of its business."""
    before = violation_count(proxy)
    service.get("/receivables", without=("x-monite-version",))
    traffic = proxy.session.settled_traffic()
    assert traffic.violations[before:] == [] and traffic.unmatched["GET /v1/receivables -> 404"] == 1


def test_every_request_rule_has_a_case() -> None:
    request_rules = {rule.id for rule in catalogue.ALL_RULES if rule.side == "request"}
    assert request_rules == {case.rule.id for case in CASES.values()}
