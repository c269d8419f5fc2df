"""The emulator's control plane (`/_emulator/`), used only when the target has one.

Scenarios arrange state through it (seed data, authorize a connection, run sync jobs now,
move the clock, lower the rate limit). Against a target without it, `discover` returns None
and scenarios that need such state are skipped with the reason.
"""

from __future__ import annotations

from typing import Any

import httpx

from conformance.target.targets import Target

# An entity id no run creates: `state(NO_ENTITY)` is the emulator's settings without rows.
NO_ENTITY = "00000000-0000-0000-0000-000000000000"


class EmulatorControl:
    def __init__(self, http: httpx.Client) -> None:
        self.http = http

    @classmethod
    def discover(cls, target: Target, http: httpx.Client) -> "EmulatorControl | None":
        try:
            response = http.get("/_emulator")
        except httpx.HTTPError:
            return None
        if response.status_code == 200 and "emulator" in _json(response):
            return cls(http)
        return None

    def _call(self, method: str, path: str, json: Any = None) -> Any:
        response = self.http.request(method, f"/_emulator{path}", json=json)
        if response.status_code >= 400:
            raise RuntimeError(f"control plane {method} {path} -> {response.status_code}: {response.text[:300]}")
        return _json(response)

    def reset(self) -> None:
        self._call("POST", "/reset")

    def seed(self, entity_id: str, records_per_type: int = 30, tax_rates: int = 12,
             ledger_accounts: int = 12) -> dict:
        return self._call("POST", f"/entities/{entity_id}/seed", json={
            "records_per_type": records_per_type, "tax_rates": tax_rates, "ledger_accounts": ledger_accounts})

    def authorize(self, connection_id: str) -> dict:
        return self._call("POST", f"/connections/{connection_id}/authorize")

    def deauthorize(self, connection_id: str) -> dict:
        return self._call("POST", f"/connections/{connection_id}/deauthorize")

    def run_jobs(self) -> int:
        return int(self._call("POST", "/jobs/run").get("ran", 0))

    def set_rate_limit(self, per_second: int) -> None:
        self._call("PUT", "/rate_limit", json={"per_second": per_second})

    def set_clock(self, now: str) -> None:
        self._call("PUT", "/clock", json={"now": now})

    def advance_clock(self, seconds: float) -> None:
        self._call("PUT", "/clock", json={"advance_seconds": seconds})

    def real_clock(self) -> None:
        self._call("DELETE", "/clock")

    def state(self, entity_id: str | None = None) -> dict:
        return self._call("GET", "/state" + (f"?entity_id={entity_id}" if entity_id else ""))

    def rate_limit(self) -> int:
        """The emulator's requests per second: its settings with the state of no entity (the
        whole state, every row of every entity the run created, is not needed for one number)."""
        return int(self.state(NO_ENTITY).get("rate_limit_per_second", 10000))


def _json(response: httpx.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
