"""Deprecation and sunset: what a document announces about an operation's or parameter's end.

An operation is *deprecated* when it says `deprecated: true`, documents a `Deprecation` response
header (RFC 9745), or announces a sunset. Its *sunset* is announced by `x-sunset` (oasdiff's
extension; an ISO date or date-time, or an HTTP-date) or a documented `Sunset` response header
(RFC 8594), whose date is read from the header's `example`, or its schema's `const`, `default`,
single `enum` value or `example`. A parameter is deprecated by `deprecated: true` and its sunset
is its `x-sunset`.

"Before the sunset" is judged on the date of NEW: Monite's API versions are dates, and a
document's `info.version` names the version it describes, so the rules hold for that version
whenever the diff runs. A NEW whose `info.version` is not a date is judged on today's date (UTC).
"""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Emit = Callable[[str, str, str], None]  # (rule id, location, message)
Deref = Callable[[Any], dict[str, Any]]


@dataclass(frozen=True)
class Lifecycle:
    deprecated: bool
    sunset: dt.date | None  # the announced date, when one can be read
    announced: bool  # a sunset is announced (x-sunset or a Sunset header), with or without a readable date

    def removed_early(self, as_of: dt.date) -> bool:
        """Whether removing it on `as_of` comes before its announced sunset."""
        return self.sunset is not None and as_of < self.sunset


def parse_date(value: Any) -> dt.date | None:
    """An ISO date or date-time, an HTTP-date, or a YAML date; None when it is none of these."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        return None


def as_of(new_document: dict[str, Any]) -> dt.date:
    """The date NEW describes: its `info.version` when that is a date, else today (UTC)."""
    version = (new_document.get("info") or {}).get("version")
    found = parse_date(version) if isinstance(version, (str, dt.date)) and len(str(version)) == 10 else None
    return found or dt.datetime.now(dt.timezone.utc).date()


def of_operation(operation: dict[str, Any], deref: Deref) -> Lifecycle:
    deprecated = operation.get("deprecated") is True
    announced, sunset = "x-sunset" in operation, parse_date(operation.get("x-sunset"))
    responses = operation.get("responses")
    for response in (responses.values() if isinstance(responses, dict) else ()):
        headers = deref(response).get("headers")
        for name, header in (headers.items() if isinstance(headers, dict) else ()):
            lowered = str(name).lower()
            if lowered == "deprecation":
                deprecated = True
            elif lowered == "sunset":
                announced = True
                sunset = sunset or _header_date(deref(header), deref)
    return Lifecycle(deprecated or announced, sunset, announced)


def of_parameter(parameter: dict[str, Any]) -> Lifecycle:
    announced = "x-sunset" in parameter
    return Lifecycle(parameter.get("deprecated") is True or announced, parse_date(parameter.get("x-sunset")),
                     announced)


def _header_date(header: dict[str, Any], deref: Deref) -> dt.date | None:
    schema = deref(header.get("schema")) if isinstance(header.get("schema"), dict) else {}
    enum = schema.get("enum")
    for value in (header.get("example"), schema.get("const"), schema.get("default"),
                  enum[0] if isinstance(enum, list) and len(enum) == 1 else None, schema.get("example")):
        found = parse_date(value)
        if found is not None:
            return found
    return None


def _shown(life: Lifecycle) -> str:
    return life.sunset.isoformat() if life.sunset else "no date"


def operation_removed(life: Lifecycle, whole_path: bool, today: dt.date) -> tuple[str, str]:
    """The rule and message of an operation removed from the contract."""
    prefix = "api-path-removed" if whole_path else "api-removed"
    what = f"operation removed{' with its path' if whole_path else ''}"
    if life.removed_early(today):
        return f"{prefix}-before-sunset", f"{what} before its announced sunset {_shown(life)} (NEW is {today})"
    if life.deprecated:
        return f"{prefix}-with-deprecation", what + " (it was deprecated" + (
            f", sunset {_shown(life)})" if life.sunset else ")")
    return f"{prefix}-without-deprecation", what


def parameter_removed(life: Lifecycle, where: str, today: dt.date) -> tuple[str, str]:
    if life.removed_early(today):
        return "request-parameter-removed-before-sunset", (f"{where} removed before its announced sunset "
                                                           f"{_shown(life)} (NEW is {today})")
    return "request-parameter-removed", f"{where} removed" + (" (it was deprecated)" if life.deprecated else "")


@dataclass(frozen=True)
class LifecycleRuleIds:
    """The catalogue ids one kind of subject (operation, parameter) reports its lifecycle changes under."""

    deprecated: str
    sunset_missing: str
    reactivated: str
    sunset_earlier: str | None


OPERATION_RULE_IDS = LifecycleRuleIds("endpoint-deprecated", "api-deprecated-sunset-missing", "endpoint-reactivated",
                        "api-sunset-date-changed-too-small")
PARAMETER_RULE_IDS = LifecycleRuleIds("request-parameter-deprecated", "request-parameter-deprecated-sunset-missing",
                        "request-parameter-reactivated", None)


def compare(before: Lifecycle, after: Lifecycle, where: str, subject: str, emit: Emit, rules: LifecycleRuleIds) -> None:
    """Deprecation announced (with or without a sunset date), withdrawn, or its sunset moved earlier."""
    if after.deprecated and not before.deprecated:
        if after.sunset is None:
            emit(rules.sunset_missing, where, f"{subject} deprecated without a sunset date"
                 + (" (the announced sunset has no readable date)" if after.announced else ""))
        else:
            emit(rules.deprecated, where, f"{subject} deprecated, sunset {_shown(after)}")
    elif before.deprecated and not after.deprecated:
        emit(rules.reactivated, where, f"{subject} is no longer deprecated")
    elif rules.sunset_earlier and before.sunset and after.sunset and after.sunset < before.sunset:
        emit(rules.sunset_earlier, where, f"{subject}'s sunset moved earlier: {_shown(after)} (was {_shown(before)})")
