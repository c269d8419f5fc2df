"""The 16 operations under /v1 (documented facts; choices cite assumption ids).

Routes are ``async``: they parse, call the model (short SQLite work, on the event loop) and
hand the result to ``respond``, the one place a resource leaves the emulator.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse, Response

from monite_emulator.http import schemas as s
from monite_emulator.http.deps import Entity, VersionHeader, bearer, get_emulator
from monite_emulator.http.params import (
    paging_params, parse_simple_list, parse_synced_records, synced_record_params,
)
from monite_emulator.model import ledger_accounts as ledger_model
from monite_emulator.model import tax_rates as tax_model
from monite_emulator.model.connections import DEFAULT_PLATFORM


def _err(description: str) -> dict[str, Any]:
    return {"model": s.ErrorSchemaResponse, "description": description}


COMMON: dict[int | str, dict[str, Any]] = {
    400: _err("Missing or unsupported x-monite-version (A1)"),
    401: _err("Missing, invalid or expired bearer token (A2)"),
    403: _err("The token may not act on this entity (A3)"),
    405: _err("Method not allowed (A9)"),
    429: _err("Rate limit exceeded; see Retry-After (A17)"),
    500: _err("Internal server error"),
}
BODY = {413: _err("Request body over 1 MiB (A18)")}
NOT_FOUND = {404: _err("Unknown id (A7)")}
CONFLICT = {409: _err("The request conflicts with the current state (A5/A6/A10/A15)")}
PAGE_TOKEN_NOTE = "A malformed, tampered or foreign pagination_token is a 422 (A8)."

router = APIRouter(prefix="/v1")
SECURED = [Depends(bearer)]  # the bearer scheme in the OpenAPI document; the middleware authenticates

# The spec's operationIds (spec/monite-accounting.yaml) of the emulator's operations, whose own
# ids follow Monite's published API; fault rules may name either.
SPEC_OPERATION_IDS = {
    "post_auth_token": "createAccessToken",
    "get_accounting_connections": "listAccountingConnections",
    "post_accounting_connections": "createAccountingConnection",
    "get_accounting_connections_id": "getAccountingConnection",
    "post_accounting_connections_id_disconnect": "disconnectAccountingConnection",
    "post_accounting_connections_id_sync": "syncAccountingConnection",
    "get_accounting_synced_records": "listSyncedRecords",
    "get_accounting_synced_records_id": "getSyncedRecord",
    "post_accounting_synced_records_id_push": "pushSyncedRecord",
    "get_accounting_tax_rates": "listTaxRates",
    "get_accounting_tax_rates_id": "getTaxRate",
    "get_ledger_accounts": "listLedgerAccounts",
    "post_ledger_accounts": "createLedgerAccount",
    "get_ledger_accounts_id": "getLedgerAccount",
    "patch_ledger_accounts_id": "updateLedgerAccount",
    "delete_ledger_accounts_id": "deleteLedgerAccount",
}


def respond(version: str, resource: str, data: Any, status: int = 200) -> JSONResponse:
    """The one call site where a resource (``resource`` names its kind, e.g. ``ledger_account``
    or ``ledger_account_page``) is presented for the request's API ``version``."""
    return JSONResponse(data, status_code=status)


def _base_url(request: Request) -> str:
    emu = get_emulator(request)
    return emu.settings.public_base_url or str(request.base_url)


# --- auth ---------------------------------------------------------------------------------
@router.post("/auth/token", response_model=s.TokenResponse, tags=["Access tokens"],
             operation_id="post_auth_token", responses={**{k: v for k, v in COMMON.items() if k != 403}, **BODY})
async def post_auth_token(request: Request, x_monite_version: VersionHeader, body: s.TokenRequest) -> Any:
    """Issue an access token for client credentials (A20, A24: no entity header needed)."""
    emu = get_emulator(request)
    data = emu.issue_token(
        body.client_id, body.client_secret, body.grant_type,
        str(body.entity_user_id) if body.entity_user_id else None,
        str(body.entity_id) if body.entity_id else None,
    )
    return respond(x_monite_version, "access_token", data)


# --- accounting connections -------------------------------------------------------------
@router.get("/accounting_connections", response_model=s.AccountingConnectionList,
            tags=["Accounting connections"], dependencies=SECURED, operation_id="get_accounting_connections", responses=COMMON)
