"""API versions on the emulator: every published version accepted and echoed, each presenting
its documented shape of the one model (model/versions.py), other dates refused (A1), operations
a version lacks answered 405 (A30), and the shapes agree with the suite's effective specs."""

from __future__ import annotations

from typing import Any

import pytest
from emu_helpers import Api

from conformance.openapi import versions as spec_versions
from monite_emulator.model import versions

OLD_SHAPE = ("2022-11-16", "2023-06-04", "2023-09-01")
FULL_SHAPE = ("2024-01-31", "2024-05-25", "2025-06-23")
ABSENT = {"created_at", "updated_at", "currency", "is_external"}


def at(api: Api, version: str, method: str, path: str, **kw: Any):
    return api.client.request(method, path, headers=api.headers(**{"x-monite-version": version}), **kw)


def spec_fields(version: str) -> set[str]:
    """The ledger-account fields of the suite's effective spec for the version (not the emulator's)."""
    return set(spec_versions.effective_spec(version)["components"]["schemas"]["LedgerAccount"]["properties"])


def test_the_emulator_and_the_suite_know_the_same_published_versions_and_shapes() -> None:
    assert versions.PUBLISHED_VERSIONS == spec_versions.known_versions()
    for version in versions.PUBLISHED_VERSIONS:
        overlay = spec_versions.overlay_for(version)
        assert versions.shape_of(version).version == (overlay.name.split(".")[0] if overlay else "2024-05-25")


@pytest.mark.parametrize("version", versions.PUBLISHED_VERSIONS)
def test_every_published_version_is_accepted_and_echoed(seeded: Api, version: str) -> None:
    for path in ("/v1/accounting_connections", "/v1/accounting_tax_rates", "/v1/ledger_accounts",
                 "/v1/accounting_synced_records?object_type=bill"):
        r = at(seeded, version, "GET", path)
        assert r.status_code == 200, (path, r.text)
        assert r.headers["x-monite-version"] == version


@pytest.mark.parametrize("version", ["2024-05-26", "2099-01-01", "2024-5-25", "v2024-05-25", "latest"])
def test_a_date_outside_the_published_list_is_refused_a1(api: Api, version: str) -> None:
    r = at(api, version, "GET", "/v1/ledger_accounts")
    assert r.status_code == 400
    assert r.json()["error"]["type"] == "unsupported_api_version"
    assert "2025-06-23" in r.json()["error"]["message"]  # the message lists the published versions


@pytest.mark.parametrize("version", OLD_SHAPE + FULL_SHAPE)
def test_each_version_presents_its_documented_ledger_account(seeded: Api, version: str) -> None:
    page = at(seeded, version, "GET", "/v1/ledger_accounts").json()
    assert page["data"], "the seed has ledger accounts"
    one = at(seeded, version, "GET", f"/v1/ledger_accounts/{page['data'][0]['id']}").json()
    for account in (*page["data"], one):
        assert set(account) == spec_fields(version)
    if version in OLD_SHAPE:
        assert not ABSENT & set(one)
    else:
        assert ABSENT <= set(one)


def test_all_versions_show_the_same_model(seeded: Api) -> None:
    full = at(seeded, "2024-05-25", "GET", "/v1/ledger_accounts?limit=250").json()["data"]
    old = at(seeded, "2023-09-01", "GET", "/v1/ledger_accounts?limit=250").json()["data"]
    assert old == [{k: v for k, v in account.items() if k not in ABSENT} for account in full]
    created = at(seeded, "2024-05-25", "POST", "/v1/ledger_accounts", json={"name": "Made later"}).json()
    seen = at(seeded, "2023-09-01", "GET", f"/v1/ledger_accounts/{created['id']}").json()
    assert seen == {k: v for k, v in created.items() if k not in ABSENT}
    # everything else is the same at both versions
    for path in ("/v1/accounting_tax_rates", "/v1/accounting_connections",
                 "/v1/accounting_synced_records?object_type=product"):
        assert at(seeded, "2023-09-01", "GET", path).json() == at(seeded, "2024-05-25", "GET", path).json()


def test_a_page_token_of_an_old_version_page_works(seeded: Api) -> None:
    first = at(seeded, "2023-09-01", "GET", "/v1/ledger_accounts?limit=5").json()
    token = first["next_pagination_token"]
    assert token
    second = at(seeded, "2023-09-01", "GET", f"/v1/ledger_accounts?limit=5&pagination_token={token}")
    assert second.status_code == 200
    assert {a["id"] for a in second.json()["data"]}.isdisjoint({a["id"] for a in first["data"]})


