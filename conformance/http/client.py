"""The scenarios' HTTP client: Monite's headers by default, any of them removable or wrong.

Defaults follow the documented contract (all seeds): `x-monite-version`, `x-monite-entity-id`
and `Authorization: Bearer <token>`. Each call can drop or replace one of them, so a scenario
can say exactly what it breaks. 429s are paced (`conformance.http.pacing`), a 401 on a fetched
token refreshes it once, and every exchange is kept, redacted, for failure messages.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import Any

import httpx

from conformance.http.auth import BearerAuth, TokenProvider
from conformance.http.exchange import Exchange
from conformance.http.pacing import send_paced, send_unpaced
from conformance.target.targets import Target


class _Default:
    def __repr__(self) -> str:
        return "DEFAULT"


DEFAULT: Any = _Default()
OMIT: Any = None  # pass as entity_id/version/token to send the request without that header


class MoniteClient:
    def __init__(self, target: Target, tokens: TokenProvider, http: httpx.Client | None = None,
                 entity_id: str | None = None, sleep: Callable[[float], None] = time.sleep) -> None:
        self.target = target
        self.tokens = tokens
        self.http = http or target.http_client()
        self.entity_id = entity_id or target.entity_id
        self.sleep = sleep  # how it waits out a 429's Retry-After
        self.exchanges: deque[Exchange] = deque(maxlen=50)

    def for_entity(self, entity_id: str) -> "MoniteClient":
        """The same client acting for another entity (shares connection, tokens and log)."""
        other = MoniteClient(self.target, self.tokens, self.http, entity_id, self.sleep)
        other.exchanges = self.exchanges
        return other

    def waiting_with(self, sleep: Callable[[float], None]) -> "MoniteClient":
        """The same client waiting out 429s with `sleep` (on the emulator: advancing its clock)."""
        other = self.for_entity(self.entity_id)
        other.sleep = sleep
        return other

    def request(self, method: str, path: str, *, params: Any = None, json: Any = DEFAULT,
                content: bytes | str | None = None, headers: dict[str, str] | None = None,
                entity_id: Any = DEFAULT, version: Any = DEFAULT, token: Any = DEFAULT,
                paced: bool = True) -> httpx.Response:
        """Send `method path` (relative to /v1) with Monite's headers unless told otherwise."""

        def build_headers() -> dict[str, str]:
            sent: dict[str, str] = {}
            chosen_version = self.target.api_version if version is DEFAULT else version
            if chosen_version is not None:
                sent["x-monite-version"] = chosen_version
            chosen_entity = self.entity_id if entity_id is DEFAULT else entity_id
            if chosen_entity is not None:
                sent["x-monite-entity-id"] = chosen_entity
            if token is not DEFAULT and token is not None:
                sent["authorization"] = f"Bearer {token}"
            sent.update(headers or {})
            return sent

        def send() -> httpx.Response:
            kwargs: dict[str, Any] = {"params": params, "headers": build_headers()}
            if token is DEFAULT:
                kwargs["auth"] = BearerAuth(self.tokens)
            if content is not None:
                kwargs["content"] = content
            elif json is not DEFAULT:
                kwargs["json"] = json
            return self.http.request(method, f"{self.target.base_url}{path}", **kwargs)

        response = send_paced(send, self.sleep) if paced else send_unpaced(send)
        self.exchanges.append(Exchange.from_response(response))
        return response

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", path, **kwargs)

    def last(self) -> str:
        """The last exchange, described for an assertion message."""
        return self.exchanges[-1].describe() if self.exchanges else "(no request sent)"
