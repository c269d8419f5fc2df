"""Each Monite check can fail, for its one reason, and only then.

Two kinds of proof: the check functions on crafted responses (fast, every failure mode), and
the shipped property tests run against broken variants of the emulator
(`tests/faults/check_faults.py`), each of which must make exactly its check fail.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
import requests
import schemathesis
from schemathesis import Case, CheckContext, Response
from schemathesis.config import ChecksConfig

from conformance.http.auth import TokenProvider
from conformance.checks import (
    monite_entity_id_echoed,
    monite_error_body_shape,
    monite_next_page_continues,
    monite_page_within_limit,
    monite_rate_limit_headers,
    monite_request_id_unique,
    monite_timestamps_utc,
    monite_version_echoed,
)
from conformance.checks.headers import RecentIds
from conformance.checks.pagination import order_problem, overlap_problem
from conformance.checks.timestamps import timestamp_fields, timestamp_problem
from conformance.target.control import EmulatorControl
from conformance.config import DEFAULT_SEED, RunConfig
from conformance.property.arrange import fresh_seeded_entity
from conformance.property.sending import CaseSender
from conformance.property.compat import Failure, run_phase
from conformance.property.profiles import PROFILES
from conformance.property.schema import BearerToken
from conformance.property.profiles import schemathesis_config
from conformance.openapi.files import load_spec
from conformance.openapi.files import spec_path
from conformance.target.targets import open_target
from tests.faults import check_faults
from tests.faults.run_suite import run_suite

ENTITY = "9d2b4c8f-2087-4738-ba91-7359683c49a4"
VERSION = "2024-05-25"
ORIGIN = "http://emulator.local/v1"
SCHEMA = schemathesis.openapi.from_path(spec_path())
CONTEXT = CheckContext(override=None, auth=None, headers=None, config=ChecksConfig(), transport_kwargs=None,
                       response_checks=None)


def case_for(operation_id: str, **kwargs: Any) -> Case:
    return SCHEMA.find_operation_by_id(operation_id).Case(**kwargs)


def good_headers() -> dict[str, str]:
    return {
        "content-type": "application/json",
        "x-request-id": str(uuid.uuid4()),
        "x-monite-version": VERSION,
        "x-monite-entity-id": ENTITY,
        "RateLimit-Limit": "30",
        "RateLimit-Remaining": "29",
        "RateLimit-Reset": "1",
        "X-RateLimit-Limit-Second": "30",
        "X-RateLimit-Remaining-Second": "29",
    }


def answer(status: int = 200, body: Any = None, headers: dict[str, str | None] | None = None,
           method: str = "GET", path: str = "/ledger_accounts", query: str = "",
           request_headers: dict[str, str] | None = None) -> Response:
    """A response as schemathesis hands it to checks; `None` in `headers` removes a header."""
    merged: dict[str, str | None] = {**good_headers(), **(headers or {})}
    sent = {"x-monite-version": VERSION, "x-monite-entity-id": ENTITY, **(request_headers or {})}
    url = f"{ORIGIN}{path}" + (f"?{query}" if query else "")
    request = requests.Request(method, url, headers={k: v for k, v in sent.items() if v is not None}).prepare()
    content = b"" if body is None else json.dumps(body).encode()
    return Response(status_code=status, headers={k.lower(): [v] for k, v in merged.items() if v is not None},
                    content=content, request=request, elapsed=0.01, verify=True)


def ledger_account(name: str | None = "Cash", **fields: Any) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "created_at": "2024-06-03T09:30:00Z", "updated_at": "2024-06-03T09:30:00.5Z",
            "is_bank_account": False, "status": "Active", "type": "Asset", "is_external": False, "name": name,
            **fields}


def fails(check: Any, response: Response, case: Case, source: str) -> str:
    with pytest.raises(AssertionError) as error:
        check(CONTEXT, response, case)
    assert source in str(error.value), "the message must cite the documented source"
    return str(error.value)


LIST_LEDGER = case_for("listLedgerAccounts")


# --- x-monite-version echoed ------------------------------------------------------------------
def test_version_echo_passes_when_echoed() -> None:
    assert monite_version_echoed(CONTEXT, answer(), LIST_LEDGER) is None


@pytest.mark.parametrize("echoed", [None, "2024-01-31"])
def test_version_echo_fails_when_missing_or_different(echoed: str | None) -> None:
    message = fails(monite_version_echoed, answer(headers={"x-monite-version": echoed}), LIST_LEDGER,
                    "docs: api/concepts/http-headers")
    assert "2024-05-25" in message


def test_version_echo_not_judged_without_a_usable_version() -> None:
    version_error = {"error": {"type": "unsupported_api_version", "message": "no"}}
    assert monite_version_echoed(CONTEXT, answer(400, version_error, headers={"x-monite-version": None},
                                                 request_headers={"x-monite-version": "1999-01-01"}),
                                 LIST_LEDGER) is True
    assert monite_version_echoed(CONTEXT, answer(headers={"x-monite-version": None},
                                                 request_headers={"x-monite-version": None}), LIST_LEDGER) is True


# --- x-request-id present and unique ----------------------------------------------------------
def test_request_id_passes_for_fresh_ids() -> None:
    assert monite_request_id_unique(CONTEXT, answer(), LIST_LEDGER) is None
    assert monite_request_id_unique(CONTEXT, answer(), LIST_LEDGER) is None


@pytest.mark.parametrize("value", [None, " "])
def test_request_id_fails_when_missing_or_blank(value: str | None) -> None:
    fails(monite_request_id_unique, answer(headers={"x-request-id": value}), LIST_LEDGER,
          "docs: api/concepts/http-headers")


def test_request_id_fails_when_repeated() -> None:
    repeated = f"req-{uuid.uuid4()}"
    first = answer(headers={"x-request-id": repeated})
    assert monite_request_id_unique(CONTEXT, first, LIST_LEDGER) is None
    assert monite_request_id_unique(CONTEXT, first, LIST_LEDGER) is None, "re-checking one response is no repeat"
    message = fails(monite_request_id_unique, answer(headers={"x-request-id": repeated}), LIST_LEDGER,
                    "docs: api/concepts/http-headers")
    assert repeated in message


def test_recent_ids_forget_the_oldest() -> None:
    ids = RecentIds(capacity=2)
    assert not ids.seen_elsewhere("a", 1)
    assert not ids.seen_elsewhere("b", 2)
    assert not ids.seen_elsewhere("c", 3)
    assert not ids.seen_elsewhere("a", 4), "the oldest id was forgotten"
    assert ids.seen_elsewhere("c", 5)


# --- error bodies -----------------------------------------------------------------------------
@pytest.mark.parametrize("status, body", [
    (404, {"error": {"message": "Ledger account not found"}}),
    (400, {"error": {"type": "missing_api_version", "message": "Missing"}}),
    (422, {"detail": [{"loc": ["query", "limit"], "msg": "too big", "type": "less_than_equal"}]}),
    (422, {"detail": [{"loc": ["body", 0, "name"], "msg": "bad", "type": "string_type"}]}),
])
def test_error_body_passes_documented_shapes(status: int, body: Any) -> None:
    assert monite_error_body_shape(CONTEXT, answer(status, body), LIST_LEDGER) is None


@pytest.mark.parametrize("status, body, problem", [
    (404, {"message": "flat"}, "no `error` object"),
    (500, None, "no `error` object"),
    (409, {"error": {"msg": "x"}}, "`error.message` is not a string"),
    (422, {"error": {"message": "x"}}, "no `detail` list"),
    (422, {"detail": [{"loc": "query", "msg": "x", "type": "t"}]}, "loc is not a list"),
    (422, {"detail": [{"loc": ["query", True], "msg": "x", "type": "t"}]}, "loc is not a list"),
    (422, {"detail": [{"loc": ["query"], "type": "t"}]}, "msg is not a string"),
])
def test_error_body_fails_other_shapes(status: int, body: Any, problem: str) -> None:
    message = fails(monite_error_body_shape, answer(status, body), LIST_LEDGER, "docs: api/concepts/overview")
    assert problem in message


def test_error_body_not_judged_for_success_or_head() -> None:
    assert monite_error_body_shape(CONTEXT, answer(200, {"data": []}), LIST_LEDGER) is True
    assert monite_error_body_shape(CONTEXT, answer(405, None, method="HEAD"), LIST_LEDGER) is True


# --- rate-limit headers -----------------------------------------------------------------------
def test_rate_limit_headers_pass() -> None:
    assert monite_rate_limit_headers(CONTEXT, answer(), LIST_LEDGER) is None
    too_many = answer(429, {"error": {"message": "slow down"}}, headers={"Retry-After": "1"})
    assert monite_rate_limit_headers(CONTEXT, too_many, LIST_LEDGER) is None


@pytest.mark.parametrize("headers", [
    {"RateLimit-Remaining": None},
    {"X-RateLimit-Limit-Second": None},
    {"RateLimit-Reset": "soon"},
])
def test_rate_limit_headers_fail_when_missing_or_not_integers(headers: dict[str, str | None]) -> None:
    fails(monite_rate_limit_headers, answer(headers=headers), LIST_LEDGER, "docs: api/concepts/rate-limiting")


@pytest.mark.parametrize("retry_after", [None, "later"])
def test_rate_limit_429_needs_retry_after(retry_after: str | None) -> None:
    fails(monite_rate_limit_headers, answer(429, {"error": {"message": "x"}}, headers={"Retry-After": retry_after}),
          LIST_LEDGER, "docs: api/concepts/rate-limiting")


# --- x-monite-entity-id echoed ----------------------------------------------------------------
def test_entity_echo_passes_and_ignores_case() -> None:
    assert monite_entity_id_echoed(CONTEXT, answer(), LIST_LEDGER) is None
    upper = answer(headers={"x-monite-entity-id": ENTITY.upper()})
    assert monite_entity_id_echoed(CONTEXT, upper, LIST_LEDGER) is None


@pytest.mark.parametrize("echoed", [None, "4f3a7c1e-6b2d-4e8a-9c0f-1a2b3c4d5e6f"])
def test_entity_echo_fails(echoed: str | None) -> None:
    fails(monite_entity_id_echoed, answer(headers={"x-monite-entity-id": echoed}), LIST_LEDGER,
          "docs: api/concepts/http-headers")


def test_entity_echo_not_judged_for_malformed_ids() -> None:
    garbage = answer(headers={"x-monite-entity-id": None}, request_headers={"x-monite-entity-id": "not-a-uuid"})
    assert monite_entity_id_echoed(CONTEXT, garbage, LIST_LEDGER) is True


# --- timestamps -------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["2024-06-03T09:30:00Z", "2024-06-03T09:30:00.123456Z",
                                   "2024-06-03T09:30:00.250+00:00"])
def test_utc_timestamps_pass(value: str) -> None:
    assert timestamp_problem(value) is None


@pytest.mark.parametrize("value, problem", [
    ("2024-06-03T11:30:00+02:00", "not UTC"),
    ("2024-06-03T09:30:00", "followed by Z"),
    ("2024-06-03 09:30:00Z", "followed by Z"),
    ("2024-02-30T09:30:00Z", "not a valid calendar"),
])
def test_other_timestamps_fail(value: str, problem: str) -> None:
    assert problem in (timestamp_problem(value) or "")


def test_timestamp_check_reads_the_spec_fields() -> None:
    assert {"created_at", "updated_at", "last_pull", "last_pulled_at"} <= timestamp_fields()
    good = answer(body={"data": [ledger_account()], "next_pagination_token": None, "prev_pagination_token": None})
    assert monite_timestamps_utc(CONTEXT, good, LIST_LEDGER) is None
    local = ledger_account(updated_at="2024-06-03T11:30:00+02:00")
    message = fails(monite_timestamps_utc, answer(body={"data": [local]}), LIST_LEDGER, "docs: reference/base-concepts")
    assert "data[0].updated_at" in message


# --- page length ------------------------------------------------------------------------------
def page(items: list[dict], next_token: str | None = None) -> dict[str, Any]:
    return {"data": items, "next_pagination_token": next_token, "prev_pagination_token": None}


def test_page_within_limit_passes() -> None:
    two = answer(body=page([ledger_account(), ledger_account()]), query="limit=2")
    assert monite_page_within_limit(CONTEXT, two, LIST_LEDGER) is None
    assert monite_page_within_limit(CONTEXT, answer(404, {"error": {"message": "x"}}), LIST_LEDGER) is True
    not_paginated = case_for("listAccountingConnections")
    assert monite_page_within_limit(CONTEXT, answer(body={"data": []}), not_paginated) is True


def test_page_over_limit_fails() -> None:
    three = answer(body=page([ledger_account() for _ in range(3)]), query="limit=2")
    message = fails(monite_page_within_limit, three, LIST_LEDGER, "seed 003")
    assert "limit=2" in message and "3 items" in message


def test_page_without_limit_is_bounded_by_250() -> None:
    many = answer(body=page([ledger_account() for _ in range(251)]))
    fails(monite_page_within_limit, many, LIST_LEDGER, "seed 003")


# --- next page: pure rules ----------------------------------------------------------------------
def test_overlap_of_an_unchanged_item_is_a_problem() -> None:
    first = [ledger_account("A"), ledger_account("B")]
    assert overlap_problem(first, [first[-1], ledger_account("C")]) is not None
    assert overlap_problem(first, [ledger_account("C")]) is None
    changed = dict(first[-1], updated_at="2024-06-03T10:00:00Z")
    assert overlap_problem(first, [changed]) is None, "an item changed between the requests may move"


def test_order_across_pages() -> None:
    first = [ledger_account("A"), ledger_account("B")]
    assert order_problem(first, [ledger_account("C"), ledger_account("D")], "name", "asc") is None
    assert order_problem(first, [ledger_account("D"), ledger_account("C")], "name", "asc") is not None
    assert order_problem(first, [ledger_account("A")], "name", "desc") is not None
    assert order_problem(first, [ledger_account(None)], "name", "asc") is not None, "null sorts as '' (A22)"
    mixed_case = [ledger_account("apple")]
    assert order_problem(mixed_case, [ledger_account("Banana")], "name", "asc") is None, "collation is undocumented"
    assert order_problem([ledger_account("b")], [ledger_account("A")], "name", "asc") is not None
    early = [dict(ledger_account(), created_at="2024-06-03T09:30:00.900Z")]
    late = [dict(ledger_account(), created_at="2024-06-03T09:30:01Z")]
    assert order_problem(early, late, "created_at", "asc") is None, "timestamps compare as instants"


# --- next page: the check, with its follow-up request, against an in-process app ---------------
def _emulator_case(app: Any, query: dict[str, Any]) -> tuple[Case, Response]:
    from starlette.testclient import TestClient

    with TestClient(app, base_url="http://emulator.local") as client:
        client.post("/_emulator/reset")
        client.post(f"/_emulator/entities/{ENTITY}/seed", json={"ledger_accounts": 6})
        token = client.post("/v1/auth/token", headers={"x-monite-version": VERSION}, json={
            "grant_type": "client_credentials", "client_id": "5e7c0a1b-2c3d-4e5f-8a9b-0c1d2e3f4a5b",
            "client_secret": "emulator-secret"}).json()["access_token"]
    schema = schemathesis.openapi.from_path(spec_path(), config=schemathesis.Config.from_dict({"base-url": ORIGIN}))
    schema.app = app
    case = schema.find_operation_by_id("listLedgerAccounts").Case(
        query=query, headers={"x-monite-version": VERSION, "x-monite-entity-id": ENTITY,
                              "Authorization": f"Bearer {token}"})
    return case, case.call()


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_next_page_check_follows_the_token_on_the_clean_emulator(order: str) -> None:
    case, first = _emulator_case(check_faults.clean(), {"limit": 2, "order": order})
    assert json.loads(first.content)["next_pagination_token"]
    assert monite_next_page_continues(CONTEXT, first, case) is None


@pytest.mark.parametrize("variant", ["next_page_overlaps", "next_page_reversed"])
def test_next_page_check_fails_on_a_broken_continuation(variant: str) -> None:
    case, first = _emulator_case(getattr(check_faults, variant)(), {"limit": 2, "sort": "name"})
    fails(monite_next_page_continues, first, case, "seed 003")


def test_next_page_check_fails_when_the_token_is_refused() -> None:
    from tests.faults.rewrite import rewrite_responses

    def refuse_tokens(answer: Any) -> None:
        if b"pagination_token" in answer.scope.get("query_string", b""):
            answer.status = 422
            answer.set_json({"detail": [{"loc": ["query", "pagination_token"], "msg": "bad", "type": "value_error"}]})

    case, first = _emulator_case(rewrite_responses(check_faults.clean(), refuse_tokens), {"limit": 2})
    message = fails(monite_next_page_continues, first, case, "seed 003")
    assert "answered 422" in message


# --- the property tests against each broken variant ---------------------------------------------
# Small on purpose: the spec examples of two lists and one read, and their coverage phase
# (limits 1, 2 and 250: pages with and without a next token; 4xx answers of every kind).
SELECTED = tuple((phase, operation_id) for phase in ("examples", "coverage")
                 for operation_id in ("listLedgerAccounts", "listTaxRates", "getLedgerAccount"))
SELECTION = ("-k", "test_examples or test_coverage", "--monite-only", "listLedgerAccounts,listTaxRates,getLedgerAccount")


def failure_titles_of(error: BaseException) -> set[str]:
    """The titles of the check failures inside what a property run raised; anything else re-raised."""
    if isinstance(error, Failure):
        return {error.title}
    if isinstance(error, BaseExceptionGroup):
        return set().union(*(failure_titles_of(inner) for inner in error.exceptions))
    raise error


def failures_against(variant: str) -> set[str]:
    """Run SELECTED, as the property tests do, against a variant; the titles of what failed.

    In-process (one target per variant, same schema, sender, checks and entity arrangement as
    `conformance/suite/property`), so that all variants cost seconds, not a subprocess each.
    """
    titles: set[str] = set()
    config = RunConfig(target=f"asgi:tests.faults.check_faults:{variant}")
    with open_target(config) as target, target.http_client() as http:
        tokens, control = TokenProvider(target, http), EmulatorControl(http)
        sender = CaseSender(target, tokens)
        schemas = {}
        for phase in ("examples", "coverage"):
            settings = schemathesis_config(PROFILES["quick"], phase, DEFAULT_SEED, base_url=target.base_url)
            schemas[phase] = schemathesis.openapi.from_dict(load_spec(), config=settings)
            schemas[phase].app = target.app
            schemas[phase].auth(refresh_interval=None)(BearerToken)
        for phase, operation_id in SELECTED:
            fresh_seeded_entity(control, tokens, target.entity_id)
            try:
                run_phase(schemas[phase], operation_id, sender.send_and_validate)
            except BaseException as error:  # noqa: BLE001 - a check failure, or re-raised
                titles |= failure_titles_of(error)
    return titles


def test_the_selection_passes_on_the_clean_emulator() -> None:
    assert failures_against("clean") == set()


@pytest.mark.parametrize("variant", sorted(check_faults.EXPECTED))
def test_each_broken_variant_fails_its_check_and_no_other(variant: str) -> None:
    check, related = check_faults.EXPECTED[variant]
    titles = failures_against(variant)
    assert f"Custom check failed: `{check}`" in titles
    unrelated = titles - {f"Custom check failed: `{check}`"} - related
    assert not unrelated, f"{variant} also failed {unrelated}"


FAILURE_TITLE = re.compile(r"^[\s|+]*- ST\d+ (.+?)(?: \(\d+ violations\))?\s*$", re.MULTILINE)


LEAKED_SECRET = re.compile(r'"access_token":\s*"(?!\[)|Bearer (?!\[)[A-Za-z0-9._~+/=-]{8,}|emulator-secret')


def test_the_shipped_suite_reports_a_broken_variant_through_pytest_without_secrets() -> None:
    """The same proof end to end, once: `pytest --pyargs conformance.suite` in a subprocess.

    Its failures include an /auth/token answer (a token in the body, the client secret in the
    curl): neither the console nor junit.xml may show them.
    """
    result = run_suite("asgi:tests.faults.check_faults:version_not_echoed", "-m", "property", *SELECTION,
                       "--monite-only", "createAccessToken")
    titles = {title for text in result.failed.values() for title in FAILURE_TITLE.findall(text)}
    assert result.returncode == 1, result.output[-3000:]
    assert titles == {"Custom check failed: `monite_version_echoed`"}, result.output[-3000:]
    assert any("access_token" in text for text in result.failed.values()), "the token answer was not shown"
    for text in [result.output, *result.failed.values()]:
        assert not LEAKED_SECRET.search(text), LEAKED_SECRET.search(text)