async def get_accounting_connections(ctx: Entity) -> Any:
    ctx.authorize()
    return respond(ctx.version, "accounting_connection_list", ctx.emulator.list_connections(ctx.entity_id))


@router.post("/accounting_connections", status_code=201, response_model=s.AccountingConnection,
             tags=["Accounting connections"], dependencies=SECURED, operation_id="post_accounting_connections",
             responses={**COMMON, **BODY, **CONFLICT})
async def post_accounting_connections(request: Request, ctx: Entity,
                                body: s.AccountingConnectionRequest | None = Body(None)) -> Any:
    ctx.authorize()
    platform = body.platform.value if body and body.platform else DEFAULT_PLATFORM  # A11
    return respond(ctx.version, "accounting_connection",
                   ctx.emulator.create_connection(ctx.entity_id, platform, _base_url(request)), 201)


@router.get("/accounting_connections/{connection_id}", response_model=s.AccountingConnection,
            tags=["Accounting connections"], dependencies=SECURED, operation_id="get_accounting_connections_id",
            responses={**COMMON, **NOT_FOUND})
async def get_accounting_connection(connection_id: str, ctx: Entity) -> Any:
    ctx.authorize()
    return respond(ctx.version, "accounting_connection", ctx.emulator.get_connection(ctx.entity_id, connection_id))


@router.post("/accounting_connections/{connection_id}/disconnect", response_model=s.AccountingConnection,
             tags=["Accounting connections"], dependencies=SECURED, operation_id="post_accounting_connections_id_disconnect",
             responses={**COMMON, **NOT_FOUND})
async def disconnect_accounting_connection(connection_id: str, ctx: Entity) -> Any:
    ctx.authorize()
    return respond(ctx.version, "accounting_connection", ctx.emulator.disconnect(ctx.entity_id, connection_id))


@router.post("/accounting_connections/{connection_id}/sync", status_code=202, response_model=s.SyncAccepted,
             tags=["Accounting connections"], dependencies=SECURED, operation_id="post_accounting_connections_id_sync",
             responses={**COMMON, **NOT_FOUND, **CONFLICT})
async def sync_accounting_connection(connection_id: str, ctx: Entity) -> Any:
    ctx.authorize()
    return respond(ctx.version, "sync_accepted", ctx.emulator.sync(ctx.entity_id, connection_id), 202)


# --- synced records ----------------------------------------------------------------------
@router.get("/accounting_synced_records", response_model=s.SyncRecordPage, tags=["Accounting synced records"],
            dependencies=SECURED, operation_id="get_accounting_synced_records", responses=COMMON,
            description=PAGE_TOKEN_NOTE, openapi_extra={"parameters": synced_record_params()})
async def get_synced_records(request: Request, ctx: Entity) -> Any:
    query, limit = parse_synced_records(request.query_params, ctx.emulator.codec, ctx.entity_id)
    ctx.authorize()
    return respond(ctx.version, "synced_record_page", ctx.emulator.list_synced_records(ctx.entity_id, query, limit))


@router.get("/accounting_synced_records/{synced_record_id}", response_model=s.SyncRecord,
            tags=["Accounting synced records"], dependencies=SECURED, operation_id="get_accounting_synced_records_id",
            responses={**COMMON, **NOT_FOUND})
async def get_synced_record(synced_record_id: str, ctx: Entity) -> Any:
    ctx.authorize()
    return respond(ctx.version, "synced_record", ctx.emulator.get_synced_record(ctx.entity_id, synced_record_id))


@router.post("/accounting_synced_records/{synced_record_id}/push", response_model=s.SyncRecord,
             tags=["Accounting synced records"], dependencies=SECURED, operation_id="post_accounting_synced_records_id_push",
             responses={**COMMON, **NOT_FOUND, **CONFLICT})
async def push_synced_record(synced_record_id: str, ctx: Entity) -> Any:
    ctx.authorize()
    return respond(ctx.version, "synced_record", ctx.emulator.push(ctx.entity_id, synced_record_id))  # A16: 200


