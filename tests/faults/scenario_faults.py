"""Broken variants of the emulator, one per scenario group of issue 5 (and two without a control plane).

Each factory returns an ASGI app that behaves like the clean emulator except for one bug,
a bug a real server could plausibly ship; `tests/suite/test_scenarios_catch.py` runs the group's
scenarios against it (`asgi:tests.faults.scenario_faults:<factory>`) and expects them to fail.
Bugs are made by rewriting answers (`rewrite.rewrite_responses`), rewriting requests before
the emulator sees them (a server that misreads a parameter), or replacing one method of the
emulator's model (a wrong rule).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

from monite_emulator.app import create_app
from monite_emulator.model import auth
from monite_emulator.model.emulator import Emulator
from monite_emulator.model.versions import PUBLISHED_VERSIONS
from tests.deployments.variants import gateway_404, token_lifetime_86400, unsupported_media_415
from tests.faults.rewrite import Answer, rewrite_responses


def _base(app: Any) -> Any:
    """The app a variant breaks: `app` when given (a variant layered on another deployment,
    tests/deployments/broken.py), else a clean emulator (`asgi:tests.faults...:<name>`)."""
    return app if app is not None else create_app()

Query = list[tuple[str, str]]
LIST_PATHS = ("/v1/accounting_synced_records", "/v1/accounting_tax_rates", "/v1/ledger_accounts")


def rewrite_queries(app: Any, rewrite: Callable[[str, Query], Query]) -> Any:
    """An ASGI app that passes `app` each request with its query string rewritten by `rewrite(path, query)`."""

    async def wrapped(scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "http" and scope.get("query_string"):
            query = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
            scope = dict(scope, query_string=urlencode(rewrite(scope["path"], query)).encode("latin-1"))
        await app(scope, receive, send)

    return wrapped


def hide_control_plane(app: Any) -> Any:
    """The app as a remote target looks: no `/_emulator` (scenarios then run as against a sandbox)."""

    async def wrapped(scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/_emulator"):
            await send({"type": "http.response.start", "status": 404,
                        "headers": [(b"content-type", b"application/json")]})
            await send({"type": "http.response.body", "body": b'{"error": {"message": "Not found"}}'})
            return
        await app(scope, receive, send)

    return wrapped


def _model(app: Any) -> Emulator:
    return app.state.emulator


# --- 1. lifecycle: disconnect answers 200 but the connection stays connected ----------------------
def disconnect_keeps_status(app: Any = None) -> Any:
    def rewrite(answer: Answer) -> None:
        if answer.method == "POST" and answer.path.endswith("/disconnect") and answer.status == 200:
            body = answer.json()
            body["status"] = "connected"
            answer.set_json(body)

    return rewrite_responses(_base(app), rewrite)


# --- 2. pagination: a page with a next token loses its last item --------------------------------
def page_loses_boundary_item(app: Any = None) -> Any:
    def rewrite(answer: Answer) -> None:
        if answer.method == "GET" and answer.path in LIST_PATHS and answer.status == 200:
            body = answer.json()
            if body.get("next_pagination_token") and body.get("data"):
                body["data"] = body["data"][:-1]
                answer.set_json(body)

    return rewrite_responses(_base(app), rewrite)


# --- 3. limit bounds: an out-of-range limit is silently clamped into 1..250 ---------------------
def limit_clamped(app: Any = None) -> Any:
    def rewrite(path: str, query: Query) -> Query:
        clamped = []
        for name, value in query:
            if name == "limit" and value.lstrip("-").isdigit():
                value = str(min(max(int(value), 1), 250))
            clamped.append((name, value))
        return clamped

    return rewrite_queries(_base(app), rewrite)


# --- 4. sorting: order=desc is ignored when sorting by updated_at ------------------------------
def desc_ignored_for_updated_at(app: Any = None) -> Any:
    def rewrite(path: str, query: Query) -> Query:
        if ("sort", "updated_at") in query:
            return [(name, value) for name, value in query if name != "order"]
        return query

    return rewrite_queries(_base(app), rewrite)


# --- 5. filters: __gte is treated as __gt (the boundary item is lost) --------------------------
def gte_is_strict(app: Any = None) -> Any:
    def rewrite(path: str, query: Query) -> Query:
        return [(name.replace("__gte", "__gt"), value) for name, value in query]

    return rewrite_queries(_base(app), rewrite)


# --- 6. push: answers 'done' at once instead of 'pending' --------------------------------------
def push_claims_done(app: Any = None) -> Any:
    def rewrite(answer: Answer) -> None:
        if answer.method == "POST" and answer.path.endswith("/push") and answer.status == 200:
            body = answer.json()
            body["sync_status"] = "done"
            answer.set_json(body)

    return rewrite_responses(_base(app), rewrite)


# --- 7. tax rates: total_tax_rate leaves out the last component -------------------------------
def tax_total_skips_last_component(app: Any = None) -> Any:
    def fix(rate: dict) -> None:
        components = rate.get("components") or []
        if len(components) > 1:
            rate["total_tax_rate"] = sum(c["rate"] for c in components[:-1])

    def rewrite(answer: Answer) -> None:
        if answer.method == "GET" and answer.path.startswith("/v1/accounting_tax_rates") and answer.status == 200:
            body = answer.json()
            for rate in body.get("data", [body]):
                fix(rate)
            answer.set_json(body)

    return rewrite_responses(_base(app), rewrite)


# --- 8. ledger accounts: PATCH replaces the account (unsent fields become null) ------------------
def break_partial_patch(app: Any) -> Any:
    """Make `app`'s PATCH /ledger_accounts/{id} null every editable field it was not sent."""
    model = _model(app)
    original = model.patch_ledger_account

    def replace_all(entity_id: str, account_id: str, fields: dict[str, Any]) -> dict[str, Any]:
        every = {"name": None, "nominal_code": None, "description": None}
        return original(entity_id, account_id, every | fields)

    model.patch_ledger_account = replace_all  # type: ignore[method-assign]
    return app


