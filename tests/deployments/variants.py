"""Docs-legal variants: each one makes a different choice where Monite's docs are silent or disagree.

A variant is a function `(hidden emulator app) -> ASGI app` that changes one thing, and its
docstring cites what makes the change legal (the facts digest, `../shared/docs/monite-accounting-facts.md`,
cited as *facts*, or a seed). Each one departs from an assumption of docs/design.md (A<n>),
named in `ASSUMPTION`, so a run against it should report the difference as an observation
naming that id and never as a failure (issue 9, item 7).

`VARIANTS` is the registry (name -> factory) the tests parametrize over.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI

from monite_emulator.http.middleware import KNOWN_VERSIONS
from monite_emulator.model import ids
from tests.faults.rewrite import Answer, rewrite_responses

Factory = Callable[[FastAPI], Any]
JSON = b"application/json"

# The spec's paths with an id, after /v1 (spec/monite-accounting.yaml).
_ID_PATH = re.compile(
    r"^/v1/(?:accounting_connections/(?P<connection_id>[^/]+)(?:/(?:disconnect|sync))?"
    r"|accounting_synced_records/(?P<synced_record_id>[^/]+)(?:/push)?"
    r"|accounting_tax_rates/(?P<tax_rate_id>[^/]+)"
    r"|ledger_accounts/(?P<ledger_account_id>[^/]+))$"
)
_SPEC_PATHS = re.compile(
    r"^/v1/(?:auth/token|accounting_connections|accounting_synced_records|accounting_tax_rates|ledger_accounts"
    r"|accounting_connections/[^/]+(?:/disconnect|/sync)?|accounting_synced_records/[^/]+(?:/push)?"
    r"|accounting_tax_rates/[^/]+|ledger_accounts/[^/]+)$"
)
_TIMESTAMP = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?(Z|[+-]00:00)$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
LIST_PATHS = ("/v1/accounting_synced_records", "/v1/accounting_tax_rates", "/v1/ledger_accounts")


def _is_json(answer: Answer) -> bool:
    return (answer.header("content-type") or "").startswith("application/json") and bool(answer.body)


def _limit_out_of_range(detail: Any) -> bool:
    return isinstance(detail, list) and any(
        isinstance(item, dict) and item.get("loc") == ["query", "limit"]
        and item.get("type") in ("greater_than_equal", "less_than_equal")
        for item in detail
    )


# --- the variants -------------------------------------------------------------------------------


def control_plane_hidden(app: FastAPI) -> Any:
    """The exact emulator, its control plane hidden: no other difference (issue 9's baseline)."""
    return app


def path_id_422(app: FastAPI) -> Any:
    """A non-uuid path id is a FastAPI-style 422 on the path parameter, not our 404.

    Legal: Monite's published document gives the path ids `format: uuid` (facts: "How the
    contract changed over time", 2025-02), which a FastAPI server validates with exactly this
    422; the seeds type them as plain strings (seeds 000, 004). The docs disagree: D4 of
    docs/design.md, a probe, where our emulator takes the seeds' side (404).
    """

    def rewrite(answer: Answer) -> None:
        match = _ID_PATH.match(answer.path)
        if answer.status != 404 or match is None:
            return
        name, value = next((k, v) for k, v in match.groupdict().items() if v is not None)
        if ids.normalize(value) is None:
            answer.status = 422
            answer.set_json({"detail": [{
                "loc": ["path", name], "type": "uuid_parsing",
                "msg": "Input should be a valid UUID, invalid character: expected an optional prefix of "
                       "`urn:uuid:` followed by [0-9a-fA-F-]"}]})

    return rewrite_responses(app, rewrite)


def limit_416(app: FastAPI) -> Any:
    """An integer `limit` outside 1..250 is 416 with an error body, as the concepts page says.

    Legal: "values out of range give 416" (facts: Pagination, docs: api/concepts/pagination-sorting-filtering);
    the endpoint reference's 1..250 is kept, so only values both pages call out of range get it.
    Departs from A13 (422).
    """

    def rewrite(answer: Answer) -> None:
        if answer.status == 422 and answer.path in LIST_PATHS and _limit_out_of_range(answer.json().get("detail")):
            answer.status = 416
            answer.set_json({"error": {"message": "Requested range not satisfiable: limit must be 1..250"}})

    return rewrite_responses(app, rewrite)


def conflict_400(app: FastAPI) -> Any:
    """State conflicts (second active connection, sync of a connection that is not connected, push
    without a connection, deleting an external account) answer 400, not 409.

    Legal: the docs forbid a second active connection but give no status for the attempt, nor
    for sync or push in the wrong state (facts: "Where the docs are silent"); 400 is listed for
    the ledger endpoints (seed 004). Departs from A5, A6, A10, A15.
    """

    def rewrite(answer: Answer) -> None:
        if answer.status == 409:
            answer.status = 400

    return rewrite_responses(app, rewrite)


def method_405_fastapi(app: FastAPI) -> Any:
    """A wrong method is 405 with FastAPI's own body `{"detail": "Method Not Allowed"}` (Allow kept).

    Legal: no status or body for a wrong method is documented (facts: Errors, "Undocumented:
    ... 405 for a wrong method"); this is what a FastAPI service answers by default. Departs from A9.
    """

    def rewrite(answer: Answer) -> None:
        if answer.status == 405:
            answer.set_json({"detail": "Method Not Allowed"})

    return rewrite_responses(app, rewrite)


def gateway_404(app: FastAPI) -> Any:
    """An unknown path is answered by the API gateway: 404 `{"message": "no Route matched with those values"}` (Kong).

    Legal: 404 bodies are undocumented (facts: Errors), and a path outside the API never reaches
    it. Unknown ids on known paths keep the API's error body. Departs from A9.
    """

    def rewrite(answer: Answer) -> None:
        if answer.status == 404 and not _SPEC_PATHS.match(answer.path):
            answer.set_json({"message": "no Route matched with those values"})
            answer.set_header("content-type", "application/json; charset=utf-8")

    return rewrite_responses(app, rewrite)


def null_tokens_omitted(app: FastAPI) -> Any:
    """List pages leave out a pagination token that would be null.

    Legal: seed 003 marks only `data` required on a list page; the tokens are `str|null`
    (facts: Pagination). Departs from the spec's required lists (issue 9, item 3).
    """

    def rewrite(answer: Answer) -> None:
        if answer.status == 200 and answer.path in LIST_PATHS and _is_json(answer):
            body = answer.json()
            for key in ("next_pagination_token", "prev_pagination_token"):
                if isinstance(body, dict) and key in body and body[key] is None:
                    del body[key]
            answer.set_json(body)

    return rewrite_responses(app, rewrite)


def _with_extra(value: Any) -> Any:
    if isinstance(value, dict):
        return {**{k: _with_extra(v) for k, v in value.items()}, "undocumented_field": "added by a newer version"}
    if isinstance(value, list):
        return [_with_extra(v) for v in value]
    return value


def extra_fields(app: FastAPI) -> Any:
    """Every JSON object in every response (bodies, list items, nested objects, error bodies)
    carries an undocumented extra field.

    Legal: the docs list the fields a response has, never that it has no others; Monite adds
    fields in place under the same version date (facts: "How the contract changed over time":
    `business_info`, `is_external`, `created_at`...). No documented assumption covers it: it
    tests that the spec does not forbid additional properties.
    """

    def rewrite(answer: Answer) -> None:
        if _is_json(answer):
            answer.set_json(_with_extra(answer.json()))

    return rewrite_responses(app, rewrite)


def _milliseconds(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _milliseconds(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_milliseconds(v) for v in value]
    if isinstance(value, str):
        match = _TIMESTAMP.match(value)
        if match:
            return f"{match.group(1)}.{(match.group(2) or '').ljust(3, '0')[:3]}Z"
    return value


def millisecond_timestamps(app: FastAPI) -> Any:
    """Timestamps carry exactly three fraction digits, `2024-05-25T10:00:00.123Z` (JavaScript's form).

    Legal: timestamps are `YYYY-MM-DDThh:mm:ss[.ffffff][Z|±hh:mm]` (facts: Pagination, docs:
    reference/base-concepts); the fraction's length is not fixed. The emulator's clock is cut
    to milliseconds too, so what is stored is what is shown and filters stay exact.
    No assumption; tests the timestamp check and every `format: date-time`.
    """
    clock = app.state.emulator.clock
    real_now = clock.now

    def now_in_milliseconds() -> datetime:
        moment = real_now()
        return moment.replace(microsecond=moment.microsecond // 1000 * 1000, tzinfo=moment.tzinfo or UTC)

    clock.now = now_in_milliseconds

    def rewrite(answer: Answer) -> None:
        if _is_json(answer):
            answer.set_json(_milliseconds(answer.json()))

    return rewrite_responses(app, rewrite)


def unknown_version_served(app: FastAPI) -> Any:
    """A well-formed version date the server does not list is served (200) and echoed, not a 400.

    Legal: "Whether /v1 calls accept such a date is undocumented"; the published document
    endpoint answers for any well-formed date, echoing it (facts: "Environments, paths,
    versions"). Served as 2024-05-25. Malformed values keep the 400. Departs from A1.
    """

    async def wrapped(scope: dict, receive: Callable, send: Callable) -> None:
        asked = None
        if scope["type"] == "http":
            headers = []
            for key, value in scope.get("headers", []):
                if key.lower() == b"x-monite-version":
                    text = value.decode("latin-1")
                    if _DATE.match(text) and text not in KNOWN_VERSIONS and _real_date(text):
                        asked, value = value, KNOWN_VERSIONS[-1].encode()
                headers.append((key, value))
            scope = dict(scope, headers=headers)

        async def echo_asked(message: dict) -> None:
            if asked is not None and message["type"] == "http.response.start":
                message = dict(message, headers=[(k, asked if k.lower() == b"x-monite-version" else v)
                                                 for k, v in message.get("headers", [])])
            await send(message)

        await app(scope, receive, echo_asked)

    return wrapped


def _real_date(text: str) -> bool:
    try:
        datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        return False
    return True


def delete_200_with_body(app: FastAPI) -> Any:
    """DELETE of a ledger account answers 200 with the deleted account, not 204.

    Legal: "Undocumented: DELETE's success code (204 is the common choice)" (facts: Ledger
    accounts). Departs from A10.
    """
    emulator = app.state.emulator

    async def wrapped(scope: dict, receive: Callable, send: Callable) -> None:
        match = _ID_PATH.match(scope.get("path", "")) if scope["type"] == "http" else None
        if match is None or scope["method"] != "DELETE" or match.group("ledger_account_id") is None:
            await app(scope, receive, send)
            return
        entity = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k.lower() == b"x-monite-entity-id"),
                      "")
        try:
            account = emulator.get_ledger_account(ids.normalize(entity) or entity,
                                                  match.group("ledger_account_id"))
        except Exception:  # unknown, foreign or malformed: the emulator's own answer follows
            account = None

        def rewrite(answer: Answer) -> None:
            if answer.status == 204 and account is not None:
                answer.status = 200
                answer.set_json(account)
                answer.set_header("content-type", "application/json")

        await rewrite_responses(app, rewrite)(scope, receive, send)

    return wrapped


def push_202(app: FastAPI) -> Any:
    """A push answers 202 Accepted with the record, as sync does, not 200.

    Legal: the docs show the pushed record but not the status (facts: Synced records, seed 002);
    the sibling `sync` answers 202. Departs from A16.
    """

    def rewrite(answer: Answer) -> None:
        if answer.method == "POST" and answer.path.endswith("/push") and answer.status == 200:
            answer.status = 202

    return rewrite_responses(app, rewrite)


def ledger_create_200(app: FastAPI) -> Any:
    """POST /ledger_accounts answers 200 with the account, not 201.

    Legal: the docs list only the error codes of POST /ledger_accounts (facts: Errors, "POST
    ledger account: 400, 401, 403, 422, 429"). Departs from A27.
    """

    def rewrite(answer: Answer) -> None:
        if answer.method == "POST" and answer.path == "/v1/ledger_accounts" and answer.status == 201:
            answer.status = 200

    return rewrite_responses(app, rewrite)


def error_type_field(app: FastAPI) -> Any:
    """Every non-422 error body names its kind, `{"error": {"type": "...", "message": "..."}}`, as
    the version errors do.

    Legal: ErrorSchemaResponse is `{"error": {"message": str}}` and "the version error adds
    `type`" (facts: Errors); nothing says other errors may not. Departs from A2 (401 body), A7, A9.
    """
    kinds = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
             409: "conflict", 413: "payload_too_large", 429: "rate_limited", 500: "internal_error"}

    def rewrite(answer: Answer) -> None:
        if answer.status >= 400 and answer.status != 422 and _is_json(answer):
            body = answer.json()
            error = body.get("error") if isinstance(body, dict) else None
            if isinstance(error, dict) and "type" not in error:
                body["error"] = {"type": kinds.get(answer.status, "error"), **error}
                answer.set_json(body)

    return rewrite_responses(app, rewrite)


