"""6. Push retry: a record in `error` pushed again goes to `pending`, then to `done` or `error`.

On the emulator every fifth seeded record is in error (some fail for good), and the control
plane runs the push jobs at once; elsewhere the scenario pushes an error record it finds and
polls until it settles.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from conformance.http.client import MoniteClient
from conformance.target.control import EmulatorControl
from conformance.expectations.kinds import Expectations
from conformance.suite.scenarios import catalogue
from conformance.suite.scenarios.arrange import seed_entity, wait_for
from conformance.suite.scenarios.lists import OBJECT_TYPES
from conformance.suite.scenarios.paging import all_items

# Footprint on a target without the control plane (conformance/commands/remote_workers.py): walks the records
# for one in error, pushes it (only where the run may change it).
pytestmark = [pytest.mark.scenario, pytest.mark.footprint(walks=("synced_records",), changes=("synced_records",))]

RECORDS_PER_TYPE = 10  # indexes 4 and 9 are in error on the emulator
MAX_PUSHES = 2


@pytest.fixture
def failed_records(client: MoniteClient, check: Expectations, entity_id: str,
                   emulator_control: EmulatorControl | None) -> list[dict[str, Any]]:
    """A few synced records in `error`: seeded on the emulator, found on other targets."""
    if emulator_control is not None:
        seed_entity(emulator_control, entity_id, records_per_type=RECORDS_PER_TYPE, tax_rates=0, ledger_accounts=0)
    found: list[dict[str, Any]] = []
    for object_type in OBJECT_TYPES:
        records = all_items(client, check, "/accounting_synced_records", {"object_type": object_type})
        found += [record for record in records if record.get("sync_status") == "error"]
        if len(found) >= MAX_PUSHES:
            return found[:MAX_PUSHES]
    if not found:
        pytest.skip("the entity has no synced record in error to push again")
    return found


def test_pushed_record_goes_pending_then_settles(failed_records: list[dict[str, Any]], client: MoniteClient,
                                                 check: Expectations,
                                                 emulator_control: EmulatorControl | None) -> None:
    for record in failed_records:
        path = f"/accounting_synced_records/{record['id']}"
        check.expect(record.get("errors"), catalogue.ERROR_HAS_ERRORS,
                     f"record {record['id']} is in error with errors={record.get('errors')!r}")
        pushed = client.post(f"{path}/push")
        check.expect(200 <= pushed.status_code < 300, catalogue.PUSH_PENDING, f"push answered {pushed.status_code}", pushed)
        check.expect(pushed.status_code == 200, catalogue.PUSH_200, f"push answered {pushed.status_code}", pushed)
        body = pushed.json()
        check.expect(body.get("id") == record["id"] and body.get("sync_status") == "pending", catalogue.PUSH_PENDING,
                     f"push answered id {body.get('id')!r} with sync_status {body.get('sync_status')!r}", pushed)

        settled, done = wait_for(emulator_control, lambda: client.get(path).json(),
                                 lambda current: current.get("sync_status") != "pending")
        status = settled.get("sync_status")
        if not check.expect(done, catalogue.PUSH_SETTLES_SOON, f"record {record['id']} is still pending"):
            continue
        check.expect(status in ("done", "error"), catalogue.PUSH_SETTLES,
                     f"record {record['id']} settled in sync_status {status!r}", )
        if status == "error":
            check.expect(settled.get("errors"), catalogue.ERROR_HAS_ERRORS,
                         f"record {record['id']} failed again with errors={settled.get('errors')!r}")


@pytest.mark.assumption
def test_push_of_an_unknown_record(client: MoniteClient, check: Expectations) -> None:
    response = client.post(f"/accounting_synced_records/{uuid.uuid4()}/push")
    check.expect(400 <= response.status_code < 500, catalogue.NO_SERVER_ERROR,
                 f"pushing an unknown record answered {response.status_code}", response)
    check.expect(response.status_code == 404, catalogue.UNKNOWN_ID_404,
                 f"pushing an unknown record answered {response.status_code}", response)