def patch_clears_unsent_fields(app: Any = None) -> Any:
    return break_partial_patch(_base(app))


# --- 9. headers: a missing x-monite-version is a generic 422 (FastAPI's default), not 400 ---------
def missing_version_is_422(app: Any = None) -> Any:
    def rewrite(answer: Answer) -> None:
        sent = {name.decode().lower() for name, _ in answer.scope.get("headers", [])}
        if answer.path.startswith("/v1/") and "x-monite-version" not in sent and answer.status == 400:
            answer.status = 422
            answer.set_json({"detail": [{"loc": ["header", "x-monite-version"], "msg": "Field required",
                                         "type": "missing"}]})

    return rewrite_responses(_base(app), rewrite)


# --- 9. auth: a token that may not act on the entity is answered 404, as if nothing were there ----
def forbidden_is_404(app: Any = None) -> Any:
    def rewrite(answer: Answer) -> None:
        if answer.status == 403:
            answer.status = 404
            answer.set_json({"error": {"message": "Not found"}})

    return rewrite_responses(_base(app), rewrite)


# --- 9. bad input: an oversized body is read whole and answered with a generic 422 --------------
def oversized_body_is_422(app: Any = None) -> Any:
    def rewrite(answer: Answer) -> None:
        if answer.status == 413:
            answer.status = 422
            answer.set_json({"detail": [{"loc": ["body"], "msg": "Invalid body", "type": "value_error"}]})

    return rewrite_responses(_base(app), rewrite)


def tokens_live_a_day(app: Any = None) -> Any:
    """9: `expires_in` 86400, not A20's 1800 (the sandbox-like deployment's docs-legal variant,
    here on the emulator with its control plane, where the assumption binds)."""
    return token_lifetime_86400(_base(app))


def gateway_answers_unknown_paths(app: Any = None) -> Any:
    """9: an unknown path is the gateway's 404 `{"message": ...}`, not A9's error body (as above)."""
    return gateway_404(_base(app))


def text_body_is_415(app: Any = None) -> Any:
    """9: a body without a JSON Content-Type is 415, not A25's 422 (as above)."""
    return unsupported_media_415(_base(app))


