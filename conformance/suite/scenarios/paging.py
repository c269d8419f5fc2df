"""Walk a paginated list forwards (next) and back (prev), checking each page answered 200."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from conformance.http.client import MoniteClient
from conformance.expectations.kinds import Expectations, Rule
from conformance.suite.scenarios import catalogue

# Safety net against a target whose tokens loop: no walk needs more pages than this.
MAX_PAGES = 600


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_token: str | None
    prev_token: str | None
    response: httpx.Response = field(repr=False, compare=False)

    @property
    def ids(self) -> list[str]:
        return [item.get("id") for item in self.items]


def get_page(client: MoniteClient, check: Expectations, path: str, params: dict[str, Any]) -> Page:
    """One page of `path`; the request must succeed (seed 003)."""
    response = client.get(path, params=params)
    check.expect(response.status_code == 200, catalogue.LIST_OK,
                 f"GET {path} with {params} answered {response.status_code}", response)
    body = response.json()
    check.expect(isinstance(body, dict) and isinstance(body.get("data"), list), catalogue.LIST_OK,
                 f"GET {path}: the body has no `data` list", response)
    return Page(body["data"], body.get("next_pagination_token"), body.get("prev_pagination_token"), response)


def limit_params(limit: int | None) -> dict[str, Any]:
    """The limit to (re-)send with every page; nothing for the default."""
    return {} if limit is None else {"limit": limit}


def walk_forward(client: MoniteClient, check: Expectations, path: str, params: dict[str, Any],
                 limit: int | None) -> list[Page]:
    """The first page for `params`, then every page its next tokens lead to."""
    first = get_page(client, check, path, {**params, **limit_params(limit)})
    return _follow(client, check, path, first, limit, "next_pagination_token", catalogue.EVERY_ITEM_ONCE)


def walk_back(client: MoniteClient, check: Expectations, path: str, last: Page, limit: int | None) -> list[Page]:
    """From `last`, every page its prev tokens lead to, in the order visited (last page first)."""
    return _follow(client, check, path, last, limit, "prev_pagination_token", catalogue.PREV_GOES_BACK)


def _follow(client: MoniteClient, check: Expectations, path: str, start: Page, limit: int | None,
            token_field: str, rule: Rule) -> list[Page]:
    """`start`, then the pages `token_field` leads to until it is null; a loop is a failure."""
    def token_of(page: Page) -> str | None:
        return page.next_token if token_field == "next_pagination_token" else page.prev_token

    pages = [start]
    seen: set[str] = set()
    while token := token_of(pages[-1]):
        check.expect(token not in seen and len(pages) < MAX_PAGES, rule,
                     f"GET {path}: {token_field} loops after {len(pages)} pages")
        seen.add(token)
        pages.append(get_page(client, check, path, {"pagination_token": token, **limit_params(limit)}))
    return pages


def all_items(client: MoniteClient, check: Expectations, path: str, params: dict[str, Any] | None = None,
              limit: int = 250) -> list[dict[str, Any]]:
    """Every item of the list (a walk with large pages)."""
    return [item for page in walk_forward(client, check, path, dict(params or {}), limit) for item in page.items]


def flatten_ids(pages: list[Page]) -> list[str]:
    return [item_id for page in pages for item_id in page.ids]
