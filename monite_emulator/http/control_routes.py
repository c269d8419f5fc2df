"""The control plane under /_emulator/ (emulator only; not in the OpenAPI document).

Each route parses its request and calls one model operation (`monite_emulator.model.emulator`);
the state changes themselves live in the model, where the pytest fixture calls them too.

| call | does |
|---|---|
| GET  /_emulator | identifies the emulator and lists these calls |
| POST /_emulator/reset | empty state, real clock, the configured rate limit and fault rules |
| POST /_emulator/entities/{entity_id}/seed | {"records_per_type": 30, "tax_rates": 12, "ledger_accounts": 12}: a connected connection plus synced data; returns the connection |
| POST /_emulator/connections/{id}/authorize | pending_auth/deauthorized -> connected |
| POST /_emulator/connections/{id}/deauthorize | -> deauthorized |
| GET  /_emulator/connect/{id} | what connection_url points at: the entity user completes authorization |
| POST /_emulator/jobs/run | run every queued sync and push job now; {"ran": n} |
| PUT  /_emulator/rate_limit | {"per_second": n} |
| PUT  /_emulator/clock | {"now": date-time} or {"advance_seconds": s}; DELETE returns to the real clock |
| POST /_emulator/faults | add a fault rule (monite_emulator/README.md, "Fault rules"); 201 with the rule |
| GET  /_emulator/faults | the rules, with how often each fired |
| DELETE /_emulator/faults, /_emulator/faults/{id} | remove every rule, or one |
| GET  /_emulator/state | everything, or ?entity_id= one entity's |
"""

from __future__ import annotations

import html
from typing import Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field

from monite_emulator import __version__
from monite_emulator.model import ids
from monite_emulator.model.clock import parse_datetime
from monite_emulator.model.emulator import Emulator
from monite_emulator.model.errors import Invalid, NotFound

router = APIRouter(prefix="/_emulator", include_in_schema=False)

CALLS = [
    {"method": "GET", "path": "/_emulator", "does": "identify the emulator and list the calls"},
    {"method": "POST", "path": "/_emulator/reset",
     "does": "empty state, real clock, the configured rate limit and fault rules"},
    {"method": "POST", "path": "/_emulator/entities/{entity_id}/seed",
     "body": {"records_per_type": 30, "tax_rates": 12, "ledger_accounts": 12},
     "does": "a connected connection and synced data for the entity; returns the connection"},
    {"method": "POST", "path": "/_emulator/connections/{connection_id}/authorize", "does": "-> connected"},
    {"method": "POST", "path": "/_emulator/connections/{connection_id}/deauthorize", "does": "-> deauthorized"},
    {"method": "GET", "path": "/_emulator/connect/{connection_id}",
     "does": "the connection_url: the entity user completes authorization"},
    {"method": "POST", "path": "/_emulator/jobs/run", "does": "run every queued sync and push job now"},
    {"method": "PUT", "path": "/_emulator/rate_limit", "body": {"per_second": 30}, "does": "set the rate limit"},
    {"method": "PUT", "path": "/_emulator/clock", "body": {"now": "2024-05-25T10:00:00Z", "advance_seconds": 60},
     "does": "set or advance the clock (one of the two fields)"},
    {"method": "DELETE", "path": "/_emulator/clock", "does": "back to the real clock"},
    {"method": "POST", "path": "/_emulator/faults",
     "body": {"operation": "getLedgerAccount", "status": 503, "times": 1},
     "does": "add a fault rule (kinds: status, delay, drop, sync_error, deauthorize, push_error)"},
    {"method": "GET", "path": "/_emulator/faults", "does": "list the fault rules and how often each fired"},
    {"method": "DELETE", "path": "/_emulator/faults", "does": "remove every fault rule"},
    {"method": "DELETE", "path": "/_emulator/faults/{fault_id}", "does": "remove one fault rule"},
    {"method": "GET", "path": "/_emulator/state", "query": {"entity_id": "uuid (optional)"},
     "does": "inspect state"},
]


def _emu(request: Request) -> Emulator:
    return request.app.state.emulator


def _base_url(request: Request) -> str:
    emu = _emu(request)
    return emu.settings.public_base_url or str(request.base_url)


class SeedRequest(BaseModel):
    records_per_type: int = Field(30, ge=0, le=5000)
    tax_rates: int = Field(12, ge=0, le=1000)
    ledger_accounts: int = Field(12, ge=0, le=1000)
    platform: str = Field("xero", pattern="^(xero|quickbooks_online|quickbooks_online_sandbox|quickbooks)$")


