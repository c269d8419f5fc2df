"""Every response rule of the proxy: an upstream that breaks exactly it, and the clean emulator.

The broken upstream is the emulator with one answer rewritten per call (`tests.faults.rewrite`):
the same call through a proxy in front of it yields that rule and no other; through a proxy
in front of the clean emulator, nothing. A status the spec documents only because of one of
the project's choices (A10: DELETE answers 204) fails on our emulator and is an observation
on any other upstream.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from conformance.findings import Rule
from conformance.proxy import catalogue
from conformance.proxy.server import RunningProxy, running_proxy
from conformance.proxy.upstream import Upstream
from conformance.target.targets import serve_emulator
from tests.faults.rewrite import Answer, rewrite_responses
from tests.proxy.helpers import Service, emulator_app, exit_codes, rule_ids, seed, violation_count


def _break(answer: Answer) -> None:
    """One broken rule per call; every other answer stays the emulator's."""
    method, path, status = answer.method, answer.path, answer.status
    if method == "GET" and path.startswith("/v1/accounting_tax_rates/") and status == 200:
        body = answer.json()
        body["total_tax_rate"] = str(body["total_tax_rate"])  # documented: integer
        answer.set_json(body)
    elif method == "POST" and path.endswith("/sync") and status == 202:
        answer.status = 200  # documented: 202 (seed 002)
    elif method == "DELETE" and path.startswith("/v1/ledger_accounts/") and status == 204:
        answer.status = 200  # the spec's 204 is assumption A10
        answer.set_json({"deleted": True})
        answer.set_header("content-type", "application/json")
    elif status == 404:
        answer.set_json({"message": "not found"})  # documented: {"error": {"message": ...}}
    elif method == "GET" and path == "/v1/ledger_accounts":
        answer.drop_header("x-monite-version")  # documented: echoed


@pytest.fixture(scope="module")
def broken_origin() -> Iterator[str]:
    with serve_emulator(rewrite_responses(emulator_app(), _break)) as origin:
        yield origin


@pytest.fixture(scope="module")
def broken(broken_origin: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningProxy]:
    with running_proxy(Upstream(f"{broken_origin}/v1", is_emulator=True), tmp_path_factory.mktemp("r")) as proxy:
        yield proxy


@dataclass(frozen=True)
class Case:
    rule: Rule
    call: Callable[[Service, str], httpx.Response]  # (service, origin) -> the answer


def _tax_rate(service: Service, origin: str) -> httpx.Response:
    first = service.get("/accounting_tax_rates").json()["data"][0]
    return service.get(f"/accounting_tax_rates/{first['id']}")


def _sync(service: Service, origin: str) -> httpx.Response:
    connection = service.get("/accounting_connections").json()["data"][0]
    return service.call("POST", f"/accounting_connections/{connection['id']}/sync")


CASES = {
    "body off its schema": Case(catalogue.BODY_SCHEMA, _tax_rate),
    "status the docs do not give": Case(catalogue.STATUS_UNDOCUMENTED, _sync),
    "error body of another shape": Case(
        catalogue.ERROR_BODY, lambda s, origin: s.get("/ledger_accounts/3fa85f64-5717-4562-b3fc-2c963f66afa6")),
    "version not echoed": Case(catalogue.VERSION_NOT_ECHOED, lambda s, origin: s.get("/ledger_accounts")),
}


def _prepare(origin: str) -> None:
    httpx.post(f"{origin}/_emulator/reset").raise_for_status()
    seed(origin, records_per_type=2, tax_rates=2, ledger_accounts=2)


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_the_rule_fires_on_the_broken_upstream_only(case: Case, broken: RunningProxy, broken_origin: str,
                                                    module_proxy: RunningProxy, emulator: str) -> None:
    for proxy, origin, expected in ((module_proxy, emulator, []), (broken, broken_origin, [case.rule.id])):
        _prepare(origin)
        service = Service(proxy.base_url)
        before = violation_count(proxy)
        case.call(service, origin)
        assert rule_ids(proxy, before) == expected, origin
    found = broken.session.settled_traffic().violations[-1]
    assert found["side"] == "response" and found["kind"] == "documented" and found["source"]
    assert found["exchange"]["status_code"] > 0


def test_body_schema_names_the_field_and_its_source(broken: RunningProxy, broken_origin: str) -> None:
    _prepare(broken_origin)
    before = violation_count(broken)
    _tax_rate(Service(broken.base_url), broken_origin)
    found = broken.session.settled_traffic().violations[before]
    assert found["operation"] == "getTaxRate"
    assert found["expected"] == "a 200 body matching AccountingTaxRate"
    assert found["observed"].startswith("$.total_tax_rate: ") and "integer" in found["observed"]
    assert found["source"].startswith("docs: api/accounting-tax-rates/get-accounting-tax-rates-id")


def _delete_account(proxy: RunningProxy, origin: str) -> None:
    _prepare(origin)
    service = Service(proxy.base_url)
    account = service.call("POST", "/ledger_accounts", json={"name": "Temporary"}).json()["id"]
    assert service.call("DELETE", f"/ledger_accounts/{account}").status_code == 200


def test_an_assumption_status_fails_on_our_emulator(broken: RunningProxy, broken_origin: str) -> None:
    before = violation_count(broken)
    _delete_account(broken, broken_origin)
    found = broken.session.settled_traffic().violations[before:]
    assert [item["rule"] for item in found] == [catalogue.STATUS_UNDOCUMENTED.id]
    assert found[0]["kind"] == "assumption" and found[0]["assumption"] == "A10"


def test_an_assumption_status_is_an_observation_elsewhere(broken_origin: str, tmp_path: Path) -> None:
    """The same answer from an upstream that is not our emulator: reported, never counted."""
    with running_proxy(Upstream(f"{broken_origin}/v1", is_emulator=False), tmp_path) as proxy:
        _delete_account(proxy, broken_origin)
        traffic = proxy.session.settled_traffic()
        assert traffic.violations == []
        assert [(item["rule"], item["assumption"]) for item in traffic.observations] == [
            (catalogue.STATUS_UNDOCUMENTED.id, "A10")]
        assert exit_codes(proxy) == {"request": 0, "response": 0, "any": 0}


def test_response_violations_count_only_when_asked_for(broken_origin: str, tmp_path: Path) -> None:
    with running_proxy(Upstream(f"{broken_origin}/v1", is_emulator=True), tmp_path) as proxy:
        _prepare(broken_origin)
        _sync(Service(proxy.base_url), broken_origin)
        assert rule_ids(proxy) == [catalogue.STATUS_UNDOCUMENTED.id]
        assert exit_codes(proxy) == {"request": 0, "response": 1, "any": 1}


def test_every_response_rule_has_a_case() -> None:
    response_rules = {rule.id for rule in catalogue.ALL_RULES if rule.side == "response"}
    assert response_rules == {case.rule.id for case in CASES.values()}