def token_lifetime_86400(app: FastAPI) -> Any:
    """Tokens live a day: `expires_in: 86400`, not 1800.

    Legal: the token examples show 1800 and 86400 (facts: Authentication). Departs from A20.
    """
    app.state.emulator.settings.token_ttl_seconds = 86400
    return app


def pagination_token_400(app: FastAPI) -> Any:
    """A malformed, tampered or foreign pagination token is 400 with an error body, not 422.

    Legal: the docs give no status for it (facts: "Where the docs are silent": "a malformed or
    foreign pagination token"). Departs from A8.
    """

    def rewrite(answer: Answer) -> None:
        if answer.status == 422 and answer.path in LIST_PATHS and _is_json(answer):
            detail = answer.json().get("detail")
            if isinstance(detail, list) and any(isinstance(item, dict) and item.get("loc") == ["query", "pagination_token"]
                                                for item in detail):
                answer.status = 400
                answer.set_json({"error": {"message": "Invalid pagination token"}})

    return rewrite_responses(app, rewrite)


def default_limit_100(app: FastAPI) -> Any:
    """Without `limit`, a list page holds at most 100 items (the prose's default), not 250.

    Legal: seed 003's prose says "Default is 100" while its schema says 250 (facts:
    Pagination); the docs disagree. Departs from A14.
    """

    async def wrapped(scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "http" and scope.get("path") in LIST_PATHS and scope.get("method") == "GET":
            query = scope.get("query_string", b"")
            names = {part.split(b"=", 1)[0] for part in query.split(b"&") if part}
            if b"limit" not in names and b"pagination_token" not in names:
                scope = dict(scope, query_string=query + (b"&" if query else b"") + b"limit=100")
        await app(scope, receive, send)

    return wrapped


def unsupported_media_415(app: FastAPI) -> Any:
    """A body sent without a JSON Content-Type is 415 Unsupported Media Type, not FastAPI's 422.

    Legal: the docs never say what a body without `Content-Type: application/json` gets
    (facts: Errors lists no 415, and no rule for it). Departs from A25.
    """

    async def wrapped(scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "http" and scope.get("method") in ("POST", "PATCH") and scope.get("path", "").startswith("/v1/"):
            headers = {k.lower(): v for k, v in scope.get("headers", [])}
            content_type = headers.get(b"content-type", b"")
            length = headers.get(b"content-length", b"0")
            if length not in (b"", b"0") and b"json" not in content_type.lower():
                def rewrite(answer: Answer) -> None:
                    if answer.status == 422:
                        answer.status = 415
                        answer.set_json({"error": {"message": "Unsupported Media Type: send application/json"}})

                await rewrite_responses(app, rewrite)(scope, receive, send)
                return
        await app(scope, receive, send)

    return wrapped


VARIANTS: dict[str, Factory] = {
    "control_plane_hidden": control_plane_hidden,
    "path_id_422": path_id_422,
    "limit_416": limit_416,
    "conflict_400": conflict_400,
    "method_405_fastapi": method_405_fastapi,
    "gateway_404": gateway_404,
    "null_tokens_omitted": null_tokens_omitted,
    "extra_fields": extra_fields,
    "millisecond_timestamps": millisecond_timestamps,
    "unknown_version_served": unknown_version_served,
    "delete_200_with_body": delete_200_with_body,
    "push_202": push_202,
    "ledger_create_200": ledger_create_200,
    "error_type_field": error_type_field,
    "token_lifetime_86400": token_lifetime_86400,
    "pagination_token_400": pagination_token_400,
    "default_limit_100": default_limit_100,
    "unsupported_media_415": unsupported_media_415,
}

# The assumptions (docs/design.md) each variant departs from, as a run with default options can
# see them: an observation of the run should name one of them. None: nothing to observe, the
# difference must simply not fail the run.
ASSUMPTIONS: dict[str, tuple[str, ...] | None] = {
    "control_plane_hidden": None,
    "path_id_422": ("D4",),  # a docs disagreement (docs/design.md), probed by scenario 13
    "limit_416": ("A13",),
    "conflict_400": ("A5", "A6", "A10", "A15"),
    "method_405_fastapi": ("A9",),
    # Only the suite's own probes of control plane and reachability ask for unknown paths today;
    # a run should ask for one under /v1 and report the body it got (A9).
    "gateway_404": ("A9",),
    # Seed 003 requires only `data`; our emulator always sends both tokens (A32).
    "null_tokens_omitted": ("A32",),
    "extra_fields": None,
    "millisecond_timestamps": None,
    "unknown_version_served": ("A1",),
    "delete_200_with_body": ("A10",),
    # A successful push names a pre-existing record, which a default run may not send (issue 9,
    # item 1): the 202 is only seen with --allow-changes-to-existing.
    "push_202": None,
    "ledger_create_200": ("A27",),
    "error_type_field": None,
    "token_lifetime_86400": ("A20",),  # every run reads /auth/token's expires_in
    "pagination_token_400": ("A8",),
    # The sandbox entity has 30 records per type: a page without `limit` cannot tell 100 from 250
    # (the suite's default-page-size probe says "inconclusive").
    "default_limit_100": None,
    "unsupported_media_415": ("A25",),
}


def all_at_once(app: FastAPI) -> Any:
    """Every variant's choice together: a server may make all of them (each is docs-legal).

    Applied innermost first in registry order; `control_plane_hidden` is the identity.
    """
    wrapped = app
    for name, factory in VARIANTS.items():
        if name == "control_plane_hidden":
            continue
        wrapped = _compose(factory, app, wrapped)
    return wrapped


def _compose(factory: Factory, app: FastAPI, inner: Any) -> Any:
    """Apply `factory` around `inner` while giving it `app`'s state (the emulator) to patch."""
    proxy = _StatefulApp(inner, app.state)
    return factory(proxy)  # type: ignore[arg-type]


class _StatefulApp:
    """An ASGI app that forwards to `inner` and exposes the emulator app's `state`."""

    def __init__(self, inner: Any, state: Any) -> None:
        self.inner = inner
        self.state = state

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        await self.inner(scope, receive, send)


# --- paced sandboxes: a lower rate limit and network distance ----------------------------------
# Not in VARIANTS (so not in all_at_once, whose run would then take minutes): for the pacing
# benchmark (bench/pacing_bench.py) and `python -m tests.deployments run NAME`.

LATENCY_SECONDS = 0.06


def _with_latency(app: Any, seconds: float) -> Any:
    """An ASGI app that answers `seconds` later than `app`: network distance."""
    import asyncio

    async def delayed(scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "http":
            await asyncio.sleep(seconds)
        await app(scope, receive, send)

    delayed.state = app.state  # type: ignore[attr-defined]
    return delayed


def sandbox_10rps_60ms(app: FastAPI) -> Any:
    """A sandbox that allows 10 requests per second per token (and advertises it in the rate-limit
    headers) and answers 60 ms later than the emulator.

    Legal: 30 requests per second per API client is the default, "the sandbox may be lower"
    (facts: rate limiting); the time an answer takes is not part of the contract. Departs from
    no assumption: a run must pace to the advertised 10/s instead of meeting 429s.
    """
    app.state.emulator.set_rate_limit(10)
    return _with_latency(app, LATENCY_SECONDS)


def sandbox_30rps_60ms(app: FastAPI) -> Any:
    """The documented 30 requests per second per token, answered 60 ms later than the emulator.

    Legal: the documented default rate limit (facts: rate limiting); the time an answer takes is
    not part of the contract. Departs from no assumption.
    """
    app.state.emulator.set_rate_limit(30)
    return _with_latency(app, LATENCY_SECONDS)


PACED: dict[str, Factory] = {"sandbox_10rps_60ms": sandbox_10rps_60ms, "sandbox_30rps_60ms": sandbox_30rps_60ms}
ASSUMPTIONS.update({name: None for name in PACED})

__all__ = ["ASSUMPTIONS", "PACED", "VARIANTS", "all_at_once"]
