"""The proxy in front of the emulator, judging a dependent service's traffic (issue 11, "Done when").

A service that sends `limit=500` is flagged, one that omits `x-monite-version` is flagged,
and a correct one passes with no violation on either side, including paging with a
non-default limit; paging that drops the limit is flagged. The answers the service gets
are the emulator's, unchanged.
"""

from __future__ import annotations

from typing import Any

import httpx

from conformance.proxy.server import RunningProxy
from tests.proxy.helpers import ENTITY, Service, exit_codes, rule_ids, seed


def walk(service: Service, path: str, params: dict[str, Any], *, resend_limit: bool = True) -> list[dict[str, Any]]:
    """Every item of a paginated list, page by page (sending the limit again unless told not to)."""
    items: list[dict[str, Any]] = []
    page = service.get(path, params=params)
    while True:
        assert page.status_code == 200, page.text
        body = page.json()
        items += body["data"]
        token = body["next_pagination_token"]
        if not token:
            return items
        follow: dict[str, Any] = {"pagination_token": token}
        if resend_limit and "limit" in params:
            follow["limit"] = params["limit"]
        page = service.get(path, params=follow)


def test_a_service_sending_limit_500_is_flagged(proxy: RunningProxy, service: Service, emulator: str) -> None:
    seed(emulator)
    answer = service.get("/ledger_accounts", params={"limit": 500})
    assert answer.status_code == 422  # the emulator's answer reaches the service unchanged
    assert rule_ids(proxy) == ["request.limit-out-of-range"]
    found = proxy.session.settled_traffic().violations[0]
    assert found["side"] == "request" and found["operation"] == "listLedgerAccounts"
    assert "limit=500" in found["observed"] and "1 <= x <= 250" in found["expected"]
    assert found["source"].startswith("seed 003")
    assert exit_codes(proxy) == {"request": 1, "response": 0, "any": 1}


def test_a_service_omitting_the_version_is_flagged(proxy: RunningProxy, service: Service) -> None:
    answer = service.get("/accounting_connections", without=("x-monite-version",))
    assert answer.status_code == 400
    assert rule_ids(proxy) == ["request.missing-version"]
    found = proxy.session.settled_traffic().violations[0]
    assert found["operation"] == "listAccountingConnections"
    assert found["source"] == "docs: api/concepts/versioning"
    assert found["observed"] == "no x-monite-version header"
    assert exit_codes(proxy) == {"request": 1, "response": 0, "any": 1}


def test_a_correct_service_passes(proxy: RunningProxy, service: Service, emulator: str) -> None:
    """A whole accounting round trip, paging with a non-default limit done right: no violation."""
    connection = seed(emulator)
    assert service.get("/accounting_connections").status_code == 200
    assert service.get(f"/accounting_connections/{connection['id']}").status_code == 200
    assert service.call("POST", f"/accounting_connections/{connection['id']}/sync").status_code == 202

    accounts = walk(service, "/ledger_accounts", {"limit": 5})
    assert len(accounts) == 12  # three pages of 5, 5, 2
    assert len(walk(service, "/accounting_synced_records", {"object_type": "bill", "limit": 10, "order": "desc"})) == 30
    rates = walk(service, "/accounting_tax_rates", {"limit": 250})
    assert service.get(f"/accounting_tax_rates/{rates[0]['id']}").status_code == 200

    created = service.call("POST", "/ledger_accounts", json={"name": "Office Equipment", "nominal_code": "720"})
    assert created.status_code == 201
    account = created.json()["id"]
    assert service.call("PATCH", f"/ledger_accounts/{account}", json={"description": "Printers"}).status_code == 200
    assert service.get(f"/ledger_accounts/{account}").status_code == 200
    assert service.call("DELETE", f"/ledger_accounts/{account}").status_code == 204

    record = service.get("/accounting_synced_records", params={"object_type": "bill", "limit": 1}).json()["data"][0]
    assert service.call("POST", f"/accounting_synced_records/{record['id']}/push").status_code == 200
    assert service.get(f"/accounting_synced_records/{record['id']}").status_code == 200
    assert service.call("POST", f"/accounting_connections/{connection['id']}/disconnect").status_code == 200
    assert service.get(f"/ledger_accounts/{account}").status_code == 404  # an error answer, documented shape

    traffic = proxy.session.settled_traffic()
    assert traffic.violations == [] and traffic.observations == []
    assert traffic.counts == {"request": 0, "response": 0, "observations": 0}
    assert exit_codes(proxy) == {"request": 0, "response": 0, "any": 0}
    assert traffic.statuses["listLedgerAccounts"] == {200: 3}
    assert traffic.statuses["getLedgerAccount"] == {200: 1, 404: 1}
    assert traffic.statuses["createAccessToken"] == {200: 1}


def test_paging_that_drops_a_non_default_limit_is_flagged(proxy: RunningProxy, service: Service, emulator: str) -> None:
    seed(emulator)
    first = service.get("/ledger_accounts", params={"limit": 5}).json()
    second = service.get("/ledger_accounts", params={"pagination_token": first["next_pagination_token"]})
    assert second.status_code == 200 and len(second.json()["data"]) == 7  # the default limit took over
    assert rule_ids(proxy) == ["request.limit-not-resent"]
    found = proxy.session.settled_traffic().violations[0]
    assert "limit=5" in found["expected"] and found["source"] == "seed 003 (pagination_token)"