# --- 10. isolation: GET of a ledger account by id ignores the entity ---------------------------
def ledger_get_ignores_entity(app: Any = None) -> Any:
    app = _base(app)
    model = _model(app)
    original = model.get_ledger_account

    def any_entity(entity_id: str, account_id: str) -> dict[str, Any]:
        with model.store.tx() as conn:
            row = conn.execute("SELECT entity_id FROM ledger_accounts WHERE id = ?", (account_id,)).fetchone()
        return original(row["entity_id"] if row else entity_id, account_id)

    model.get_ledger_account = any_entity  # type: ignore[method-assign]
    return app


# --- 11. rate limits: 429 without Retry-After -------------------------------------------------
def no_retry_after(app: Any = None) -> Any:
    def rewrite(answer: Answer) -> None:
        if answer.status == 429:
            answer.drop_header("retry-after")

    return rewrite_responses(_base(app), rewrite)


# --- second variants, for the checks the first ones leave untested ------------------------------
def second_connection_allowed(app: Any = None) -> Any:
    """1: creating a connection silently disconnects the active one instead of refusing."""
    app = _base(app)
    model = _model(app)
    original = model.create_connection

    def replace_active(entity_id: str, platform: str, base_url: str) -> dict[str, Any]:
        with model.store.tx() as conn:
            conn.execute("UPDATE connections SET status = 'disconnected' WHERE entity_id = ?"
                         " AND status IN ('pending_auth', 'connected')", (entity_id,))
        return original(entity_id, platform, base_url)

    model.create_connection = replace_active  # type: ignore[method-assign]
    return app


def prev_token_dropped(app: Any = None) -> Any:
    """2: pages never offer a prev_pagination_token."""

    def rewrite(answer: Answer) -> None:
        if answer.method == "GET" and answer.path in LIST_PATHS and answer.status == 200:
            body = answer.json()
            if body.get("prev_pagination_token"):
                body["prev_pagination_token"] = None
                answer.set_json(body)

    return rewrite_responses(_base(app), rewrite)


def push_never_settles(app: Any = None) -> Any:
    """6: a push goes to pending, but its job is lost (the record stays pending)."""
    app = _base(app)
    model = _model(app)
    original = model.push

    def lose_job(entity_id: str, record_id: str) -> dict[str, Any]:
        record = original(entity_id, record_id)
        with model.store.tx() as conn:
            conn.execute("DELETE FROM jobs WHERE kind = 'push' AND record_id = ?", (record["id"],))
        return record

    model.push = lose_job  # type: ignore[method-assign]
    return app


def expired_token_accepted(app: Any = None) -> Any:
    """9: tokens never expire."""
    app = _base(app)
    model = _model(app)

    def ignore_expiry(token: str) -> auth.Principal:
        with model.store.tx() as conn:
            return auth.authenticate(conn, token, "0000-01-01T00:00:00.000000Z")

    model.authenticate = ignore_expiry  # type: ignore[method-assign]
    return app


def rate_limit_headers_missing(app: Any = None) -> Any:
    """11: responses carry no rate-limit headers."""

    def rewrite(answer: Answer) -> None:
        for name in ("ratelimit-limit", "ratelimit-remaining", "ratelimit-reset", "x-ratelimit-limit-second",
                     "x-ratelimit-remaining-second"):
            answer.drop_header(name)

    return rewrite_responses(_base(app), rewrite)


# --- 1. lifecycle, as a sandbox-like target shows it (issue 16) ----------------------------------
def connection_create_200(app: Any = None) -> Any:
    """1: POST /accounting_connections answers 200, not the documented 201."""

    def rewrite(answer: Answer) -> None:
        if answer.method == "POST" and answer.path == "/v1/accounting_connections" and answer.status == 201:
            answer.status = 200

    return rewrite_responses(_base(app), rewrite)


