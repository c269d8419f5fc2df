"""2. Pagination round trips: every paginated list, walked forwards and back, for several limits.

The seeded entity has 15 records per object type, 12 tax rates and 12 ledger accounts:
several pages for the small limits, an exact multiple for limit 2 on 12 items, one page for 250.
Without a control plane only ledger accounts can be arranged (through the API, deleted after).
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import pytest

from conformance.http.client import MoniteClient
from conformance.target.control import EmulatorControl
from conformance.expectations.kinds import Expectations
from conformance.suite.scenarios import catalogue
from conformance.suite.scenarios.arrange import SeededEntity, create_ledger_account, lacks
from conformance.suite.scenarios.cleanup import Cleanup
from conformance.suite.scenarios.lists import ALL_LISTS, PagedList
from conformance.expectations.ordering import first_out_of_order, first_tie_out_of_order
from conformance.suite.scenarios.paging import Page, all_items, flatten_ids, get_page, walk_back, walk_forward

# Footprint on a target without the control plane (conformance/commands/remote_workers.py): walks every list
# forwards and back, each case its own (`by_list`); creates the ledger accounts it pages (module fixture).
pytestmark = [pytest.mark.scenario, pytest.mark.usefixtures("ledger_accounts_to_page"),
              pytest.mark.footprint(walks=("ledger_accounts", "synced_records", "tax_rates"), changes=("ledger_accounts",))]

SEED_COUNTS = {"records_per_type": 15, "tax_rates": 12, "ledger_accounts": 12}
LIMITS = (1, 2, 7, 250, None)
# Both docs' defaults (250 in the schema, 100 in the prose) are at least this.
SMALLEST_DOCUMENTED_DEFAULT = 100

# Each case walks only its list: on a remote target it takes its own turn, so the other lists'
# changes (and the ledger-account cases' beside the other lists) need not wait for the module.
by_list = pytest.mark.parametrize("paged", [paged.case() for paged in ALL_LISTS])


@pytest.fixture
def entity_id(seeded: SeededEntity) -> str:
    return seeded.entity_id


@pytest.fixture(scope="module")
def ledger_accounts_to_page(seeded: SeededEntity, seeded_client: MoniteClient, module_cleanup: Cleanup) -> None:
    """Without a control plane, create ledger accounts (deleted after the module) to page through;
    at an API version that cannot create them the entity's own are paged (or the test skips)."""
    if seeded.is_seeded or lacks(seeded_client.target.api_version, "createLedgerAccount"):
        return
    for number in range(1, SEED_COUNTS["ledger_accounts"] + 1):
        create_ledger_account(seeded_client, module_cleanup, {"name": f"Pagination scenario {number:02d}"})


def _truth(control: EmulatorControl | None, paged: PagedList, entity_id: str) -> set[str] | None:
    """Every id the list must yield, from the emulator's state; None without a control plane."""
    if control is None:
        return None
    return {item["id"] for item in paged.state_items(control.state(entity_id))}


def _first_page_with_next(client: MoniteClient, check: Expectations, paged: PagedList, limit: int) -> Page:
    first = get_page(client, check, paged.path, {**paged.params, "limit": limit})
    if first.next_token is None:
        pytest.skip(f"{paged.path} has at most {limit} items for this entity; the scenario needs a second page")
    return first


@by_list
@pytest.mark.parametrize("limit", LIMITS, ids=lambda limit: f"limit={limit or 'default'}")
def test_next_then_prev_round_trip(paged: PagedList, limit: int | None, client: MoniteClient,
                                   check: Expectations, entity_id: str,
                                   emulator_control: EmulatorControl | None) -> None:
    pages = walk_forward(client, check, paged.path, paged.params, limit)
    items = [item for page in pages for item in page.items]
    if not items:
        pytest.skip(f"{paged.path} {paged.params} is empty for this entity; nothing to page through")
    ids = flatten_ids(pages)

    repeated = sorted(item_id for item_id, count in Counter(ids).items() if count > 1)
    check.expect(not repeated, catalogue.EVERY_ITEM_ONCE, f"ids seen more than once across {len(pages)} pages: {repeated[:5]}")
    truth = _truth(emulator_control, paged, entity_id)
    if truth is not None:
        missing, extra = truth - set(ids), set(ids) - truth
        check.expect(not missing and not extra, catalogue.EVERY_ITEM_ONCE,
                     f"walk with limit={limit}: {len(missing)} items never listed {sorted(missing)[:3]}, "
                     f"{len(extra)} unknown items {sorted(extra)[:3]}")

    check.expect(pages[0].prev_token is None, catalogue.FIRST_NO_PREV,
                 f"the first page has prev_pagination_token {pages[0].prev_token!r}", pages[0].response)
    if limit is not None:
        for number, page in enumerate(pages[:-1], start=1):
            check.expect(len(page.items) == limit, catalogue.PAGE_SIZE,
                         f"page {number} of {len(pages)} holds {len(page.items)} items, limit={limit}", page.response)
        check.expect(0 < len(pages[-1].items) <= limit, catalogue.PAGE_SIZE,
                     f"the last page holds {len(pages[-1].items)} items, limit={limit}", pages[-1].response)
        check.expect(len(pages) == math.ceil(len(items) / limit), catalogue.LAST_NO_NEXT,
                     f"{len(items)} items with limit={limit} took {len(pages)} pages: "
                     "a page after the last item should not have been offered")

    out_of_order = first_out_of_order(items, paged.default_sort, "asc")
    check.expect(out_of_order is None, paged.default_sort_rule,
                 lambda: f"item {out_of_order} is out of {paged.default_sort} asc order: "
                         f"{_show(items, out_of_order, paged.default_sort)}")
    if paged.default_sort == "name":
        tie = first_tie_out_of_order(items, "name", "asc")
        check.expect(tie is None, catalogue.TIES_BY_ID, lambda: f"tie at item {tie} not ordered by id: {_show(items, tie, 'name')}")

    back = walk_back(client, check, paged.path, pages[-1], limit)
    forward_pages = [page.ids for page in pages]
    backward_pages = [page.ids for page in reversed(back)]
    check.expect(backward_pages == forward_pages, catalogue.PREV_GOES_BACK,
                 f"following prev from the last page gave pages {_sizes(backward_pages)}, "
                 f"following next gave {_sizes(forward_pages)} (same sizes may still differ in content)")


