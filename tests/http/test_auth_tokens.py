"""The suite's tokens: fetched with client credentials, refreshed on expiry, never shown.

Documented: tokens come from POST /auth/token with `expires_in` seconds
(docs: api/access-tokens/post-auth-token); the emulator's lifetime is 1800 s (A20).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conformance.http.auth import EXPIRY_MARGIN_SECONDS, TokenProvider
from conformance.http.client import MoniteClient
from conformance.target.control import EmulatorControl
from conformance.errors import TargetUnreachable
from conformance.redaction import MASK, redact
from conformance.config import RunConfig
from conformance.target.targets import Target, open_target

TOKEN_LIFETIME = 1800  # A20


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def target() -> Iterator[Target]:
    with open_target(RunConfig()) as opened:
        yield opened


def test_a_fetched_token_is_reused_until_shortly_before_it_expires(target: Target) -> None:
    clock = FakeClock()
    with target.http_client() as http:
        tokens = TokenProvider(target, http, clock=clock)
        first = tokens.token()
        clock.now += TOKEN_LIFETIME - EXPIRY_MARGIN_SECONDS - 1
        assert tokens.token() == first, "a token still valid for more than the margin was fetched again"
        clock.now += 1
        assert tokens.token() != first, "a token about to expire was not replaced"


def test_an_invalidated_token_is_fetched_again(target: Target) -> None:
    with target.http_client() as http:
        tokens = TokenProvider(target, http)
        first = tokens.token()
        tokens.invalidate()
        assert tokens.token() != first


def test_a_given_token_is_used_as_is_and_never_replaced(target: Target) -> None:
    given = Target(**{**target.__dict__, "token": "given-token-value", "client_id": None, "client_secret": None})
    tokens = TokenProvider(given)
    tokens.invalidate()
    assert tokens.token() == "given-token-value"


def test_fetched_tokens_are_redacted_everywhere(target: Target) -> None:
    with target.http_client() as http:
        token = TokenProvider(target, http).token()
    assert token not in redact(f"token={token} in a message")
    assert MASK in redact(f"token={token} in a message")


def test_wrong_client_credentials_are_reported_without_the_secret(target: Target) -> None:
    wrong = Target(**{**target.__dict__, "client_secret": "not-the-secret-123"})
    with wrong.http_client() as http, pytest.raises(TargetUnreachable) as refused:
        TokenProvider(wrong, http).token()
    assert "401" in str(refused.value)
    assert "not-the-secret-123" not in str(refused.value)


def test_the_client_refreshes_a_token_the_target_has_expired(target: Target) -> None:
    """The emulator's clock moves past the lifetime: the server rejects the cached token with
    401, and the client fetches a new one and repeats the request once."""
    with target.http_client() as http:
        control = EmulatorControl.discover(target, http)
        assert control is not None
        client = MoniteClient(target, TokenProvider(target, http), http)
        assert client.get("/ledger_accounts").status_code == 200
        control.advance_clock(TOKEN_LIFETIME + 1)
        try:
            response = client.get("/ledger_accounts")
        finally:
            control.real_clock()
        assert response.status_code == 200, client.last()
        assert [e.status_code for e in client.exchanges][-1] == 200