class RateLimitRequest(BaseModel):
    per_second: int = Field(ge=1, le=1_000_000)


class ClockRequest(BaseModel):
    now: str | None = None
    advance_seconds: float | None = Field(None, ge=-10 * 365 * 86400, le=10 * 365 * 86400)


@router.get("")
async def describe(request: Request) -> Any:
    emu = _emu(request)
    return {
        "emulator": "monite-accounting",
        "version": __version__,
        "api_versions": ["2023-09-01", "2024-01-31", "2024-05-25"],
        "client_id": emu.settings.client_id,
        "calls": CALLS,
    }


@router.post("/reset")
async def reset(request: Request) -> Any:
    _emu(request).reset()
    return {"reset": True}


@router.post("/entities/{entity_id}/seed")
async def seed(request: Request, entity_id: str, body: SeedRequest | None = Body(None)) -> Any:
    eid = ids.normalize(entity_id)
    if eid is None:
        raise Invalid(["path", "entity_id"], "Input should be a valid UUID", "uuid_parsing")
    body = body or SeedRequest()
    return _emu(request).seed(eid, body.records_per_type, body.tax_rates, body.ledger_accounts,
                              _base_url(request), body.platform)


@router.post("/connections/{connection_id}/authorize")
async def authorize(request: Request, connection_id: str) -> Any:
    return _emu(request).authorize(connection_id)


@router.post("/connections/{connection_id}/deauthorize")
async def deauthorize(request: Request, connection_id: str) -> Any:
    return _emu(request).deauthorize(connection_id)


@router.get("/connect/{connection_id}")
async def connect(request: Request, connection_id: str) -> Any:
    """A23: the connection_url. The entity user 'completes authorization' by opening it."""
    connection = _emu(request).authorize(connection_id)
    if "text/html" in request.headers.get("accept", "") and "json" not in request.headers.get("accept", ""):
        name = html.escape(connection["platform"])
        return HTMLResponse(
            "<!doctype html><html><head><title>Connected</title></head><body>"
            f"<h1 id=\"status\">{html.escape(connection['status'])}</h1>"
            f"<p>The emulated {name} account is now connected to Monite (connection "
            f"<code id=\"connection-id\">{html.escape(connection['id'])}</code>). You can close this page.</p>"
            "</body></html>"
        )
    return connection


@router.post("/jobs/run")
async def run_jobs(request: Request) -> Any:
    return {"ran": _emu(request).run_all_jobs()}


@router.put("/rate_limit")
async def set_rate_limit(request: Request, body: RateLimitRequest) -> Any:
    return {"per_second": _emu(request).set_rate_limit(body.per_second)}


@router.put("/clock")
async def set_clock(request: Request, body: ClockRequest) -> Any:
    emu = _emu(request)
    if (body.now is None) == (body.advance_seconds is None):
        raise Invalid(["body"], "Send exactly one of 'now' and 'advance_seconds'", "value_error")
    if body.now is not None:
        try:
            when = parse_datetime(body.now)
        except (ValueError, OverflowError):
            raise Invalid(["body", "now"], "Input should be a valid datetime", "datetime_parsing") from None
        return emu.set_clock(when)
    return emu.advance_clock(float(body.advance_seconds or 0))


@router.delete("/clock")
async def real_clock(request: Request) -> Any:
    return _emu(request).real_clock()


@router.post("/faults", status_code=201)
async def add_fault(request: Request, body: dict[str, Any] = Body(...)) -> Any:
    """A fault rule; the model validates it (a bad field is a 422 naming it)."""
    return _emu(request).add_fault(body)


@router.get("/faults")
async def list_faults(request: Request) -> Any:
    return {"faults": _emu(request).list_faults()}


@router.delete("/faults")
async def clear_faults(request: Request) -> Any:
    return {"cleared": _emu(request).clear_faults()}


@router.delete("/faults/{fault_id}")
async def remove_fault(request: Request, fault_id: str) -> Any:
    return _emu(request).remove_fault(fault_id)


@router.get("/state")
async def state(request: Request, entity_id: str | None = None) -> Any:
    eid = None
    if entity_id is not None:
        eid = ids.normalize(entity_id)
        if eid is None:
            raise NotFound("Unknown entity id")
    return JSONResponse(_emu(request).state(eid))
