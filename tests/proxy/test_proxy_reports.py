"""The proxy's reports: written on demand and on exit, with each violation and its exchange, the
operations and statuses the service used, and no secret anywhere."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conformance.proxy.reports import REPORT_FILES
from conformance.proxy.server import RunningProxy, running_proxy
from conformance.proxy.upstream import Upstream
from conformance.target.targets import serve_emulator
from tests.faults.rewrite import Answer, rewrite_responses
from tests.proxy.helpers import CLIENT_ID, CLIENT_SECRET, Service, emulator_app, seed


def _traffic(service: Service, emulator: str) -> None:
    """Some right, some wrong: limit=500, a missing version, and a clean page walk."""
    seed(emulator, ledger_accounts=3)
    service.get("/ledger_accounts", params={"limit": 500})
    service.get("/accounting_connections", without=("x-monite-version",))
    service.get("/ledger_accounts", params={"limit": 2})
    service.get("/accounting_tax_rates")


def test_report_on_demand_writes_all_four(proxy: RunningProxy, service: Service, emulator: str) -> None:
    _traffic(service, emulator)
    proxy.session.settled_traffic()
    answer = httpx.get(proxy.base_url.removesuffix("/v1") + "/_proxy/report")
    assert answer.status_code == 200
    written = answer.json()
    folder = Path(written["report_dir"])
    assert written["verdict"] == "violations" and written["exit_code"] == 1
    assert written["counts"]["request_violations"] == 2 and written["counts"]["exchanges"] == 5
    assert sorted(path.name for path in folder.iterdir()) == sorted(REPORT_FILES)

    summary = json.loads((folder / "summary.json").read_text())
    assert summary["kind"] == "proxy" and summary["proxy"]["upstream_is_emulator"] is True
    assert [item["rule"] for item in summary["violations"]] == ["request.limit-out-of-range",
                                                                "request.missing-version"]
    limit = summary["violations"][0]
    assert limit["exchange"]["method"] == "GET" and "limit=500" in limit["exchange"]["url"]
    assert limit["exchange"]["status_code"] == 422 and limit["exchange"]["curl"].startswith("curl -X GET")
    ledger = summary["operations"]["listLedgerAccounts"]
    assert ledger["result"] == "failed" and ledger["exchanges"] == 2
    assert ledger["statuses"]["200"] == {"state": "passed", "responses": 1, "rules_broken": []}
    assert ledger["statuses"]["422"] == {"state": "failed", "responses": 1,
                                         "rules_broken": ["request.limit-out-of-range"]}
    assert summary["operations"]["listTaxRates"]["result"] == "passed"
    assert summary["operations"]["getTaxRate"]["result"] == "not-exercised"
    assert summary["by_rule"]["request.missing-version"]["count"] == 1

    cases = {case.get("name"): case for case in ET.parse(folder / "junit.xml").iter("testcase")}
    assert set(cases) == {"createAccessToken", "listLedgerAccounts", "listAccountingConnections", "listTaxRates"}
    failure = cases["listLedgerAccounts"].find("failure")
    assert failure is not None and failure.get("type") == "request.limit-out-of-range"
    assert cases["listTaxRates"].find("failure") is None

    html = (folder / "report.html").read_text()
    assert html.count('<tr data-operation="') == 16  # every operation of the spec, used or not
    assert '<tr data-operation="listLedgerAccounts" data-result="failed">' in html
    assert '<tr data-operation="listTaxRates" data-result="passed">' in html
    assert 'data-rule="request.missing-version"' in html and "http://" not in html.split("<body>")[0]
    assert "❌ contract violations" in (folder / "summary.md").read_text()


def test_reports_are_written_when_the_proxy_stops(emulator: str, tmp_path: Path) -> None:
    httpx.post(f"{emulator}/_emulator/reset").raise_for_status()
    with running_proxy(Upstream(f"{emulator}/v1", is_emulator=True), tmp_path) as proxy:
        Service(proxy.base_url).get("/accounting_connections")
        assert not (tmp_path / "summary.json").exists()
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["verdict"] == "clean" and summary["exit_code"] == 0
    assert summary["operations"]["listAccountingConnections"]["statuses"]["200"]["responses"] == 1


def test_report_text_from_the_service_is_escaped(proxy: RunningProxy, service: Service) -> None:
    service.get("/ledger_accounts", params={"order": "<script>alert(1)</script>"})
    proxy.session.settled_traffic()
    folder = Path(proxy.session.write_reports()["report_dir"])
    html = (folder / "report.html").read_text()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# -- secrets ----------------------------------------------------------------------------------


def _echo_credentials(answer: Answer) -> None:
    """A leaky upstream: tax-rate answers carry the caller's bearer token and the client secret,
    and break their schema, so the proxy records them as evidence."""
    if answer.path.startswith("/v1/accounting_tax_rates") and answer.status == 200:
        authorization = dict((k.decode(), v.decode()) for k, v in answer.scope["headers"]).get("authorization", "")
        token = authorization.partition(" ")[2]  # bare, so only the proxy's registration can mask it
        answer.set_json({"data": "not a list", "echo": {"seen": token, "configured": CLIENT_SECRET}})
        answer.set_header("x-debug-echo", token)


@pytest.fixture
def leaky_proxy(tmp_path: Path) -> Iterator[RunningProxy]:
    with serve_emulator(rewrite_responses(emulator_app(), _echo_credentials)) as origin, \
            running_proxy(Upstream(f"{origin}/v1", is_emulator=True), tmp_path / "reports") as proxy:
        seed(origin, tax_rates=2)
        yield proxy


def test_no_secret_reaches_a_report(leaky_proxy: RunningProxy, tmp_path: Path) -> None:
    service = Service(leaky_proxy.base_url)
    token = service.token()
    # /auth/token traffic that breaks a rule, so its body (with the secret) is evidence:
    service.http.post("/auth/token", json={"grant_type": "client_credentials", "client_id": CLIENT_ID,
                                           "client_secret": CLIENT_SECRET})
    service.get("/accounting_tax_rates")  # the answer echoes the token and the secret
    service.get("/ledger_accounts", params={"limit": 0})
    traffic = leaky_proxy.session.settled_traffic()
    assert {item["rule"] for item in traffic.violations} == {
        "request.missing-version", "response.body-schema", "request.limit-out-of-range"}
    folder = Path(leaky_proxy.session.write_reports()["report_dir"])
    for path in folder.iterdir():
        content = path.read_bytes()
        for secret in (token, CLIENT_SECRET):
            assert secret.encode() not in content, f"{secret[:6]}… in {path.name}"
    summary = (folder / "summary.json").read_text()
    assert "[REDACTED]" in summary and '\\"echo\\"' in summary  # the evidence is there, masked