@by_list
def test_token_overrides_other_parameters(paged: PagedList, client: MoniteClient, check: Expectations) -> None:
    first = _first_page_with_next(client, check, paged, limit=2)
    plain = get_page(client, check, paged.path, {"pagination_token": first.next_token, "limit": 2})
    conflicting: dict[str, Any] = {"order": "desc", "sort": paged.sorts[-1]}
    if "object_type" in paged.params:
        conflicting |= {"object_type": "bill" if paged.params["object_type"] != "bill" else "vendor",
                        "created_at__gt": "2100-01-01T00:00:00Z"}
    mixed = get_page(client, check, paged.path, {**conflicting, "pagination_token": first.next_token, "limit": 2})
    check.expect(plain.ids and set(plain.ids).isdisjoint(first.ids), catalogue.EVERY_ITEM_ONCE,
                 f"the second page {plain.ids} is empty or repeats the first {first.ids}", plain.response)
    check.expect(mixed.ids == plain.ids, catalogue.TOKEN_OVERRIDES,
                 f"with {conflicting} beside the token the page was {mixed.ids}, without them {plain.ids}",
                 mixed.response)


@by_list
def test_non_default_limit_must_be_sent_again(paged: PagedList, client: MoniteClient, check: Expectations) -> None:
    total = len(all_items(client, check, paged.path, paged.params))
    if total < 4:
        pytest.skip(f"{paged.path} has {total} items for this entity; the scenario needs at least 4")
    first = _first_page_with_next(client, check, paged, limit=2)
    rest = get_page(client, check, paged.path, {"pagination_token": first.next_token})
    expected_at_least = min(total - 2, SMALLEST_DOCUMENTED_DEFAULT)
    check.expect(len(rest.items) >= expected_at_least, catalogue.LIMIT_NOT_INFERRED,
                 f"after a limit=2 page, the token alone gave {len(rest.items)} items; "
                 f"{total - 2} remain, so the default page size (>= {SMALLEST_DOCUMENTED_DEFAULT}) "
                 f"should give {expected_at_least}", rest.response)


def _tampered(token: str) -> dict[str, str]:
    middle = len(token) // 2
    if token[middle] in ".=":
        middle -= 1
    flipped = token[:middle] + ("B" if token[middle] != "B" else "C") + token[middle + 1:]
    return {"one character changed": flipped, "truncated": token[:-4], "extended": token + "AAAA",
            "not a token": "not-a-pagination-token"}


def _check_refused_token(check: Expectations, response: Any, what: str) -> None:
    check.expect(response.status_code < 500, catalogue.NO_SERVER_ERROR, f"{what} answered {response.status_code}", response)
    check.expect(400 <= response.status_code < 500, catalogue.BAD_TOKEN_4XX, f"{what} answered {response.status_code}",
                 response)
    if response.status_code == 422:
        locs = [tuple(entry.get("loc", ())) for entry in response.json().get("detail", [])]
        check.expect(("query", "pagination_token") in locs, catalogue.BAD_TOKEN_422,
                     f"{what}: the 422 names {locs}, not the pagination_token", response)
    else:
        check.expect(False, catalogue.BAD_TOKEN_422, f"{what} answered {response.status_code}", response)


@pytest.mark.assumption
@by_list
def test_tampered_token_is_refused(paged: PagedList, client: MoniteClient, check: Expectations) -> None:
    first = _first_page_with_next(client, check, paged, limit=2)
    for how, token in _tampered(first.next_token).items():
        response = client.get(paged.path, params={"pagination_token": token, "limit": 2})
        _check_refused_token(check, response, f"a pagination_token with {how}")


@pytest.mark.assumption
@by_list
def test_token_of_another_entity_is_refused(paged: PagedList, client: MoniteClient, other_client: MoniteClient,
                                            check: Expectations) -> None:
    first = _first_page_with_next(client, check, paged, limit=2)
    own_ids = {item["id"] for item in all_items(client, check, paged.path, paged.params)}
    response = other_client.get(paged.path, params={"pagination_token": first.next_token, "limit": 2})
    if response.status_code == 200:
        leaked = own_ids & {item.get("id") for item in response.json().get("data", [])}
        check.expect(not leaked, catalogue.ENTITY_OWNS,
                     f"another entity, sending this entity's token, was shown {len(leaked)} of its items", response)
    _check_refused_token(check, response, "another entity's pagination_token")


def _show(items: list[dict[str, Any]], index: int | None, field: str) -> str:
    if index is None:
        return ""
    pair = items[index - 1:index + 1]
    return " then ".join(f"{item.get('id')} ({field}={item.get(field)!r})" for item in pair)


def _sizes(pages: list[list[str]]) -> list[int]:
    return [len(page) for page in pages]
