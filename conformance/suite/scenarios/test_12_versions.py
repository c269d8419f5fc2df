"""12. Versions: every published version date is answered and echoed; a date outside the list
and an operation a version lacks get what docs/design.md chose (A1, A30).

Runs against any target. The versions come from the suite's per-version contract
(`conformance.openapi.versions`: the published APIVersion list); each request names its version
itself, whatever `--api-version` the run has. The only thing it creates (A30, on a target that
accepts a ledger account at a version that lacks the operation) is deleted afterwards.
"""

from __future__ import annotations

import httpx
import pytest

from conformance.http.client import MoniteClient
from conformance.expectations.kinds import Expectations
from conformance.openapi.versions import base_version, effective_spec, known_versions
from conformance.suite.scenarios import catalogue
from conformance.suite.scenarios.arrange import delete_ledger_account_if_present
from conformance.suite.scenarios.cleanup import Cleanup

# Footprint on a target without the control plane (conformance/commands/remote_workers.py): one read per test;
# creates, patches and deletes its own account.
pytestmark = [pytest.mark.scenario, pytest.mark.footprint(walks=(), changes=("ledger_accounts",))]

# Versions the docs' own requests send to these endpoints (seeds 000, 001, 002).
DOCUMENTED = {"2023-09-01", "2024-01-31", "2024-05-25"}
UNLISTED = "2024-05-26"  # a well-formed date the published list does not have
LEDGER_WRITES = {"post": "POST /ledger_accounts", "patch": "PATCH /ledger_accounts/{id}",
                 "delete": "DELETE /ledger_accounts/{id}"}


def _lacking_ledger_writes() -> list[str]:
    """The published versions whose effective spec has no POST /ledger_accounts (2023-09-01 and older)."""
    return [version for version in known_versions()
            if "post" not in effective_spec(version)["paths"]["/ledger_accounts"]]


def _error_type(response: httpx.Response) -> object:
    try:
        body = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    return error.get("type") if isinstance(error, dict) else None


@pytest.mark.operations("listAccountingConnections")
@pytest.mark.parametrize("version", known_versions())
def test_every_published_version_is_answered_and_echoed(version: str, client: MoniteClient,
                                                        check: Expectations) -> None:
    response = client.get("/accounting_connections", version=version)
    echoed = response.headers.get("x-monite-version")
    check.expect(echoed == version, catalogue.VERSION_ECHOES_REQUESTED,
                 f"asked for {version}, the response's X-Monite-Version is {echoed!r}", response)
    accepted = catalogue.DOCUMENTED_VERSION_ACCEPTED if version in DOCUMENTED else catalogue.PUBLISHED_VERSION_ACCEPTED
    check.expect(response.status_code == 200, accepted, f"x-monite-version {version} answered {response.status_code}",
                 response)


@pytest.mark.operations("listLedgerAccounts")
def test_a_date_outside_the_published_list(client: MoniteClient, check: Expectations) -> None:
    response = client.get("/ledger_accounts", version=UNLISTED)
    echoed = response.headers.get("x-monite-version")
    check.expect(response.status_code == 400 and _error_type(response) == "unsupported_api_version",
                 catalogue.UNLISTED_VERSION_REFUSED,
                 f"x-monite-version {UNLISTED} (not published) answered {response.status_code} "
                 f"(error type {_error_type(response)!r}, X-Monite-Version {echoed!r})", response)


@pytest.mark.operations("createLedgerAccount", "updateLedgerAccount", "deleteLedgerAccount")
@pytest.mark.parametrize("version", _lacking_ledger_writes())
def test_operations_a_version_lacks(version: str, client: MoniteClient, check: Expectations,
                                    cleanup: Cleanup) -> None:
    full = base_version()

    def remember(response: httpx.Response) -> str | None:
        """Whatever got created is deleted after the test (at the base version, which has DELETE)."""
        account_id = response.json().get("id") if 200 <= response.status_code < 300 else None
        if account_id:
            cleanup.add(f"delete ledger account {account_id}",
                        lambda: delete_ledger_account_if_present(client, account_id, version=full))
        return account_id

    mine = remember(client.post("/ledger_accounts", json={"name": "Versions scenario"}, version=full))
    if mine is None:
        pytest.fail(f"POST /ledger_accounts at {full} created nothing to try PATCH and DELETE on", pytrace=False)
    tries = {"post": client.post("/ledger_accounts", json={"name": "Versions scenario (old)"}, version=version)}
    remember(tries["post"])
    tries["patch"] = client.patch(f"/ledger_accounts/{mine}", json={"name": "Renamed"}, version=version)
    tries["delete"] = client.delete(f"/ledger_accounts/{mine}", version=version)
    for method, response in tries.items():
        check.expect(response.status_code == 405 and response.headers.get("allow") == "GET, HEAD",
                     catalogue.ABSENT_OPERATION_405,
                     f"{LEDGER_WRITES[method]} at {version} answered {response.status_code} "
                     f"(Allow {response.headers.get('allow')!r})", response)

