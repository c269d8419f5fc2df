"""Application factory: ``create_app(settings)`` gives a fresh, isolated emulator."""

from __future__ import annotations

from fastapi import FastAPI

from monite_emulator import __version__
from monite_emulator.http import errors
from monite_emulator.http.middleware import MoniteMiddleware
from monite_emulator.http.routes import router
from monite_emulator.model.emulator import Emulator
from monite_emulator.settings import EmulatorSettings

DESCRIPTION = (
    "A local, stateful emulator of Monite's accounting-integration API. Every choice the "
    "documentation does not dictate is an assumption (A1..A26), listed in "
    "monite_emulator/assumptions.py. The control plane under /_emulator/ is not part of this document."
)


def create_app(settings: EmulatorSettings | None = None) -> FastAPI:
    settings = settings or EmulatorSettings()
    emulator = Emulator(settings)
    app = FastAPI(
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
    app.include_router(router)
    from monite_emulator.control import router as control_router

    app.include_router(control_router)
    table: list[tuple[str, set[str]]] = [(route.path, set(route.methods or ())) for route in router.routes]
    table += [(route.path, set(route.methods or ())) for route in control_router.routes]
    table += [("/openapi.json", {"GET"}), ("/docs", {"GET"}), ("/docs/oauth2-redirect", {"GET"})]
    app.add_middleware(MoniteMiddleware, emulator=emulator, route_table=table)
    return app
