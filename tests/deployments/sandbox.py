"""A deployment that looks like Monite's sandbox to the suite: no control plane, an entity with data.

The suite's first user points it at an entity that already has a live accounting connection and
ledger accounts (issue 9). This builds that from the emulator: `create_app` with the settings of
`monite_emulator/settings.py` (credentials from MONITE_CLIENT_ID / MONITE_CLIENT_SECRET, else the
emulator's defaults), the control plane removed so `/_emulator...` answers exactly like any
unknown path (the emulator's own 404, also for a wrong method), and both entities seeded through
the model in-process before anything is served. The harness may use the emulator's internals;
the suite under test only ever sees the HTTP API.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI

from monite_emulator.app import create_app
from monite_emulator.http.middleware import MoniteMiddleware
from monite_emulator.model.emulator import Emulator
from monite_emulator.settings import EmulatorSettings

# The entity of the docs' examples (seeds 000, 001, 003, 004) and the suite's second entity
# (conformance/target.py uses the same two on the emulator).
ENTITY_ID = "9d2b4c8f-2087-4738-ba91-7359683c49a4"
OTHER_ENTITY_ID = "4f3a7c1e-6b2d-4e8a-9c0f-1a2b3c4d5e6f"
# The lifecycle entity (README "Run against the sandbox", issue 16): no connection at all, the
# entity a QA engineer names in MONITE_LIFECYCLE_ENTITY_ID for the run to connect and disconnect in.
LIFECYCLE_ENTITY_ID = "b7e1d2c3-4a5f-4e6d-8c7b-9a0f1e2d3c4b"
CONTROL_PREFIX = "/_emulator"
# The documented default: 30 requests per second per API client (docs: api/concepts/rate-limiting).
REALISTIC_RATE_LIMIT = 30
# High enough that a test run never waits: the project's own tests use it to stay fast.
UNLIMITED_RATE = 100_000
# What the deployments advertise by default: above the suite's own pacing (the documented 30/s),
# so the run never waits on a 429, and low enough for the suite's bounded 429 probe (issue 16).
SANDBOX_RATE_LIMIT = 60


@dataclass(frozen=True)
class EntitySeed:
    """What one entity holds before the run: one connected connection and what it synced."""

    entity_id: str
    records_per_type: int
    tax_rates: int
    ledger_accounts: int
    platform: str = "xero"


SEEDS = (
    # Enough for several pages at the limits the suite tries, 12 ledger accounts (issue 9).
    EntitySeed(ENTITY_ID, records_per_type=30, tax_rates=12, ledger_accounts=12),
    EntitySeed(OTHER_ENTITY_ID, records_per_type=10, tax_rates=6, ledger_accounts=6, platform="quickbooks_online"),
)

Variant = Callable[[FastAPI], Any]  # the hidden emulator app -> the ASGI app to serve


@dataclass
class Deployment:
    """A sandbox-like target ready to serve: the outer ASGI app and the emulator behind it."""

    name: str
    app: Any  # what is served: the variant around the hidden emulator
    emulator: Emulator  # in-process access for the harness (snapshots), never for the suite
    settings: EmulatorSettings
    entity_ids: tuple[str, ...] = field(default=(ENTITY_ID, OTHER_ENTITY_ID, LIFECYCLE_ENTITY_ID))


def hide_control_plane(app: FastAPI) -> FastAPI:
    """Remove `/_emulator...` from the app, so the emulator answers it as an unknown path (A9).

    The routes go from the router and from the table MoniteMiddleware routes by (404/405), which
    it reads when the middleware stack is built, on the first request: call this before serving.
    """
    if app.middleware_stack is not None:
        raise RuntimeError("hide the control plane before the app has served a request")
    app.router.routes[:] = [r for r in app.router.routes
                            if not str(getattr(r, "path", "")).startswith(CONTROL_PREFIX)]
    for middleware in app.user_middleware:
        if middleware.cls is MoniteMiddleware:
            table = middleware.kwargs["route_table"]
            table.routes[:] = [route for route in table.routes if not route.template.startswith(CONTROL_PREFIX)]
    return app


def seed(emulator: Emulator, public_base_url: str, seeds: tuple[EntitySeed, ...] = SEEDS) -> None:
    """Give each entity a connected connection and synced records, tax rates and ledger accounts."""
    for entity in seeds:
        emulator.seed(entity.entity_id, entity.records_per_type, entity.tax_rates, entity.ledger_accounts,
                      public_base_url, entity.platform)


def build(name: str, variant: Variant, *, rate_limit: int = UNLIMITED_RATE,
          public_base_url: str = "http://127.0.0.1") -> Deployment:
    """The emulator without control plane behind `variant`, seeded like a sandbox entity.

    The variant is applied before seeding, so one that changes the model (millisecond
    timestamps, say) shapes the seeded data too.
    """
    settings = EmulatorSettings(rate_limit_per_second=rate_limit, public_base_url=public_base_url)
    inner = hide_control_plane(create_app(settings))
    emulator: Emulator = inner.state.emulator
    outer = variant(inner)
    seed(emulator, public_base_url)
    return Deployment(name=name, app=outer, emulator=emulator, settings=settings)
