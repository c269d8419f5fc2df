"""Broken variants of the emulator, one per Monite check: each breaks exactly that check's rule.

`tests/checks/test_monite_checks.py` runs the property tests against each
(`asgi:tests.faults.check_faults:<factory>`) and expects that check, and no unrelated one, to
fail. Every variant wraps a clean emulator and rewrites only the answers its rule covers.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs

from monite_emulator.app import create_app
from tests.faults.rewrite import Answer, rewrite_responses


def _base(app: Any) -> Any:
    """The app a variant breaks: `app` when given (a variant layered on another deployment,
    tests/deployments/broken.py), else a clean emulator (`asgi:tests.faults...:<name>`)."""
    return app if app is not None else create_app()

API_PREFIX = "/v1/"
LIST_PATHS = ("/v1/accounting_synced_records", "/v1/accounting_tax_rates", "/v1/ledger_accounts")
TIMESTAMP_KEYS = frozenset({"created_at", "updated_at", "last_pull", "last_pulled_at", "object_updated_at",
                            "platform_updated_at", "provider_updated_at"})
CEST = timezone(timedelta(hours=2))


def _api_only(rewrite: Callable[[Answer], None]) -> Callable[[Answer], None]:
    """Apply `rewrite` to /v1 answers only; the control plane stays intact."""

    def apply(answer: Answer) -> None:
        if answer.path.startswith(API_PREFIX):
            rewrite(answer)

    return apply


def _variant(rewrite: Callable[[Answer], None], app: Any = None) -> Any:
    return rewrite_responses(_base(app), _api_only(rewrite))


def _query(answer: Answer) -> dict[str, list[str]]:
    return parse_qs(answer.scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)


def _json_page(answer: Answer) -> dict | None:
    """The body of a successful list page, or None."""
    if answer.method != "GET" or answer.path not in LIST_PATHS or answer.status != 200:
        return None
    body = answer.json()
    return body if isinstance(body, dict) and isinstance(body.get("data"), list) else None


# monite_version_echoed: the response forgets the version the request used.
def version_not_echoed(app: Any = None) -> Any:
    return _variant(lambda answer: answer.drop_header("x-monite-version"), app)


# monite_request_id_unique: every response carries the same request id.
def request_id_constant(app: Any = None) -> Any:
    return _variant(lambda answer: answer.set_header("x-request-id", "req-00000000"), app)


# monite_error_body_shape: non-422 errors lose their `error` envelope.
def error_body_flat(app: Any = None) -> Any:
    def rewrite(answer: Answer) -> None:
        if answer.status >= 400 and answer.status != 422 and answer.body:
            answer.set_json({"message": answer.json()["error"]["message"]})

    return _variant(rewrite, app)


# monite_rate_limit_headers: one of the documented rate-limit headers is never sent.
def rate_limit_header_missing(app: Any = None) -> Any:
    return _variant(lambda answer: answer.drop_header("X-RateLimit-Remaining-Second"), app)


# monite_page_within_limit: a page holds one item more than the `limit` asked for.
def page_over_limit(app: Any = None) -> Any:
    def rewrite(answer: Answer) -> None:
        page = _json_page(answer)
        limits = _query(answer).get("limit", [])
        if page is None or not page["data"] or len(limits) != 1 or not limits[0].isdigit():
            return
        while len(page["data"]) <= int(limits[0]):
            page["data"].append(dict(page["data"][-1], id=str(uuid.uuid4())))
        answer.set_json(page)

    return _variant(rewrite, app)


# monite_next_page_continues: the next page starts with the last item of the previous one.
def next_page_overlaps(app: Any = None) -> Any:
    last_item_by_token: dict[str, dict] = {}

    def rewrite(answer: Answer) -> None:
        page = _json_page(answer)
        if page is None:
            return
        tokens = _query(answer).get("pagination_token", [])
        if tokens and tokens[0] in last_item_by_token and page["data"]:
            page["data"] = [last_item_by_token[tokens[0]], *page["data"][:-1]]
            answer.set_json(page)
        if page.get("next_pagination_token") and page["data"]:
            last_item_by_token[page["next_pagination_token"]] = page["data"][-1]

    return _variant(rewrite, app)


# monite_next_page_continues: pages after the first come in reverse order.
def next_page_reversed(app: Any = None) -> Any:
    def rewrite(answer: Answer) -> None:
        page = _json_page(answer)
        if page is not None and _query(answer).get("pagination_token"):
            page["data"].reverse()
            answer.set_json(page)

    return _variant(rewrite, app)


def _to_cest(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: (_shift(value) if key in TIMESTAMP_KEYS and isinstance(value, str) else _to_cest(value))
                for key, value in node.items()}
    if isinstance(node, list):
        return [_to_cest(value) for value in node]
    return node


def _shift(value: str) -> str:
    moment = datetime.fromisoformat(value)
    return moment.astimezone(CEST).isoformat()


# monite_timestamps_utc: timestamps keep their instant but are written in +02:00, not UTC.
def timestamps_not_utc(app: Any = None) -> Any:
    def rewrite(answer: Answer) -> None:
        if answer.status < 300 and answer.body:
            answer.set_json(_to_cest(answer.json()))

    return _variant(rewrite, app)


# monite_entity_id_echoed: the response forgets the entity the request named.
def entity_id_not_echoed(app: Any = None) -> Any:
    return _variant(lambda answer: answer.drop_header("x-monite-entity-id"), app)


# For each variant: the check that must fail, and the built-in checks allowed to fail with it
# because the spec encodes the same rule (by their failure titles).
EXPECTED: dict[str, tuple[str, frozenset[str]]] = {
    "version_not_echoed": ("monite_version_echoed", frozenset()),
    "request_id_constant": ("monite_request_id_unique", frozenset()),
    "error_body_flat": ("monite_error_body_shape", frozenset({"Response violates schema"})),
    "rate_limit_header_missing": ("monite_rate_limit_headers", frozenset({"Missing required response headers"})),
    "page_over_limit": ("monite_page_within_limit", frozenset()),
    "next_page_overlaps": ("monite_next_page_continues", frozenset()),
    "next_page_reversed": ("monite_next_page_continues", frozenset()),
    "timestamps_not_utc": ("monite_timestamps_utc", frozenset()),
    "entity_id_not_echoed": ("monite_entity_id_echoed", frozenset()),
}


# A rate-limited emulator (20 requests a second per token), for the pacing proof.
def rate_limited() -> Any:
    from monite_emulator.settings import EmulatorSettings

    return create_app(EmulatorSettings(rate_limit_per_second=3))


def clean(app: Any = None) -> Any:
    """The emulator unchanged, run through the same loading path as the variants."""
    return _base(app)
