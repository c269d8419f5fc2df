"""In what order a list's items must come, for a sort field and an order: the one
implementation the Monite checks and the scenarios share.

Timestamps compare as instants (the wire may use `Z` or an offset, with or without
fractions: docs reference/base-concepts); names compare as text, a null name as "" (A22).
The docs give no collation for text, so text is out of order only when it is so both
byte-wise and case-insensitively (`sorts_after`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

TIMESTAMP_FIELDS = frozenset({"created_at", "updated_at"})


def parse_timestamp(text: str) -> datetime:
    """An ISO 8601 date-time as an aware datetime (naive values are UTC)."""
    value = datetime.fromisoformat(text)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def sort_value(item: Any, field: str) -> Any:
    """The value an item sorts by; None when it cannot be compared (not an object, a timestamp
    that does not parse, a value of no sortable type)."""
    if not isinstance(item, dict):
        return None
    raw = item.get(field)
    if field in TIMESTAMP_FIELDS:
        if not isinstance(raw, str):
            return None
        try:
            return parse_timestamp(raw)
        except ValueError:
            return None
    if raw is None:
        return ""  # assumption A22: nulls sort as ""
    return raw if isinstance(raw, (str, int, float)) else None


def sorts_after(left: Any, right: Any) -> bool:
    """Whether `left` must come after `right` in ascending order."""
    if isinstance(left, str) and isinstance(right, str):
        return left > right and left.casefold() > right.casefold()
    return bool(left > right)


def out_of_order(before: Any, here: Any, order: str) -> bool:
    """Whether `here` may not follow `before` under `order` (equal values are fine)."""
    return sorts_after(before, here) if order == "asc" else sorts_after(here, before)


def first_out_of_order(items: list[dict[str, Any]], field: str, order: str) -> int | None:
    """The index of the first item whose sort value breaks `order` (equal values are fine)."""
    for index in range(1, len(items)):
        before, here = sort_value(items[index - 1], field), sort_value(items[index], field)
        if before is not None and here is not None and out_of_order(before, here, order):
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