def no_connections_404(app: Any = None) -> Any:
    """1: an entity without connections gets 404, not seed 002's 200 `{"data": []}`."""

    def rewrite(answer: Answer) -> None:
        if (answer.method == "GET" and answer.path == "/v1/accounting_connections" and answer.status == 200
                and answer.json().get("data") == []):
            answer.status = 404
            answer.set_json({"error": {"message": "No accounting connection for this entity"}})

    return rewrite_responses(_base(app), rewrite)


# --- 11. rate limits, as the 429 probe sees them (issue 16) ---------------------------------------
def rate_limit_not_enforced(app: Any = None) -> Any:
    """11: the rate-limit headers advertise a limit, but nothing over it is ever refused."""
    app = _base(app)
    limiter = _model(app).limiter
    original = limiter.hit

    def never_refuse(key: str, consume: bool = True) -> Any:
        decision = original(key, consume)
        decision.allowed = True
        return decision

    limiter.hit = never_refuse  # type: ignore[method-assign]
    return app


def rate_limited_body_flat(app: Any = None) -> Any:
    """11: a 429 comes with a plain-text body, not the documented error body."""

    def rewrite(answer: Answer) -> None:
        if answer.status == 429:
            answer.body = b"Too Many Requests"
            answer.set_header("content-type", "text/plain")

    return rewrite_responses(_base(app), rewrite)


