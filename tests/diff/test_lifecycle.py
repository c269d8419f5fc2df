"""Deprecation and sunset (issue 19): the signals a document gives (`deprecated`, `x-sunset`,
`Sunset` and `Deprecation` response headers) and the date "before the sunset" is judged on (NEW's
`info.version`, Monite's version date)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import yaml

from conformance.diff import diff_documents
from conformance.diff.lifecycle import as_of, parse_date
from tests.diff.builders import document, get_ledger, ok, query

S = {"type": "string"}


def two_ops(post: dict[str, Any] | None, version: str = "2024-05-25") -> dict[str, Any]:
    item: dict[str, Any] = {"get": {"responses": ok()}}
    if post is not None:
        item["post"] = {"responses": ok(None, "201"), **post}
    doc = document({"/ledger_accounts": item})
    doc["info"]["version"] = version
    return doc


def fired(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str]]:
    return [(c.rule.id, c.rule.level) for c in diff_documents(old, new).changes]


def headers(**named: dict[str, Any]) -> dict[str, Any]:
    return {"responses": {"201": {"description": "ok", "headers": named}}}


@pytest.mark.parametrize(("sunset", "new_version", "expected"), [
    ("2024-06-01", "2024-05-25", ("api-removed-before-sunset", "breaking")),
    ("2024-05-25", "2024-05-25", ("api-removed-with-deprecation", "may-break")),  # the sunset day itself
    ("2024-01-31", "2024-05-25", ("api-removed-with-deprecation", "may-break")),
    ("Sat, 01 Jun 2024 00:00:00 GMT", "2024-05-25", ("api-removed-before-sunset", "breaking")),
    ("2024-06-01T12:00:00Z", "2025-06-23", ("api-removed-with-deprecation", "may-break")),
], ids=["before", "on the day", "after", "an HTTP-date", "a date-time, a later version"])
def test_removal_is_judged_against_the_sunset_on_news_version_date(sunset: str, new_version: str,
                                                                    expected: tuple[str, str]) -> None:
    old = two_ops({"deprecated": True, "x-sunset": sunset})
    assert fired(old, two_ops(None, new_version)) == [expected]


def test_a_sunset_header_announces_the_date_and_a_deprecation_header_deprecates() -> None:
    sunset = headers(Sunset={"schema": {"type": "string", "example": "Sat, 01 Jun 2024 00:00:00 GMT"}})
    assert fired(two_ops(sunset), two_ops(None)) == [("api-removed-before-sunset", "breaking")]
    deprecation = headers(Deprecation={"schema": {"type": "string"}})
    assert fired(two_ops({}), two_ops(deprecation)) == [("api-deprecated-sunset-missing", "non-breaking"),
                                                         ("response-header-added", "non-breaking")]
    assert fired(two_ops(deprecation), two_ops(None)) == [("api-removed-with-deprecation", "may-break")]


def test_a_sunset_header_without_a_readable_date_is_a_deprecation_without_a_sunset_date() -> None:
    vague = headers(Sunset={"schema": {"type": "string"}})
    changes = diff_documents(two_ops({}), two_ops(vague)).changes
    assert [(c.rule.id, c.rule.level) for c in changes] == [("api-deprecated-sunset-missing", "non-breaking"),
                                                    ("response-header-added", "non-breaking")]
    assert "no readable date" in changes[0].observed


def test_a_sunset_moved_later_or_kept_is_no_change() -> None:
    early = two_ops({"deprecated": True, "x-sunset": "2025-01-01"})
    late = two_ops({"deprecated": True, "x-sunset": "2026-01-01"})
    assert fired(early, late) == []
    assert fired(late, late) == []
    assert fired(late, early) == [("api-sunset-date-changed-too-small", "may-break")]


def test_a_yaml_date_is_a_date() -> None:
    doc = yaml.safe_load("x-sunset: 2024-06-01")
    assert parse_date(doc["x-sunset"]) == dt.date(2024, 6, 1)
    assert fired(two_ops({"deprecated": True, **doc}), two_ops(None)) == [("api-removed-before-sunset", "breaking")]


def test_news_date_is_its_version_else_today() -> None:
    assert as_of(two_ops(None, "2023-09-01")) == dt.date(2023, 9, 1)
    assert as_of({"info": {"version": dt.date(2023, 9, 1)}}) == dt.date(2023, 9, 1)
    today = dt.datetime.now(dt.timezone.utc).date()
    assert as_of({"info": {"version": "3.2.1"}}) in (today, today + dt.timedelta(days=1))  # midnight-safe


def test_a_parameter_removed_after_its_sunset_is_an_ordinary_removal() -> None:
    old = get_ledger([{**query("q", S), "deprecated": True, "x-sunset": "2000-01-01"}])
    changes = diff_documents(old, get_ledger()).changes
    assert [(c.rule.id, c.rule.level) for c in changes] == [("request-parameter-removed", "may-break")]
    assert "deprecated" in changes[0].observed