# --- tax rates -----------------------------------------------------------------------------
@router.get("/accounting_tax_rates", response_model=s.AccountingTaxRatePage, tags=["Accounting tax rates"],
            dependencies=SECURED, operation_id="get_accounting_tax_rates", responses=COMMON, description=PAGE_TOKEN_NOTE,
            openapi_extra={"parameters": paging_params(tax_model.SORTS, "name")})
async def get_tax_rates(request: Request, ctx: Entity) -> Any:
    query, limit = parse_simple_list(request.query_params, ctx.emulator.codec, ctx.entity_id,
                                     "tax_rates", tax_model.SORTS, "name")
    ctx.authorize()
    return respond(ctx.version, "tax_rate_page", ctx.emulator.list_tax_rates(ctx.entity_id, query, limit))


@router.get("/accounting_tax_rates/{tax_rate_id}", response_model=s.AccountingTaxRate,
            tags=["Accounting tax rates"], dependencies=SECURED, operation_id="get_accounting_tax_rates_id",
            responses={**COMMON, **NOT_FOUND})
async def get_tax_rate(tax_rate_id: str, ctx: Entity) -> Any:
    ctx.authorize()
    return respond(ctx.version, "tax_rate", ctx.emulator.get_tax_rate(ctx.entity_id, tax_rate_id))


# --- ledger accounts -------------------------------------------------------------------------
@router.get("/ledger_accounts", response_model=s.LedgerAccountPage, tags=["Ledger accounts"],
            dependencies=SECURED, operation_id="get_ledger_accounts", responses=COMMON, description=PAGE_TOKEN_NOTE,
            openapi_extra={"parameters": paging_params(ledger_model.SORTS, "name")})
async def get_ledger_accounts(request: Request, ctx: Entity) -> Any:
    query, limit = parse_simple_list(request.query_params, ctx.emulator.codec, ctx.entity_id,
                                     "ledger_accounts", ledger_model.SORTS, "name")
    ctx.authorize()
    return respond(ctx.version, "ledger_account_page", ctx.emulator.list_ledger_accounts(ctx.entity_id, query, limit))


@router.post("/ledger_accounts", status_code=201, response_model=s.LedgerAccount, tags=["Ledger accounts"],
             dependencies=SECURED, operation_id="post_ledger_accounts", responses={**COMMON, **BODY})
async def post_ledger_account(ctx: Entity, body: s.LedgerAccountCreate) -> Any:
    ctx.authorize()
    # A25: 201 Created; A21: the defaults of an API-created account.
    return respond(ctx.version, "ledger_account", ctx.emulator.create_ledger_account(ctx.entity_id, body.model_dump()), 201)


@router.get("/ledger_accounts/{ledger_account_id}", response_model=s.LedgerAccount, tags=["Ledger accounts"],
            dependencies=SECURED, operation_id="get_ledger_accounts_id", responses={**COMMON, **NOT_FOUND})
async def get_ledger_account(ledger_account_id: str, ctx: Entity) -> Any:
    ctx.authorize()
    return respond(ctx.version, "ledger_account", ctx.emulator.get_ledger_account(ctx.entity_id, ledger_account_id))


@router.patch("/ledger_accounts/{ledger_account_id}", response_model=s.LedgerAccount, tags=["Ledger accounts"],
              dependencies=SECURED, operation_id="patch_ledger_accounts_id", responses={**COMMON, **BODY, **NOT_FOUND})
async def patch_ledger_account(ledger_account_id: str, ctx: Entity, body: s.LedgerAccountUpdate) -> Any:
    ctx.authorize()
    fields = body.model_dump(exclude_unset=True)  # A19: {} is a valid PATCH
    return respond(ctx.version, "ledger_account",
                   ctx.emulator.patch_ledger_account(ctx.entity_id, ledger_account_id, fields))


@router.delete("/ledger_accounts/{ledger_account_id}", status_code=204, response_class=Response,
               tags=["Ledger accounts"], dependencies=SECURED, operation_id="delete_ledger_accounts_id",
               responses={**COMMON, **NOT_FOUND, **CONFLICT})
async def delete_ledger_account(ledger_account_id: str, ctx: Entity) -> Response:
    ctx.authorize()
    ctx.emulator.delete_ledger_account(ctx.entity_id, ledger_account_id)  # A10
    return Response(status_code=204)