# --- 12. versions -------------------------------------------------------------------------------
def rewrite_versions(app: Any, rewrite: Callable[[str, str, str], str]) -> Any:
    """An ASGI app that passes `app` each request with x-monite-version replaced by `rewrite(method, path, version)`."""

    async def wrapped(scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "http":
            headers = []
            for name, value in scope.get("headers", []):
                if name.lower() == b"x-monite-version":
                    value = rewrite(scope["method"], scope["path"], value.decode("latin-1")).encode("latin-1")
                headers.append((name, value))
            scope = dict(scope, headers=headers)
        await app(scope, receive, send)

    return wrapped


def version_echo_pinned(app: Any = None) -> Any:
    """12: every response says X-Monite-Version 2024-05-25, whatever version was asked for."""

    def rewrite(answer: Answer) -> None:
        if answer.path.startswith("/v1/") and answer.header("x-monite-version"):
            answer.set_header("x-monite-version", "2024-05-25")

    return rewrite_responses(_base(app), rewrite)


def old_versions_refused(app: Any = None) -> Any:
    """12: only the current versions (2024-05-25 and later) are accepted; older published ones, the
    documented 2023-09-01 and 2024-01-31 included, are refused as unsupported."""

    def rewrite(answer: Answer) -> None:
        sent = dict((name.decode().lower(), value.decode()) for name, value in answer.scope.get("headers", []))
        version = sent.get("x-monite-version")
        if answer.path.startswith("/v1/") and version and version < "2024-05-25" and answer.status < 400:
            answer.status = 400
            answer.set_json({"error": {"type": "unsupported_api_version", "message": "Unsupported API version"}})

    return rewrite_responses(_base(app), rewrite)


def unlisted_version_is_latest(app: Any = None) -> Any:
    """12: a well-formed date outside the published list is served as the latest version (not A1's 400)."""
    def rewrite(method: str, path: str, version: str) -> str:
        well_formed = len(version) == 10 and version[4] == version[7] == "-" and version.replace("-", "").isdigit()
        return "2024-05-25" if well_formed and version not in PUBLISHED_VERSIONS else version

    return rewrite_versions(_base(app), rewrite)


def old_version_writes_ledger(app: Any = None) -> Any:
    """12: version 2023-09-01 (and older) can create, update and delete ledger accounts (not A30's 405)."""

    def rewrite(method: str, path: str, version: str) -> str:
        writes = method in ("POST", "PATCH", "DELETE") and path.startswith("/v1/ledger_accounts")
        return "2024-05-25" if writes and version <= "2023-09-01" else version

    return rewrite_versions(_base(app), rewrite)


# --- without a control plane: a target the suite cannot arrange -------------------------------
def without_control_plane(app: Any = None) -> Any:
    """The clean emulator seen as a remote target: nothing to seed, no clock, no jobs to run."""
    return hide_control_plane(_base(app))


def limit_416(app: Any = None) -> Any:
    """Out-of-range limits answered 416, as the concepts page says, instead of A13's 422."""

    def rewrite(answer: Answer) -> None:
        if answer.status == 422 and b'"limit"' in answer.body:
            answer.status = 416
            answer.set_json({"error": {"message": "Requested range not satisfiable: limit"}})

    return rewrite_responses(_base(app), rewrite)


def without_control_plane_limit_416(app: Any = None) -> Any:
    """limit_416 seen as a remote target: the same A13 mismatch must become an observation."""
    return hide_control_plane(limit_416())


# --- 13. docs disagreements: a path id that is not a uuid answered 200 -----------------------------
def non_uuid_id_found() -> Any:
    """A server that looks resources up by any string and answers a non-uuid id with 200 (neither
    side of D4: both the seeds and the published document make every id a uuid)."""

    def rewrite(answer: Answer) -> None:
        last = answer.path.rstrip("/").rsplit("/", 1)[-1]
        if answer.method == "GET" and answer.status == 404 and last == "not-a-uuid":
            answer.status = 200
            answer.set_json({"id": last})

    return rewrite_responses(create_app(), rewrite)


# The variants each numbered scenario group must catch, and the test that catches each.
GROUP_VARIANTS: dict[str, list[tuple[str, str]]] = {
    "test_01_connection_lifecycle": [("disconnect_keeps_status", "test_connect_sync_disconnect"),
                                     ("second_connection_allowed", "test_only_one_active_connection"),
                                     ("connection_create_200", "test_connect_read_back_disconnect_connect_again"),
                                     ("no_connections_404", "test_an_entity_without_connections_lists_none")],
    "test_02_pagination": [("page_loses_boundary_item", "test_next_then_prev_round_trip"),
                           ("prev_token_dropped", "test_next_then_prev_round_trip")],
    "test_03_limit_bounds": [("limit_clamped", "test_limits_out_of_range_are_refused")],
    "test_04_sorting": [("desc_ignored_for_updated_at", "test_sorted_across_pages")],
    "test_05_filters": [("gte_is_strict", "test_date_filter_boundary")],
    "test_06_push_retry": [("push_claims_done", "test_pushed_record_goes_pending_then_settles"),
                           ("push_never_settles", "test_pushed_record_goes_pending_then_settles")],
    "test_07_tax_rates": [("tax_total_skips_last_component", "test_components_add_up")],
    "test_08_ledger_accounts": [("patch_clears_unsent_fields", "test_partial_patch")],
    "test_09_headers_auth": [("missing_version_is_422", "test_missing_version"),
                             ("expired_token_accepted", "test_expired_token_is_refused"),
                             ("forbidden_is_404", "test_entity_user_token_acts_only_for_its_entity"),
                             ("oversized_body_is_422", "test_oversized_body_is_refused"),
                             ("tokens_live_a_day", "test_token_response"),
                             ("text_body_is_415", "test_body_without_json_content_type"),
                             ("gateway_answers_unknown_paths", "test_unknown_path")],
    "test_10_isolation": [("ledger_get_ignores_entity", "test_gets_do_not_reach_another_entity")],
    "test_11_rate_limits": [("no_retry_after", "test_burst_gets_429_and_paced_client_completes"),
                            ("rate_limit_headers_missing", "test_burst_gets_429_and_paced_client_completes"),
                            ("rate_limit_not_enforced", "test_advertised_limit_answers_429_then_lets_the_client_back"),
                            ("rate_limited_body_flat", "test_advertised_limit_answers_429_then_lets_the_client_back")],
    "test_12_versions": [("version_echo_pinned", "test_every_published_version_is_answered_and_echoed"),
                         ("old_versions_refused", "test_every_published_version_is_answered_and_echoed"),
                         ("unlisted_version_is_latest", "test_a_date_outside_the_published_list"),
                         ("old_version_writes_ledger", "test_operations_a_version_lacks")],
    "test_13_docs_disagreements": [("non_uuid_id_found", "test_a_path_id_that_is_not_a_uuid")],
}
