"""9. Headers and auth: the version, token and entity headers a request needs, and what comes back.

Runs against any target, except the expired token: only the emulator's clock can be moved
past a token's lifetime (A20: 1800 s) without waiting half an hour.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from conformance.http.client import MoniteClient
from conformance.target.control import EmulatorControl
from conformance.expectations.kinds import Expectations
from conformance.redaction import register_secret
from conformance.suite.scenarios import catalogue
from conformance.suite.scenarios.arrange import (delete_ledger_account_if_present, require_control,
                                                 require_operations)
from conformance.suite.scenarios.cleanup import Cleanup
from conformance.target.targets import Target

# Footprint on a target without the control plane (conformance/commands/remote_workers.py): one read per test;
# a target may accept the unlabelled or oversized body (A25) and create an account.
pytestmark = [pytest.mark.scenario, pytest.mark.footprint(walks=(), changes=("ledger_accounts",))]

ENDPOINTS = [("/accounting_connections", {}), ("/accounting_synced_records", {"object_type": "product"}),
             ("/accounting_tax_rates", {}), ("/ledger_accounts", {})]
by_endpoint = pytest.mark.parametrize(("path", "params"), ENDPOINTS, ids=[path for path, _ in ENDPOINTS])
TOKEN_LIFETIME_SECONDS = 1800  # A20
# What the Authorization header says -> (token=, headers=) for MoniteClient.
BAD_CREDENTIALS: dict[str, tuple[Any, dict[str, str]]] = {
    "missing": (None, {}),
    "empty bearer": (None, {"authorization": "Bearer"}),
    "another scheme": (None, {"authorization": "Basic c2NlbmFyaW86c2NlbmFyaW8="}),
    "malformed token": ("not a token!", {}),
    "unknown token": ("eyJzY2VuYXJpbyI6InVua25vd24tdG9rZW4ifQ.c2NlbmFyaW8", {}),
}


def _error_body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


@by_endpoint
def test_missing_version(path: str, params: dict[str, Any], client: MoniteClient, check: Expectations) -> None:
    response = client.get(path, params=params, version=None)
    check.expect(response.status_code == 400, catalogue.MISSING_VERSION, f"answered {response.status_code}", response)
    error = _error_body(response)
    check.expect(error.get("type") == "missing_api_version" and isinstance(error.get("message"), str),
                 catalogue.MISSING_VERSION, f"the error is {error}", response)


@pytest.mark.assumption
@pytest.mark.parametrize("version", ["1999-01-01", "latest"])
def test_unknown_version(version: str, client: MoniteClient, check: Expectations) -> None:
    response = client.get("/ledger_accounts", version=version)
    check.expect(response.status_code == 400 and _error_body(response).get("type") == "unsupported_api_version",
                 catalogue.UNKNOWN_VERSION, f"x-monite-version {version!r} answered {response.status_code}", response)


@by_endpoint
@pytest.mark.parametrize("credential", list(BAD_CREDENTIALS))
def test_bad_token_is_refused(credential: str, path: str, params: dict[str, Any], client: MoniteClient,
                              check: Expectations) -> None:
    token, headers = BAD_CREDENTIALS[credential]
    response = client.get(path, params=params, token=token, headers=headers)
    _check_unauthorized(check, response, f"a {credential} token")


def _check_unauthorized(check: Expectations, response: httpx.Response, what: str) -> None:
    check.expect(400 <= response.status_code < 500, catalogue.TOKEN_REQUIRED, f"{what} answered {response.status_code}",
                 response)
    check.expect(response.status_code == 401, catalogue.BAD_TOKEN_401, f"{what} answered {response.status_code}", response)
    if response.status_code == 401:
        check.expect(isinstance(_error_body(response).get("message"), str), catalogue.ERROR_BODY,
                     f"the 401 body is {response.text[:200]!r}", response)


def _fresh_token(target: Target, http: httpx.Client) -> tuple[str, dict[str, Any]]:
    """A token of its own, so expiring it cannot disturb the suite's shared one."""
    response = http.post(f"{target.base_url}/auth/token", headers={"x-monite-version": target.api_version},
                         json={"grant_type": "client_credentials", "client_id": target.client_id,
                               "client_secret": target.client_secret})
    body = response.json() if response.status_code == 200 else {}
    token = body.get("access_token")
    register_secret(token)
    if not token:
        pytest.fail(f"POST /auth/token answered {response.status_code} without a token", pytrace=False)
    return token, body


