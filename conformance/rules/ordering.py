"""In what order a list's items must come, for a sort field and an order.

Timestamps compare as instants (the wire may use `Z` or an offset, with or without
fractions: docs reference/base-concepts); names compare as text, a null name as "" (A22).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

TIMESTAMP_FIELDS = frozenset({"created_at", "updated_at"})


def parse_timestamp(text: str) -> datetime:
    """An ISO 8601 date-time as an aware datetime (naive values are UTC)."""
    value = datetime.fromisoformat(text)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def sort_value(item: dict[str, Any], field: str) -> Any:
    raw = item.get(field)
    if field in TIMESTAMP_FIELDS:
        return parse_timestamp(raw)
    return raw if raw is not None else ""


def first_out_of_order(items: list[dict[str, Any]], field: str, order: str) -> int | None:
    """The index of the first item whose sort value breaks `order` (equal values are fine)."""
    for index in range(1, len(items)):
        before, here = sort_value(items[index - 1], field), sort_value(items[index], field)
        if (here < before) if order == "asc" else (here > before):
            return index
    return None


def first_tie_out_of_order(items: list[dict[str, Any]], field: str, order: str) -> int | None:
    """The index of the first item that ties with the previous one but whose id breaks `order`."""
    for index in range(1, len(items)):
        previous, item = items[index - 1], items[index]
        if sort_value(previous, field) != sort_value(item, field):
            continue
        if (item["id"] < previous["id"]) if order == "asc" else (item["id"] > previous["id"]):
            return index
    return None


def has_ties(items: list[dict[str, Any]], field: str) -> bool:
    values = [sort_value(item, field) for item in items]
    return len(set(values)) < len(values)
