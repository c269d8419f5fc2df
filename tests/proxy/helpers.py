"""Helpers of the proxy's tests: the emulator app they run, and a stand-in for a dependent
service that calls the API through the proxy (a module of its own, so tests and conftest
share one copy)."""

from __future__ import annotations

from typing import Any

import httpx

from conformance.proxy.server import RunningProxy
from conformance.proxy.fail_on import FailOn, exit_code
from monite_emulator.app import create_app
from monite_emulator.settings import EmulatorSettings

VERSION = "2024-05-25"
ENTITY = "9d2b4c8f-2087-4738-ba91-7359683c49a4"
CLIENT_ID = "5e7c0a1b-2c3d-4e5f-8a9b-0c1d2e3f4a5b"
# Distinctive, so a leak into a report is unmistakable (the redaction tests search for it).
CLIENT_SECRET = "cs-proxy-Hq7Vb2Nx9Lm4KtWz"


def emulator_app() -> Any:
    return create_app(EmulatorSettings(client_id=CLIENT_ID, client_secret=CLIENT_SECRET))


def seed(origin: str, entity: str = ENTITY, **counts: int) -> dict[str, Any]:
    """Data for `entity` through the emulator's control plane (not through the proxy)."""
    answer = httpx.post(f"{origin}/_emulator/entities/{entity}/seed", json=counts)
    answer.raise_for_status()
    return answer.json()


class Service:
    """A dependent service: it gets a token and calls the API at `base_url` with the documented headers."""

    def __init__(self, base_url: str, entity: str = ENTITY) -> None:
        self.base_url = base_url
        self.entity = entity
        self.http = httpx.Client(base_url=base_url, timeout=120)  # a hang guard, not a deadline
        self._token: str | None = None

    def token(self) -> str:
        if self._token is None:
            answer = self.http.post("/auth/token", headers={"x-monite-version": VERSION}, json={
                "grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})
            answer.raise_for_status()
            self._token = answer.json()["access_token"]
        return self._token

    def headers(self, without: tuple[str, ...] = (), **extra: str) -> dict[str, str]:
        headers = {"x-monite-version": VERSION, "x-monite-entity-id": self.entity,
                   "Authorization": f"Bearer {self.token()}"}
        headers.update({name.replace("_", "-"): value for name, value in extra.items()})
        return {name: value for name, value in headers.items() if name not in without}

    def call(self, method: str, path: str, *, without: tuple[str, ...] = (), headers: dict[str, str] | None = None,
             **kwargs: Any) -> httpx.Response:
        return self.http.request(method, path, headers=headers if headers is not None else self.headers(without),
                                 **kwargs)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.call("GET", path, **kwargs)


def rule_ids(proxy: RunningProxy, since: int = 0) -> list[str]:
    """Rule ids of the violations recorded from the `since`-th on."""
    return [item["rule"] for item in proxy.session.settled_traffic().violations[since:]]


def violation_count(proxy: RunningProxy) -> int:
    return len(proxy.session.settled_traffic().violations)


def exit_codes(proxy: RunningProxy) -> dict[str, int]:
    """The exit code the proxy would give under each --fail-on."""
    traffic = proxy.session.settled_traffic()
    return {choice.value: exit_code(traffic, choice) for choice in FailOn}
