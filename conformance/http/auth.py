"""Bearer tokens for the suite: a given token, or one fetched with client credentials.

Tokens are cached until shortly before they expire and fetched again on expiry or when the
target answers 401 (`BearerAuth`, an `httpx.Auth`); every token is registered with
`redaction` before anyone can print it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator

import httpx

from conformance.errors import TargetUnreachable
from conformance.http.pacing import send_paced
from conformance.redaction import register_secret
from conformance.target.targets import Target

# Fetch a new token this many seconds before the old one expires.
EXPIRY_MARGIN_SECONDS = 30


class TokenProvider:
    def __init__(self, target: Target, http: httpx.Client | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._target = target
        self._http = http
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = target.token
        self._expires_at: float | None = None  # monotonic; None = never (a given token)

    def token(self) -> str:
        with self._lock:
            if self._token is None or (self._expires_at is not None and self._clock() >= self._expires_at):
                self._fetch()
            assert self._token is not None
            return self._token

    @property
    def can_refresh(self) -> bool:
        """Whether a rejected token can be replaced (client credentials, not a given token)."""
        return bool(self._target.client_id and self._target.client_secret)

    def invalidate(self) -> None:
        """Forget a token the target rejected, so the next call fetches a new one."""
        with self._lock:
            if self.can_refresh:
                self._token = None

    def _fetch(self) -> None:
        target = self._target
        if not (target.client_id and target.client_secret):
            raise TargetUnreachable("no token and no client credentials to fetch one")
        http = self._http or target.http_client()
        try:
            # Paced: /auth/token is rate limited too (docs: api/concepts/rate-limiting).
            response = send_paced(lambda: http.post(
                f"{target.base_url}/auth/token",
                headers={"x-monite-version": target.api_version},
                json={"grant_type": "client_credentials", "client_id": target.client_id,
                      "client_secret": target.client_secret},
            ))
        except httpx.HTTPError as exc:
            raise TargetUnreachable(f"{target.origin} did not answer /auth/token: {type(exc).__name__}") from None
        finally:
            if self._http is None:
                http.close()
        if response.status_code != 200:
            raise TargetUnreachable(f"/auth/token refused the client credentials (HTTP {response.status_code})")
        body = response.json()
        token = body.get("access_token")
        if not isinstance(token, str) or not token:
            raise TargetUnreachable("/auth/token answered 200 without an access_token")
        register_secret(token)
        self._token = token
        expires_in = body.get("expires_in")
        lifetime = float(expires_in) if isinstance(expires_in, (int, float)) else 1800.0
        self._expires_at = self._clock() + max(lifetime - EXPIRY_MARGIN_SECONDS, 1.0)


class BearerAuth(httpx.Auth):
    """`Authorization: Bearer <token>` from a TokenProvider; on a 401, one retry with a fresh token."""

    def __init__(self, tokens: TokenProvider) -> None:
        self.tokens = tokens

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["authorization"] = f"Bearer {self.tokens.token()}"
        response = yield request
        if response.status_code == 401 and self.tokens.can_refresh:
            self.tokens.invalidate()
            request.headers["authorization"] = f"Bearer {self.tokens.token()}"
            yield request


def api_headers(api_version: str, entity_id: str, token: str) -> dict[str, str]:
    """What every accounting request carries (all seeds): the version, the entity, the token."""
    return {"x-monite-version": api_version, "x-monite-entity-id": entity_id, "authorization": f"Bearer {token}"}
