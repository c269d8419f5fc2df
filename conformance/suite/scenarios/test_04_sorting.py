"""4. Sorting by every documented sort field, both orders, across pages.

Seeded records have created_at one second apart and updated_at shared by groups of three,
so the updated_at walks cross ties at page boundaries; three ledger accounts share a name (created
through the API: at a version without POST /ledger_accounts the ledger-account cases are skipped).
"""

from __future__ import annotations

from collections import Counter
import pytest

from conformance.http.client import MoniteClient
from conformance.target.control import EmulatorControl
from conformance.expectations.kinds import Expectations
from conformance.suite.scenarios import catalogue
from conformance.suite.scenarios.arrange import SeededEntity, create_ledger_account, lacks, require_operations
from conformance.suite.scenarios.cleanup import Cleanup
from conformance.suite.scenarios.lists import LEDGER_ACCOUNTS, TAX_RATES, PagedList, synced_records
from conformance.expectations.ordering import first_out_of_order, first_tie_out_of_order, has_ties
from conformance.suite.scenarios.paging import flatten_ids, walk_forward

# Footprint on a target without the control plane (conformance/commands/remote_workers.py): walks lists across
# pages, each case its own; creates three tied ledger accounts (module fixture, set up by the first case).
pytestmark = [pytest.mark.scenario,
              pytest.mark.footprint(walks=("ledger_accounts", "synced_records", "tax_rates"), changes=("ledger_accounts",))]

SEED_COUNTS = {"records_per_type": 14, "tax_rates": 12, "ledger_accounts": 12}
LISTS = (synced_records("receivable"), synced_records("payment_record"), TAX_RATES, LEDGER_ACCOUNTS)
CASES = [(paged, field, order) for paged in LISTS for field in paged.sorts for order in ("asc", "desc")]
TIED_NAME = "Scenario tie"
PAGE_LIMITS = (2, 5)  # small pages, so ties and boundaries meet


@pytest.fixture
def entity_id(seeded: SeededEntity) -> str:
    return seeded.entity_id


@pytest.fixture(scope="module")
def tied_ledger_accounts(seeded_client: MoniteClient, module_cleanup: Cleanup) -> list[str]:
    """Three ledger accounts with one name (a tie for sort=name), deleted after the module;
    none at an API version that cannot create them."""
    if lacks(seeded_client.target.api_version, "createLedgerAccount"):
        return []
    created = [create_ledger_account(seeded_client, module_cleanup, {"name": TIED_NAME, "nominal_code": code})
               for code in ("901", "902", "903")]
    return [response.json()["id"] for response in created if response.status_code in (200, 201)]


@pytest.mark.parametrize(("paged", "field", "order"),  # each case walks only its list
                         [paged.case(field, order, id=f"{paged.name}-{field}-{order}") for paged, field, order in CASES])
def test_sorted_across_pages(paged: PagedList, field: str, order: str, tied_ledger_accounts: list[str],
                             client: MoniteClient, check: Expectations,
                             emulator_control: EmulatorControl | None) -> None:
    if paged is LEDGER_ACCOUNTS:  # the tie it needs is created through the API
        require_operations(client.target.api_version, "createLedgerAccount")
    params = {**paged.params, "sort": field, "order": order}
    reference = walk_forward(client, check, paged.path, params, 250)
    items = [item for page in reference for item in page.items]
    if len(items) < 3:
        pytest.skip(f"{paged.path} has {len(items)} items for this entity; sorting needs at least 3")
    at = first_out_of_order(items, field, order)
    check.expect(at is None, paged.sort_rule,
                 lambda: f"sort={field}&order={order}: item {at} ({items[at].get(field)!r}) comes after "
                         f"{items[at - 1].get(field)!r}")
    if emulator_control is not None and (paged is LEDGER_ACCOUNTS or field == "updated_at"):
        assert has_ties(items, field), f"scenario set-up: the seeded {paged.name} has no ties in {field} to test"
    if field == "name":
        tie = first_tie_out_of_order(items, field, order)
        check.expect(tie is None, catalogue.TIES_BY_ID, lambda: f"sort=name&order={order}: tied items "
                     f"{items[tie - 1]['id']} and {items[tie]['id']} are not in {order} id order")

    for limit in PAGE_LIMITS:
        pages = walk_forward(client, check, paged.path, params, limit)
        ids = flatten_ids(pages)
        repeated = sorted(i for i, n in Counter(ids).items() if n > 1)
        check.expect(not repeated and set(ids) == {item["id"] for item in items}, catalogue.EVERY_ITEM_ONCE,
                     f"sort={field}&order={order}, limit={limit}: {len(repeated)} items repeated, "
                     f"{len({item['id'] for item in items} - set(ids))} missing compared with one large page")
        walked = [item for page in pages for item in page.items]
        at = first_out_of_order(walked, field, order)
        check.expect(at is None, paged.sort_rule,
                     f"sort={field}&order={order}, limit={limit}: page boundaries break the order at item {at}")
        if field == "name":
            check.expect(ids == [item["id"] for item in items], catalogue.TIES_BY_ID,
                         f"sort=name&order={order}: limit={limit} orders ties differently from one large page")
