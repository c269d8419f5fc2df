"""Pydantic models: request bodies (validated) and response shapes (documentation)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field, field_validator, model_validator


class ErrorSchema(BaseModel):
    message: str
    type: str | None = None


class ErrorSchemaResponse(BaseModel):
    error: ErrorSchema


# --- auth ---------------------------------------------------------------------------------
class TokenRequest(BaseModel):
    grant_type: Literal["client_credentials", "entity_user"]
    client_id: str = Field(max_length=256)
    client_secret: str = Field(max_length=1024)
    entity_user_id: UUID | None = None
    entity_id: UUID | None = Field(
        None, description="Emulator extension (A26): the entity an entity-user token is bound to."
    )

    @model_validator(mode="after")
    def _entity_user_needs_id(self) -> "TokenRequest":
        if self.grant_type == "entity_user" and self.entity_user_id is None:
            raise ValueError("entity_user_id is required for grant_type entity_user")
        return self


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "Bearer"
    expires_in: int


# --- connections --------------------------------------------------------------------------
class Platform(str, Enum):
    xero = "xero"
    quickbooks_online = "quickbooks_online"
    quickbooks_online_sandbox = "quickbooks_online_sandbox"
    quickbooks = "quickbooks"


class ConnectionStatus(str, Enum):
    connected = "connected"
    disconnected = "disconnected"
    deauthorized = "deauthorized"
    pending_auth = "pending_auth"


class AccountingConnectionRequest(BaseModel):
    platform: Platform | None = None


class BusinessInfo(BaseModel):
    base_currency: str | None = None
    email: str | None = None
    legal_name: str | None = None
    name: str | None = None
    type: str | None = None


class ErrorMessage(BaseModel):
    message: str


class AccountingConnection(BaseModel):
    id: UUID
    created_at: datetime
    updated_at: datetime
    connection_url: str
    business_info: BusinessInfo | None = None
    errors: list[ErrorMessage] | None = None
    last_pull: datetime | None = None
    platform: str
    status: ConnectionStatus


class AccountingConnectionList(BaseModel):
    data: list[AccountingConnection]


class SyncAccepted(BaseModel):
    message: str


# --- synced records -----------------------------------------------------------------------
class ObjectType(str, Enum):
    product = "product"
    customer = "customer"
    vendor = "vendor"
    receivable = "receivable"
    bill = "bill"
    payment_record = "payment_record"


class SyncStatus(str, Enum):
    pending = "pending"
    error = "error"
    done = "done"


class SyncRecord(BaseModel):
    id: UUID
    created_at: datetime
    updated_at: datetime
    last_pulled_at: datetime | None = None
    object_type: ObjectType
    sync_status: SyncStatus
    errors: dict | None = None
    object_id: UUID | None = None
    object_updated_at: datetime | None = None
    platform: str | None = None
    platform_object_id: str | None = None
    platform_updated_at: datetime | None = None
    provider: str | None = None
    provider_object_id: str | None = None
    provider_updated_at: datetime | None = None


class SyncRecordPage(BaseModel):
    data: list[SyncRecord]
    next_pagination_token: str | None = None
    prev_pagination_token: str | None = None


# --- tax rates ----------------------------------------------------------------------------
class TaxComponent(BaseModel):
    is_compound: bool
    name: str | None = None
    rate: int


class AccountingTaxRate(BaseModel):
    id: UUID
    created_at: datetime
    updated_at: datetime
    code: str | None = None
    components: list[TaxComponent] | None = None
    description: str | None = None
    effective_tax_rate: int | None = None
    is_external: bool = True
    name: str | None = None
    status: str | None = None
    total_tax_rate: int | None = None


class AccountingTaxRatePage(BaseModel):
    data: list[AccountingTaxRate]
    next_pagination_token: str | None = None
    prev_pagination_token: str | None = None


# --- ledger accounts ----------------------------------------------------------------------
class LedgerAccountCreate(BaseModel):
    name: str | None = Field(None, max_length=500)
    nominal_code: str | None = Field(None, max_length=500)
    description: str | None = Field(None, max_length=2048)

    @field_validator("name", "nominal_code", "description", mode="before")
    @classmethod
    def _sent_fields_are_strings(cls, value: object) -> object:
        # The docs give these fields as strings: an omitted one is null (A21), a sent null is invalid (422).
        if value is None:
            raise ValueError("must be a string, not null")
        return value


class LedgerAccountUpdate(LedgerAccountCreate):
    pass


class LedgerAccount(BaseModel):
    id: UUID
    created_at: datetime
    updated_at: datetime
    is_bank_account: bool
    status: str
    type: str
    currency: str | None = None
    current_balance: int | None = None
    description: str | None = None
    is_external: bool = False
    name: str | None = None
    nominal_code: str | None = None
    subtype: str | None = None


class LedgerAccountPage(BaseModel):
    data: list[LedgerAccount]
    next_pagination_token: str | None = None
    prev_pagination_token: str | None = None
