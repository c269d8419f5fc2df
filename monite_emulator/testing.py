"""The emulator as a test double for services that call Monite (what the pytest fixtures yield).

``ServedEmulator`` serves the emulator over HTTP on loopback (uvicorn in a thread of the test
process, on a socket bound before it starts); ``AsgiEmulator`` keeps it in-process for httpx's
ASGI transport. Both expose where the API is (``base_url``, ending in ``/v1``), the
credentials it accepts, and the control surface a test needs: tokens, seeding, connection
lifecycle, jobs, clock, rate limit and fault rules. The helpers call the emulator's model
directly (the same operations the ``/_emulator`` control plane calls), so they cost no request.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from monite_emulator.model.clock import parse_datetime
from monite_emulator.model.emulator import Emulator
from monite_emulator.settings import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, EmulatorSettings

API_VERSION = "2024-05-25"
DEFAULT_ENTITY_ID = "9d2b4c8f-2087-4738-ba91-7359683c49a4"


def fixture_settings(**overrides: Any) -> EmulatorSettings:
    """Settings of the fixtures: the documented default credentials, whatever the environment says."""
    values: dict[str, Any] = {"client_id": DEFAULT_CLIENT_ID, "client_secret": DEFAULT_CLIENT_SECRET}
    values.update(overrides)
    return EmulatorSettings(**values)


class EmulatorHandle:
    """One emulator and its control surface. ``entity_id`` is a ready-made entity id (any uuid names
    an entity on the emulator, A4); ``api_version`` is the ``x-monite-version`` to send."""

    api_version = API_VERSION
    entity_id = DEFAULT_ENTITY_ID

    def __init__(self, app: Any, origin: str) -> None:
        self.app = app
        self.model: Emulator = app.state.emulator
        self.origin = origin
        self.base_url = f"{origin}/v1"
        self.client_id = self.model.settings.client_id
        self.client_secret = self.model.settings.client_secret

    # --- state ---------------------------------------------------------------------------
    def reset(self) -> None:
        """Empty state, real clock, default rate limit, no fault rules (done before every test)."""
        self.model.reset()

    def state(self, entity_id: str | None = None) -> dict[str, Any]:
        """Everything the emulator holds (or one entity's): connections, records, jobs, faults..."""
        return self.model.state(entity_id)

    # --- who calls -------------------------------------------------------------------------
    def partner_token(self) -> str:
        """A partner access token, as ``POST /v1/auth/token`` with client credentials gives it."""
        return self.model.issue_token(self.client_id, self.client_secret, "client_credentials", None, None)[
            "access_token"]

    def entity_user_token(self, entity_id: str | None = None, entity_user_id: str = DEFAULT_ENTITY_ID) -> str:
        """An entity-user token bound to ``entity_id`` (A26: it may act on that entity only)."""
        return self.model.issue_token(self.client_id, self.client_secret, "entity_user", entity_user_id,
                                      entity_id or self.entity_id)["access_token"]

    def headers(self, entity_id: str | None = None, token: str | None = None) -> dict[str, str]:
        """The three headers of an accounting call (a new partner token unless ``token`` is given)."""
        return {"x-monite-version": self.api_version, "x-monite-entity-id": entity_id or self.entity_id,
                "Authorization": f"Bearer {token or self.partner_token()}"}

    # --- arranging state ------------------------------------------------------------------------
    def seed_entity(self, entity_id: str | None = None, *, records_per_type: int = 30, tax_rates: int = 12,
                    ledger_accounts: int = 12, platform: str = "xero") -> dict[str, Any]:
        """A connected connection with synced records, tax rates and ledger accounts; returns the connection."""
        return self.model.seed(entity_id or self.entity_id, records_per_type, tax_rates, ledger_accounts,
                               self.model.settings.public_base_url or self.origin, platform)

    def authorize(self, connection_id: str) -> dict[str, Any]:
        """What the entity user does at ``connection_url``: the connection becomes ``connected``."""
        return self.model.authorize(connection_id)

    def deauthorize(self, connection_id: str) -> dict[str, Any]:
        """The platform revokes the authorization: the connection becomes ``deauthorized``."""
        return self.model.deauthorize(connection_id)

    def run_jobs(self) -> int:
        """Run every queued sync and push job now; how many ran."""
        return self.model.run_all_jobs()

    def set_clock(self, when: datetime | str) -> dict[str, Any]:
        return self.model.set_clock(parse_datetime(when) if isinstance(when, str) else when)

    def advance_clock(self, seconds: float) -> dict[str, Any]:
        """Move the emulator's clock (jobs fall due, tokens expire, rate-limit windows turn); the wall
        clock is untouched: a client waiting out a 429 can advance it instead of sleeping."""
        return self.model.advance_clock(seconds)

    def real_clock(self) -> dict[str, Any]:
        return self.model.real_clock()

    def set_rate_limit(self, per_second: int) -> None:
        self.model.set_rate_limit(per_second)

    # --- fault rules (monite_emulator/README.md, "Fault rules") -------------------------------------
    def add_fault(self, **rule: Any) -> dict[str, Any]:
        """Add a fault rule, e.g. ``add_fault(operation="getLedgerAccount", status=503)``; returns it with its id."""
        return self.model.add_fault(rule)

    def faults(self) -> list[dict[str, Any]]:
        """The rules, each with ``hits`` (how often it fired) and ``remaining``."""
        return self.model.list_faults()

    def remove_fault(self, rule_id: str) -> dict[str, Any]:
        return self.model.remove_fault(rule_id)

    def clear_faults(self) -> int:
        return self.model.clear_faults()


class ServedEmulator(EmulatorHandle):
    """The emulator over HTTP on loopback: any client (httpx, requests, Monite's SDK) reaches ``base_url``."""

    def __init__(self, app: Any, server: Any) -> None:
        super().__init__(app, server.origin)
        self._server = server

    @classmethod
    def start(cls, settings: EmulatorSettings | None = None) -> "ServedEmulator":
        from monite_emulator.app import create_app
        from monite_emulator.serve import ThreadedServer

        app = create_app(settings or fixture_settings())
        return cls(app, ThreadedServer(app).start())

    def stop(self) -> None:
        self._server.stop()

    def client(self, **kwargs: Any) -> httpx.Client:
        """An httpx client on ``base_url`` (relative paths: ``client.get("/ledger_accounts")``)."""
        return httpx.Client(base_url=self.base_url, **kwargs)

    def async_client(self, **kwargs: Any) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.base_url, **kwargs)


class AsgiEmulator(EmulatorHandle):
    """The emulator in-process, reached through httpx's ASGI transport (no socket, no thread)."""

    ORIGIN = "http://monite-emulator.local"

    @classmethod
    def create(cls, settings: EmulatorSettings | None = None) -> "AsgiEmulator":
        from monite_emulator.app import create_app

        return cls(create_app(settings or fixture_settings()), cls.ORIGIN)

    def transport(self) -> httpx.ASGITransport:
        """For ``httpx.AsyncClient(transport=emulator.transport(), base_url=emulator.base_url)``."""
        return httpx.ASGITransport(app=self.app)

    def async_client(self, **kwargs: Any) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=self.transport(), base_url=self.base_url, **kwargs)

    def client(self, **kwargs: Any) -> httpx.Client:
        """A synchronous httpx client in-process (Starlette's TestClient, an ``httpx.Client``)."""
        import warnings

        with warnings.catch_warnings():  # Starlette would rather see httpx2 installed; httpx works
            warnings.filterwarnings("ignore", message=".*httpx2")
            from starlette.testclient import TestClient

        return TestClient(self.app, base_url=self.base_url, **kwargs)
