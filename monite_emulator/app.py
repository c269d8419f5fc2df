"""Application factory: ``create_app(settings)`` gives a fresh, isolated emulator."""

from __future__ import annotations

import weakref

from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from monite_emulator import __version__
from monite_emulator.http import errors
from monite_emulator.http.control_routes import router as control_router
from monite_emulator.http.direct import direct_routes
from monite_emulator.http.middleware import SERVER_REF, MoniteMiddleware
from monite_emulator.http.route_table import RouteTable
from monite_emulator.http.routes import SPEC_OPERATION_IDS, router
from monite_emulator.model.emulator import Emulator
from monite_emulator.settings import EmulatorSettings

DESCRIPTION = (
    "A local, stateful emulator of Monite's accounting-integration API. Every choice the "
    "documentation does not dictate is an assumption (A1..A26), listed in "
    "monite_emulator/assumptions.py. The control plane under /_emulator/ is not part of this document."
)


class EmulatorApp(FastAPI):
    """FastAPI that notes in the scope who sent the request (the server's object behind its
    ``send``): a fault rule that drops the connection needs the server's transport, which the
    middleware stack hides. A weak reference: the server's object holds the scope, so a strong
    one would make a reference cycle per request, left to the garbage collector."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            server = getattr(send, "__self__", None)
            if server is not None:
                try:
                    scope[SERVER_REF] = weakref.ref(server)
                except TypeError:  # an object without weak references: no drop over this server
                    pass
        await super().__call__(scope, receive, send)


def operation_ids() -> set[str]:
    """The operation ids a fault rule may name: Monite's (the routes') and the spec's."""
    return set(SPEC_OPERATION_IDS) | set(SPEC_OPERATION_IDS.values())


def create_app(settings: EmulatorSettings | None = None) -> EmulatorApp:
    settings = settings or EmulatorSettings()
    emulator = Emulator(settings, operations=operation_ids())
    app = EmulatorApp(
        title="Monite accounting API (emulator)",
        version=__version__,
        description=DESCRIPTION,
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
        servers=[{"url": "/"}],
    )
    app.state.emulator = emulator
    app.state.settings = settings
    errors.install(app)
    # The routes join the app's own list instead of being included: FastAPI then matches a
    # request in one pass over them (an included router costs a second scan, a fifth of the
    # time of a GET /v1/ledger_accounts/{id}), and their APIRoute objects, built once at
    # import, are shared by every app of the process (an app costs milliseconds, not a tenth
    # of a second). FastAPI's dependency_overrides do not reach them (the emulator uses none).
    app.router.routes.extend([*router.routes, *control_router.routes])
    table = RouteTable()  # every route the app answers, for the middleware's first step (404/405)
    table.add_routes(app.routes, SPEC_OPERATION_IDS)
    if table.operation_ids() != operation_ids():
        raise RuntimeError("every /v1 route needs its spec operationId in routes.SPEC_OPERATION_IDS")
    # The operations the middleware may call without FastAPI's per-request work (http/direct.py).
    app.add_middleware(MoniteMiddleware, emulator=emulator, route_table=table, direct=direct_routes(app.routes))
    return app