def test_paging_with_the_default_limit_needs_no_limit(proxy: RunningProxy, service: Service, emulator: str) -> None:
    """Nothing to send again when the walk used the default (250): seed 003 asks it only of non-default limits."""
    seed(emulator, ledger_accounts=3)
    first = service.get("/ledger_accounts", params={"limit": 250}).json()
    assert first["next_pagination_token"] is None
    seed(emulator, entity="4f3a7c1e-6b2d-4e8a-9c0f-1a2b3c4d5e6f", records_per_type=260)
    other = Service(service.base_url, entity="4f3a7c1e-6b2d-4e8a-9c0f-1a2b3c4d5e6f")
    page = other.get("/accounting_synced_records", params={"object_type": "bill"}).json()
    assert page["next_pagination_token"]
    assert other.get("/accounting_synced_records", params={"pagination_token": page["next_pagination_token"]}
                     ).status_code == 200
    assert rule_ids(proxy) == []


def test_a_limit_sent_again_on_every_page_but_dropped_later_is_flagged_there(
        proxy: RunningProxy, service: Service, emulator: str) -> None:
    seed(emulator)
    first = service.get("/ledger_accounts", params={"limit": 4}).json()
    second = service.get("/ledger_accounts", params={"limit": 4, "pagination_token": first["next_pagination_token"]})
    assert rule_ids(proxy) == []
    service.get("/ledger_accounts", params={"pagination_token": second.json()["next_pagination_token"]})
    assert rule_ids(proxy) == ["request.limit-not-resent"]


def test_everything_reaches_the_upstream_unchanged(proxy: RunningProxy, service: Service, emulator: str) -> None:
    """Method, path, query, headers and body go through; status, headers and body come back."""
    seed(emulator)
    through = service.get("/ledger_accounts", params={"limit": 3, "order": "desc"})
    direct = httpx.get(f"{emulator}/v1/ledger_accounts", params={"limit": 3, "order": "desc"},
                       headers=service.headers())
    assert through.status_code == direct.status_code == 200
    assert through.json()["data"] == direct.json()["data"]
    assert through.headers["x-monite-entity-id"] == ENTITY
    assert through.headers["x-monite-version"] == "2024-05-25" and "x-request-id" in through.headers
    created = service.call("POST", "/ledger_accounts", json={"name": "Ünïcode ✓", "description": "x" * 2000})
    assert created.status_code == 201 and created.json()["name"] == "Ünïcode ✓"


def test_a_body_over_the_validation_limit_streams_through_unjudged(proxy: RunningProxy, service: Service) -> None:
    """2 MiB: forwarded as a stream (the emulator refuses it, A18), not buffered, not judged."""
    big = b'{"name": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    answer = service.call("POST", "/ledger_accounts", content=big,
                          headers=service.headers(content_type="application/json"))
    assert answer.status_code == 413
    assert rule_ids(proxy) == []
    assert proxy.session.settled_traffic().statuses["createLedgerAccount"] == {413: 1}


def test_calls_outside_the_api_pass_through_unjudged(proxy: RunningProxy, service: Service, emulator: str) -> None:
    root = proxy.base_url.removesuffix("/v1")
    assert httpx.get(f"{root}/_emulator").json()["emulator"] == "monite-accounting"
    traffic = proxy.session.settled_traffic()
    assert traffic.outside_api == {"GET /_emulator": 1} and traffic.violations == []


def test_the_proxys_own_calls_are_not_forwarded(proxy: RunningProxy, service: Service) -> None:
    root = proxy.base_url.removesuffix("/v1")
    service.get("/accounting_connections", without=("x-monite-entity-id",))
    proxy.session.settled_traffic()
    status = httpx.get(f"{root}/_proxy/status").json()
    assert status["exchanges"] == 2 and status["request_violations"] == 1  # the token, then the call
    assert httpx.get(f"{root}/_proxy/other").status_code == 404
    assert proxy.session.settled_traffic().exchanges == 2


def test_an_upstream_that_goes_away_gives_the_service_a_502(emulator: str, tmp_path: Any) -> None:
    from conformance.proxy.server import running_proxy
    from conformance.proxy.upstream import Upstream
    from tests.proxy.ports import free_port

    with running_proxy(Upstream(f"http://127.0.0.1:{free_port()}/v1"), tmp_path) as proxy:
        answer = Service(proxy.base_url).http.get("/accounting_connections",
                                                  headers={"x-monite-version": "2024-05-25"})
        assert answer.status_code == 502
        assert "upstream gave no answer" in answer.json()["error"]["message"]
        traffic = proxy.session.settled_traffic()
        assert list(traffic.problems) == ["GET /v1/accounting_connections: upstream gave no answer (ConnectError)"]
        # The request is still judged: it lacked the entity id and the token.
        assert sorted(rule_ids(proxy)) == ["request.missing-authorization", "request.missing-entity-id"]
