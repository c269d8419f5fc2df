"""The emulator benchmark's baseline: what a FastAPI user would write for `GET /v1/ledger_accounts/{id}`.

A separate app that shares no code with the emulator's serving or middleware: an `async def`
route on the same path with the same header parameters (`x-monite-version`,
`x-monite-entity-id` as a UUID, a bearer credential) and the same pydantic response model
(`monite_emulator.http.schemas.LedgerAccount`, the documented shape), built from a dict and
validated and serialised by FastAPI through `response_model`. `bench/emulator_bench.py` starts it
the way FastAPI users start an app: `python -m uvicorn plain_app:app`.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, FastAPI, Header
from fastapi.security import HTTPBearer

from monite_emulator.http.schemas import LedgerAccount

ACCOUNT = {
    "created_at": "2024-05-25T10:00:00Z", "updated_at": "2024-05-25T10:00:00Z",
    "is_bank_account": False, "status": "Active", "type": "Asset", "currency": "EUR",
    "current_balance": 0, "description": "Accounts Receivable (from the accounting system)",
    "is_external": True, "name": "Accounts Receivable", "nominal_code": "200", "subtype": "Current",
}

bearer = HTTPBearer(auto_error=False)
app = FastAPI()


@app.get("/v1/ledger_accounts/{ledger_account_id}", response_model=LedgerAccount)
async def get_ledger_account(
    ledger_account_id: str,
    x_monite_version: Annotated[str, Header(alias="x-monite-version")],
    x_monite_entity_id: Annotated[UUID, Header(alias="x-monite-entity-id")],
    _credentials: Annotated[object, Depends(bearer)] = None,
) -> Any:
    return LedgerAccount.model_validate(dict(ACCOUNT, id=ledger_account_id))