@pytest.mark.parametrize("version", OLD_SHAPE)
def test_operations_a_version_lacks_are_405_and_change_nothing_a30(seeded: Api, version: str) -> None:
    accounts = at(seeded, "2024-05-25", "GET", "/v1/ledger_accounts?limit=250").json()["data"]
    created = at(seeded, "2024-05-25", "POST", "/v1/ledger_accounts", json={"name": "Mine"}).json()
    item = f"/v1/ledger_accounts/{created['id']}"
    for method, path, body in (("POST", "/v1/ledger_accounts", {"name": "New"}),
                               ("PATCH", item, {"name": "Renamed"}), ("DELETE", item, None)):
        r = at(seeded, version, method, path, json=body)
        assert r.status_code == 405, (method, r.text)
        assert r.headers["allow"] == "GET, HEAD"
        assert r.json() == {"error": {"message": f"{method} {path} is not part of API version {version}"}}
        assert r.headers["x-monite-version"] == version
    after = at(seeded, "2024-05-25", "GET", "/v1/ledger_accounts?limit=250").json()["data"]
    assert len(after) == len(accounts) + 1
    assert at(seeded, "2024-05-25", "GET", item).json() == created


@pytest.mark.parametrize(("version", "collection", "item"), [
    ("2023-09-01", "GET, HEAD", "GET, HEAD"), ("2024-05-25", "GET, HEAD, POST", "DELETE, GET, HEAD, PATCH")])
def test_a_wrong_method_lists_only_the_methods_of_the_requests_version_a30(
        api: Api, version: str, collection: str, item: str) -> None:
    """A PUT (no version has it) is 405 whose Allow names what *that* version has for the path."""
    r = at(api, version, "PUT", "/v1/ledger_accounts")
    assert (r.status_code, r.headers["allow"]) == (405, collection)
    r = at(api, version, "PUT", "/v1/ledger_accounts/0f5c2a8e-1d3b-4c5a-9e7f-2b6d8a1c4e90")
    assert (r.status_code, r.headers["allow"]) == (405, item)


def test_the_405_of_an_absent_operation_comes_after_the_version_check(api: Api) -> None:
    r = api.client.post("/v1/ledger_accounts", json={}, headers={"x-monite-version": "2023-09-01"})
    assert r.status_code == 405  # no token needed to learn the version lacks the operation
    r = api.client.post("/v1/ledger_accounts", json={}, headers={"x-monite-version": "1999-01-01"})
    assert r.status_code == 400


@pytest.mark.parametrize("version", FULL_SHAPE)
def test_later_versions_have_every_operation(api: Api, version: str) -> None:
    created = at(api, version, "POST", "/v1/ledger_accounts", json={"name": "A"})
    assert created.status_code == 201 and ABSENT <= set(created.json())
    item = f"/v1/ledger_accounts/{created.json()['id']}"
    assert at(api, version, "PATCH", item, json={"name": "B"}).status_code == 200
    assert at(api, version, "DELETE", item).status_code == 204


def test_error_bodies_are_not_reshaped(api: Api) -> None:
    r = at(api, "2023-09-01", "GET", "/v1/ledger_accounts/7b9e2f14-5c3a-4d8e-b1f6-0a2c4e6d8f10")
    assert r.status_code == 404 and set(r.json()) == {"error"}
    r = at(api, "2023-09-01", "GET", "/v1/ledger_accounts?limit=0")
    assert r.status_code == 422 and set(r.json()) == {"detail"}


def test_present_leaves_other_operations_and_non_objects_alone() -> None:
    page = {"data": [{"id": "1", "created_at": "t", "name": "n"}], "next_pagination_token": None}
    assert versions.present("2023-09-01", versions.LEDGER_LIST, page) == {
        "data": [{"id": "1", "name": "n"}], "next_pagination_token": None}
    assert versions.present("2024-05-25", versions.LEDGER_LIST, page) is page
    assert versions.present("2023-09-01", "GET /accounting_tax_rates", page) is page
    assert versions.present("2023-09-01", versions.LEDGER_GET, [1]) == [1]
    with pytest.raises(ValueError, match="not published"):
        versions.shape_of("2024-05-26")