@pytest.fixture
def moved_clock(emulator_control: EmulatorControl | None) -> Iterator[EmulatorControl]:
    """The control plane, with the emulator's clock put back to real time afterwards."""
    control = require_control(emulator_control, "move the clock past a token's lifetime")
    try:
        yield control
    finally:
        control.real_clock()


def test_expired_token_is_refused(moved_clock: EmulatorControl, monite_target: Target, monite_http: httpx.Client,
                                  client: MoniteClient, check: Expectations) -> None:
    if not (monite_target.client_id and monite_target.client_secret):
        pytest.skip("needs client credentials to fetch a token of its own")
    token, _ = _fresh_token(monite_target, monite_http)
    fresh = client.get("/ledger_accounts", token=token)
    check.expect(fresh.status_code == 200, catalogue.LIST_OK, f"a fresh token answered {fresh.status_code}", fresh)
    moved_clock.advance_clock(TOKEN_LIFETIME_SECONDS + 1)
    expired = client.get("/ledger_accounts", token=token)
    _check_unauthorized(check, expired, "an expired token")


def test_token_response(monite_target: Target, monite_http: httpx.Client, check: Expectations) -> None:
    """The token answer has the documented shape; how long the token lives is our choice (A20:
    the docs' examples show 1800 and 86400)."""
    if not (monite_target.client_id and monite_target.client_secret):
        pytest.skip("needs client credentials to fetch a token of its own")
    _, body = _fresh_token(monite_target, monite_http)
    expires_in = body.get("expires_in")
    check.expect(isinstance(body.get("access_token"), str) and body.get("token_type") == "Bearer"
                 and isinstance(expires_in, int) and not isinstance(expires_in, bool) and expires_in > 0,
                 catalogue.TOKEN_RESPONSE, f"the token answer has token_type {body.get('token_type')!r}, "
                                       f"expires_in {expires_in!r}")
    check.expect(expires_in == TOKEN_LIFETIME_SECONDS, catalogue.TOKEN_LIFETIME, f"expires_in is {expires_in!r}")


@pytest.mark.assumption
def test_unknown_path(client: MoniteClient, check: Expectations) -> None:
    """A path under /v1 that no documented operation has, asked with valid credentials."""
    response = client.get("/accounting_conformance_probe")
    check.expect(response.status_code == 404 and isinstance(_error_body(response).get("message"), str),
                 catalogue.UNKNOWN_PATH_404, f"GET of an unknown path answered {response.status_code}", response)


@pytest.mark.assumption
def test_body_without_json_content_type(client: MoniteClient, check: Expectations, cleanup: Cleanup) -> None:
    """A JSON body labelled text/plain: the docs say nothing of it (A25: 422, as FastAPI does)."""
    require_operations(client.target.api_version, "createLedgerAccount")
    body = json.dumps({"name": "conformance: not labelled as JSON"})
    response = client.post("/ledger_accounts", content=body, headers={"content-type": "text/plain"})
    if 200 <= response.status_code < 300:
        account_id = response.json().get("id")
        cleanup.add(f"delete ledger account {account_id}",
                    lambda: delete_ledger_account_if_present(client, account_id))
    check.expect(response.status_code == 422, catalogue.JSON_BODY_ONLY,
                 f"a JSON body sent as text/plain answered {response.status_code}", response)


@pytest.mark.assumption
def test_wrong_client_credentials(monite_target: Target, monite_http: httpx.Client, check: Expectations) -> None:
    response = monite_http.post(
        f"{monite_target.base_url}/auth/token", headers={"x-monite-version": monite_target.api_version},
        json={"grant_type": "client_credentials", "client_id": monite_target.client_id or str(uuid.uuid4()),
              "client_secret": "not-the-secret-of-this-client"})
    check.expect(response.status_code == 401, catalogue.WRONG_CREDENTIALS_401,
                 f"POST /auth/token with a wrong secret answered {response.status_code}", response)


