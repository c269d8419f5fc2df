"""Checks on the headers every /v1 response carries (docs: api/concepts/http-headers, rate-limiting)."""

from __future__ import annotations

import re
import threading
import uuid
from collections import OrderedDict

import schemathesis
from schemathesis import Case, CheckContext, Response

from conformance.checks import catalogue
from conformance.expectations.headers import API_VERSION_ERROR_TYPES, RATE_LIMIT_HEADERS
from conformance.checks.wire import header, json_body, request_header

_INTEGER = re.compile(r"^[0-9]+$")
# Request ids remembered for the uniqueness check; older ones are forgotten to bound memory.
REMEMBERED_REQUEST_IDS = 100_000


def _is_api_version_error(response: Response) -> bool:
    body = json_body(response)
    error = body.get("error") if isinstance(body, dict) else None
    return response.status_code == 400 and isinstance(error, dict) and error.get("type") in API_VERSION_ERROR_TYPES


@schemathesis.check
def monite_version_echoed(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """x-monite-version comes back as the request sent it (skipped when no version was used)."""
    sent = request_header(response, "x-monite-version")
    if sent is None or _is_api_version_error(response):
        return True
    echoed = header(response, "x-monite-version")
    if echoed != sent:
        raise catalogue.VERSION_ECHOED.violated(f"request sent x-monite-version {sent!r}, response has {echoed!r}")
    return None


class RecentIds:
    """The last `capacity` request ids seen, each with the response object that carried it."""

    def __init__(self, capacity: int = REMEMBERED_REQUEST_IDS) -> None:
        self._capacity = capacity
        self._owners: OrderedDict[str, int] = OrderedDict()
        self._lock = threading.Lock()

    def seen_elsewhere(self, request_id: str, owner: int) -> bool:
        """Remember `request_id`; True if a different response carried it before.

        The same response checked twice (a replayed check) is not a repeat.
        """
        with self._lock:
            earlier = self._owners.get(request_id)
            if earlier is None:
                self._owners[request_id] = owner
                if len(self._owners) > self._capacity:
                    self._owners.popitem(last=False)
                return False
            return earlier != owner

    def clear(self) -> None:
        with self._lock:
            self._owners.clear()


SEEN_REQUEST_IDS = RecentIds()


@schemathesis.check
def monite_request_id_unique(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """x-request-id is present, not blank, and never repeats an earlier response's id."""
    value = header(response, "x-request-id")
    if value is None or not value.strip():
        raise catalogue.REQUEST_ID_UNIQUE.violated(f"x-request-id is {'missing' if value is None else 'blank'}")
    if SEEN_REQUEST_IDS.seen_elsewhere(value, id(response)):
        raise catalogue.REQUEST_ID_UNIQUE.violated(f"x-request-id {value!r} was already sent on an earlier response")
    return None


@schemathesis.check
def monite_rate_limit_headers(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """The five rate-limit headers are integers; a 429 says when to retry."""
    if response.status_code == 429:
        retry_after = header(response, "retry-after")
        if retry_after is None or not _INTEGER.match(retry_after.strip()):
            raise catalogue.RATE_LIMIT_HEADERS.violated(f"429 with Retry-After {retry_after!r}")
        return None
    problems = []
    for name in RATE_LIMIT_HEADERS:
        value = header(response, name)
        if value is None:
            problems.append(f"{name} missing")
        elif not _INTEGER.match(value.strip()):
            problems.append(f"{name} is {value!r}, not an integer")
    if problems:
        raise catalogue.RATE_LIMIT_HEADERS.violated("; ".join(problems))
    return None


def _same_uuid(left: str, right: str | None) -> bool:
    try:
        return right is not None and uuid.UUID(left) == uuid.UUID(right)
    except ValueError:
        return False


@schemathesis.check
def monite_entity_id_echoed(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """x-monite-entity-id comes back as sent (only judged for a well-formed uuid, the documented type)."""
    sent = request_header(response, "x-monite-entity-id")
    if sent is None:
        return True
    try:
        uuid.UUID(sent)
    except ValueError:
        return True
    echoed = header(response, "x-monite-entity-id")
    if not _same_uuid(sent, echoed):
        raise catalogue.ENTITY_ID_ECHOED.violated(f"request sent x-monite-entity-id {sent!r}, response has {echoed!r}")
    return None
