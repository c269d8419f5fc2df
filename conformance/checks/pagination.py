"""Cursor pagination: pages respect `limit`, and the next-page token continues the list (seed 003)."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import schemathesis
from schemathesis import Case, CheckContext, Response

from conformance.checks import catalogue
from conformance.expectations.ordering import out_of_order, sort_value
from conformance.checks.followup import send_follow_up
from conformance.checks.wire import describe, json_body, request_method, request_query

MIN_LIMIT, MAX_LIMIT = 1, 250  # seed 003: `1 <= limit <= 250`
DEFAULT_ORDER = "asc"  # seed 003: `order` defaults to ascending


@dataclass(frozen=True)
class DefaultSort:
    field: str
    source: str


# The sort field a list uses when the request names none.
DEFAULT_SORTS = {
    "/accounting_synced_records": DefaultSort("created_at", "seed 003: default sort created_at"),
    "/accounting_tax_rates": DefaultSort("name", "assumption A22: default sort name"),
    "/ledger_accounts": DefaultSort("name", "assumption A22: default sort name"),
}


def is_paginated(case: Case) -> bool:
    """Whether the operation is a cursor-paginated list (it declares `limit`)."""
    return case.operation.query.get("limit") is not None


def sent_limit(response: Response) -> int | None:
    """The one valid `limit` the request sent, or None (absent, repeated or out of range)."""
    values = request_query(response).get("limit", [])
    if len(values) != 1:
        return None
    try:
        limit = int(values[0])
    except ValueError:
        return None
    return limit if MIN_LIMIT <= limit <= MAX_LIMIT else None


def _page(response: Response) -> tuple[list[Any], Any] | None:
    """(data, next_pagination_token) of a successful list page, or None when the body is no page."""
    if not 200 <= response.status_code < 300:
        return None
    body = json_body(response)
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        return None
    return body["data"], body.get("next_pagination_token")


@schemathesis.check
def monite_page_within_limit(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """A page never holds more items than `limit` (250 when not sent)."""
    page = _page(response) if is_paginated(case) else None
    if page is None:
        return True
    data, _ = page
    limit = sent_limit(response)
    bound = limit if limit is not None else MAX_LIMIT
    if len(data) > bound:
        asked = f"limit={limit}" if limit is not None else "no valid limit (so at most 250)"
        raise catalogue.PAGE_WITHIN_LIMIT.violated(f"request asked for {asked}, page has {len(data)} items")
    return None


def _sort_of(case: Case, response: Response) -> tuple[str, str, str] | None:
    """(field, order, where the field comes from) of the first request, or None when unknown."""
    query = request_query(response)
    if "pagination_token" in query:
        return None  # sort and order then come from the token, which is opaque
    orders = query.get("order", [DEFAULT_ORDER])
    order = orders[0] if len(orders) == 1 and orders[0] in ("asc", "desc") else None
    sorts = query.get("sort", [])
    if order is None or len(sorts) > 1:
        return None
    if sorts:
        return sorts[0], order, "the request's sort"
    default = DEFAULT_SORTS.get(case.path)
    return (default.field, order, default.source) if default else None


def overlap_problem(first: list[Any], second: list[Any]) -> str | None:
    """An item the second page repeats unchanged from the first, or None.

    An item that changed between the two requests may move across the cursor legitimately.
    """
    earlier = {item["id"]: item for item in first if isinstance(item, dict) and "id" in item}
    for item in second:
        if isinstance(item, dict) and item.get("id") in earlier and earlier[item["id"]] == item:
            return f"item {item['id']!r} is on both pages"
    return None


def order_problem(first: list[Any], second: list[Any], field: str, order: str) -> str | None:
    """The first pair of items out of `order` by `field` across both pages, or None."""
    def where(index: int) -> str:
        return f"page 1 item {index}" if index < len(first) else f"page 2 item {index - len(first)}"

    values = [(sort_value(item, field), index) for index, item in enumerate(first + second)]
    comparable = [(value, index) for value, index in values if value is not None]
    for (left, left_index), (right, right_index) in pairwise(comparable):
        try:
            wrong = out_of_order(left, right, order)
        except TypeError:
            return None  # mixed types: the response schema check reports that
        if wrong:
            return f"{where(left_index)} ({field}={left}) before {where(right_index)} ({field}={right}), order {order}"
    return None


@schemathesis.check
def monite_next_page_continues(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Following next_pagination_token gives an accepted, disjoint page in the same order."""
    page = _page(response) if is_paginated(case) and request_method(response) == "GET" else None
    if page is None or not page[0] or not isinstance(page[1], str) or not page[1]:
        return True
    first, token = page
    query: dict[str, Any] = {"pagination_token": token}
    limit = sent_limit(response)
    if limit is not None:
        query["limit"] = limit  # seed 003: a non-default limit must be sent with every page
    follow = send_follow_up(ctx, case, query)
    follow_page = _page(follow)
    if follow_page is None:
        raise catalogue.NEXT_PAGE_CONTINUES.violated(
            f"the next page request was answered {follow.status_code}: {describe(json_body(follow))}")
    second = follow_page[0]
    problem = overlap_problem(first, second)
    sort = _sort_of(case, response)
    if problem is None and sort is not None:
        field, order, source = sort
        problem = order_problem(first, second, field, order)
        if problem is not None:
            problem += f" (sort field from {source})"
    if problem is not None:
        raise catalogue.NEXT_PAGE_CONTINUES.violated(problem)
    return None