@pytest.mark.assumption
def test_entity_user_token_acts_only_for_its_entity(emulator_control: EmulatorControl | None, monite_target: Target,
                                                      monite_http: httpx.Client, client: MoniteClient,
                                                      check: Expectations) -> None:
    """An entity user's token is bound to one entity; the partner token is not (docs:
    api/access-tokens/post-auth-token). Binding it uses the emulator's `entity_id` extension of
    the token request (A26), so this runs on the emulator only."""
    require_control(emulator_control, "bind an entity-user token to an entity (emulator extension, A26)")
    response = monite_http.post(
        f"{monite_target.base_url}/auth/token", headers={"x-monite-version": monite_target.api_version},
        json={"grant_type": "entity_user", "client_id": monite_target.client_id,
              "client_secret": monite_target.client_secret, "entity_user_id": str(uuid.uuid4()),
              "entity_id": client.entity_id})
    token = response.json().get("access_token") if response.status_code == 200 else None
    register_secret(token)
    if not token:
        pytest.fail(f"POST /auth/token (entity_user) answered {response.status_code} without a token", pytrace=False)
    own = client.get("/ledger_accounts", token=token)
    check.expect(own.status_code == 200, catalogue.LIST_OK, f"the token's own entity answered {own.status_code}", own)
    other = client.get("/ledger_accounts", token=token, entity_id=str(uuid.uuid4()))
    check.expect(other.status_code == 403 and isinstance(_error_body(other).get("message"), str),
                 catalogue.ENTITY_USER_FORBIDDEN, f"another entity answered {other.status_code}", other)


@pytest.mark.assumption
def test_oversized_body_is_refused(client: MoniteClient, check: Expectations, cleanup: Cleanup) -> None:
    require_operations(client.target.api_version, "createLedgerAccount")
    body = json.dumps({"name": "oversized", "description": "x" * (1024 * 1024)})
    response = client.post("/ledger_accounts", content=body, headers={"content-type": "application/json"})
    if 200 <= response.status_code < 300:
        account_id = response.json().get("id")
        cleanup.add(f"delete ledger account {account_id}",
                    lambda: delete_ledger_account_if_present(client, account_id))
    check.expect(400 <= response.status_code < 500, catalogue.LEDGER_MAX_LENGTHS,
                 f"a 1 MiB description answered {response.status_code}", response)
    check.expect(response.status_code == 413 and isinstance(_error_body(response).get("message"), str),
                 catalogue.BODY_TOO_LARGE, f"a body over 1 MiB answered {response.status_code}", response)


@by_endpoint
@pytest.mark.parametrize("entity", [None, "not-a-uuid"], ids=["missing", "malformed"])
def test_entity_header(entity: str | None, path: str, params: dict[str, Any], client: MoniteClient,
                       check: Expectations) -> None:
    rule = catalogue.ENTITY_HEADER_REQUIRED if entity is None else catalogue.ENTITY_HEADER_UUID
    response = client.get(path, params=params, entity_id=entity)
    check.expect(response.status_code == 422, rule, f"x-monite-entity-id={entity!r} answered {response.status_code}",
                 response)
    if response.status_code == 422:
        locs = [entry.get("loc", []) for entry in response.json().get("detail", [])]
        check.expect(any("x-monite-entity-id" in [str(part).lower() for part in loc] for loc in locs),
                     catalogue.VALIDATION_BODY, f"the 422 names {locs}, not x-monite-entity-id", response)


def test_response_headers(client: MoniteClient, check: Expectations) -> None:
    answers = {"a success": client.get("/ledger_accounts"),
               "an error": client.get(f"/ledger_accounts/{uuid.uuid4()}")}
    for what, response in answers.items():
        headers = response.headers
        check.expect(headers.get("x-monite-version") == client.target.api_version, catalogue.VERSION_ECHOED,
                     f"{what}: x-monite-version is {headers.get('x-monite-version')!r}", response)
        check.expect(headers.get("x-request-id"), catalogue.REQUEST_ID, f"{what} has no x-request-id", response)
        check.expect(headers.get("x-process-time"), catalogue.PROCESS_TIME, f"{what} has no x-process-time", response)
        check.expect(headers.get("x-monite-entity-id") == client.entity_id, catalogue.ENTITY_ECHOED,
                     f"{what}: x-monite-entity-id is {headers.get('x-monite-entity-id')!r}", response)
        missing = [name for name in catalogue.RATE_LIMIT_HEADERS if name not in headers]
        check.expect(not missing, catalogue.RATE_HEADERS, f"{what} lacks {missing}", response)
    request_ids = [response.headers.get("x-request-id") for response in answers.values()]
    check.expect(len(set(request_ids)) == len(request_ids), catalogue.REQUEST_ID, f"x-request-id repeats: {request_ids}")

