"""8. Ledger accounts: create at the length bounds, get, partial patch, list, delete.

Needs no seeded data (A12: accounts created through the API need no connection), so it runs
against any target; every account it creates is deleted afterwards, also on failure. At an API
version without POST, PATCH or DELETE (2023-09-01 and older) the tests that need them are
skipped with that reason.
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance.http.client import MoniteClient
from conformance.expectations.kinds import Expectations
from conformance.suite.scenarios import catalogue
from conformance.suite.scenarios.arrange import create_ledger_account, require_operations
from conformance.suite.scenarios.cleanup import Cleanup
from conformance.expectations.ordering import parse_timestamp
from conformance.suite.scenarios.paging import all_items

# Footprint on a target without the control plane (conformance/commands/remote_workers.py): creates, patches,
# lists (twice), deletes its own accounts.
pytestmark = [pytest.mark.scenario,
              pytest.mark.footprint(walks=("ledger_accounts",), changes=("ledger_accounts",))]

MAX_LENGTH = {"name": 500, "nominal_code": 500, "description": 2048}  # docs: post-ledger-accounts
A21_DEFAULTS = {"is_external": False, "status": "Active", "type": "Unknown", "is_bank_account": False}


def _longest(field: str, extra: int = 0) -> str:
    return ("Ledger scenario " + "x" * 3000)[: MAX_LENGTH[field] + extra]


def _create(client: MoniteClient, cleanup: Cleanup, check: Expectations, body: dict[str, Any]) -> dict[str, Any]:
    response = create_ledger_account(client, cleanup, body)
    check.expect(200 <= response.status_code < 300, catalogue.LEDGER_CREATED,
                 f"POST /ledger_accounts answered {response.status_code}", response)
    check.expect(response.status_code == 201, catalogue.LEDGER_CREATED_201,
                 f"POST /ledger_accounts answered {response.status_code}", response)
    created = response.json()
    sent_back = {field: created.get(field) for field in body}
    check.expect(sent_back == body, catalogue.LEDGER_CREATED,
                 lambda: f"the created account differs from what was sent in {[f for f in body if created.get(f) != body[f]]}",
                 response)
    return created


def test_create_at_the_length_bounds(client: MoniteClient, check: Expectations, cleanup: Cleanup) -> None:
    require_operations(client.target.api_version, "createLedgerAccount")
    body = {field: _longest(field) for field in MAX_LENGTH}
    created = _create(client, cleanup, check, body)
    differing = {field: created.get(field) for field, value in A21_DEFAULTS.items() if created.get(field) != value}
    check.expect(not differing, catalogue.LEDGER_DEFAULTS, f"an API-created account has {differing}")
    fetched = client.get(f"/ledger_accounts/{created['id']}")
    check.expect(fetched.status_code == 200 and fetched.json() == created, catalogue.LEDGER_BY_ID,
                 "GET of the new account differs from what POST answered", fetched)


@pytest.mark.parametrize("field", list(MAX_LENGTH))
def test_create_over_the_length_bounds_is_refused(field: str, client: MoniteClient, check: Expectations,
                                                  cleanup: Cleanup) -> None:
    require_operations(client.target.api_version, "createLedgerAccount")
    body = {"name": "Ledger scenario too long", field: _longest(field, extra=1)}
    response = create_ledger_account(client, cleanup, body)
    check.expect(response.status_code == 422, catalogue.LEDGER_MAX_LENGTHS,
                 f"{field} of {MAX_LENGTH[field] + 1} characters answered {response.status_code}", response)


def test_partial_patch(client: MoniteClient, check: Expectations, cleanup: Cleanup) -> None:
    require_operations(client.target.api_version, "createLedgerAccount", "updateLedgerAccount")
    created = _create(client, cleanup, check, {"name": "Ledger scenario patch", "nominal_code": "4711",
                                               "description": "before"})
    path = f"/ledger_accounts/{created['id']}"
    patched = client.patch(path, json={"description": "after"})
    check.expect(patched.status_code == 200, catalogue.LEDGER_PARTIAL_PATCH, f"PATCH answered {patched.status_code}",
                 patched)
    after = patched.json()
    changed = {f: after.get(f) for f in created if f not in ("description", "updated_at") and after.get(f) != created[f]}
    check.expect(after.get("description") == "after" and not changed, catalogue.LEDGER_PARTIAL_PATCH,
                 f"PATCH of description left description={after.get('description')!r} and changed {changed}", patched)
    check.expect(after.get("created_at") == created["created_at"], catalogue.LEDGER_TIMESTAMPS,
                 f"created_at went from {created['created_at']} to {after.get('created_at')}", patched)
    before_update, updated = parse_timestamp(created["updated_at"]), parse_timestamp(after["updated_at"])
    check.expect(updated >= before_update, catalogue.LEDGER_TIMESTAMPS,
                 f"updated_at went back from {created['updated_at']} to {after['updated_at']}", patched)
    check.expect(updated > before_update, catalogue.LEDGER_UPDATED_ADVANCES,
                 f"updated_at stayed {after['updated_at']} after a PATCH", patched)
    fetched = client.get(path)
    check.expect(fetched.status_code == 200 and fetched.json() == after, catalogue.LEDGER_BY_ID,
                 "GET after the PATCH differs from what PATCH answered", fetched)


def test_listed_then_deleted(client: MoniteClient, check: Expectations, cleanup: Cleanup) -> None:
    require_operations(client.target.api_version, "createLedgerAccount", "deleteLedgerAccount")
    created = _create(client, cleanup, check, {"name": "Ledger scenario delete", "nominal_code": "4712"})
    path = f"/ledger_accounts/{created['id']}"
    listed = [item for item in all_items(client, check, "/ledger_accounts") if item.get("id") == created["id"]]
    check.expect(listed == [created], catalogue.LEDGER_LISTED,
                 f"the list shows the new account {len(listed)} times" + (", differently" if listed else ""))

    deleted = client.delete(path)
    check.expect(200 <= deleted.status_code < 300, catalogue.LEDGER_DELETED, f"DELETE answered {deleted.status_code}",
                 deleted)
    check.expect(deleted.status_code == 204 and not deleted.content, catalogue.LEDGER_DELETE_204,
                 f"DELETE answered {deleted.status_code} with {len(deleted.content)} bytes", deleted)
    gone = client.get(path)
    check.expect(gone.status_code == 404, catalogue.LEDGER_GONE_404, f"GET after DELETE answered {gone.status_code}", gone)
    again = client.delete(path)
    check.expect(400 <= again.status_code < 500, catalogue.NO_SERVER_ERROR,
                 f"a second DELETE answered {again.status_code}", again)
    check.expect(again.status_code == 404, catalogue.UNKNOWN_ID_404, f"a second DELETE answered {again.status_code}", again)
    still_listed = [item for item in all_items(client, check, "/ledger_accounts") if item.get("id") == created["id"]]
    check.expect(not still_listed, catalogue.LEDGER_DELETED, "the deleted account is still listed")
