"""API versions: which exist, and what each one presents of the one model.

The model keeps one state and one set of rules for every version; a version only changes what
the API shows of it. The documented differences (facts digest, "Ledger accounts"): version
2023-09-01's ledger account has no `created_at`, `updated_at`, `currency` or `is_external`, and
that version has no POST/PATCH/DELETE ledger-account operations. Versions the docs say nothing
about take the nearest documented shape (A29); a date outside the published list is refused by
the HTTP layer (A1); an operation the version lacks is a 405 there (A30).

Operations are named as the docs name them, "METHOD /path/{param}" without the `/v1` prefix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The published APIVersion enum (facts digest: "Environments, paths, versions"), oldest first.
PUBLISHED_VERSIONS: tuple[str, ...] = (
    "2022-11-16", "2023-02-07", "2023-03-01", "2023-03-14", "2023-04-12", "2023-06-04",
    "2023-09-01", "2024-01-31", "2024-05-25", "2025-06-23",
)

LEDGER_LIST = "GET /ledger_accounts"
LEDGER_CREATE = "POST /ledger_accounts"
LEDGER_GET = "GET /ledger_accounts/{ledger_account_id}"
LEDGER_UPDATE = "PATCH /ledger_accounts/{ledger_account_id}"
LEDGER_DELETE = "DELETE /ledger_accounts/{ledger_account_id}"

# The documented operations (the spec's 16).
OPERATIONS: tuple[str, ...] = (
    "POST /auth/token",
    "GET /accounting_connections", "POST /accounting_connections",
    "GET /accounting_connections/{connection_id}",
    "POST /accounting_connections/{connection_id}/disconnect",
    "POST /accounting_connections/{connection_id}/sync",
    "GET /accounting_synced_records", "GET /accounting_synced_records/{synced_record_id}",
    "POST /accounting_synced_records/{synced_record_id}/push",
    "GET /accounting_tax_rates", "GET /accounting_tax_rates/{tax_rate_id}",
    LEDGER_LIST, LEDGER_CREATE, LEDGER_GET, LEDGER_UPDATE, LEDGER_DELETE,
)

# What a successful response of an operation carries: (resource, a page of them or one).
RESOURCE_OF: dict[str, tuple[str, bool]] = {
    LEDGER_LIST: ("ledger_account", True),
    LEDGER_CREATE: ("ledger_account", False),
    LEDGER_GET: ("ledger_account", False),
    LEDGER_UPDATE: ("ledger_account", False),
}


@dataclass(frozen=True)
class Shape:
    """What a documented version leaves out of the full model."""

    version: str
    absent_operations: frozenset[str] = frozenset()
    absent_fields: tuple[tuple[str, frozenset[str]], ...] = ()  # (resource, fields)

    def lacks(self, resource: str) -> frozenset[str]:
        return next((fields for name, fields in self.absent_fields if name == resource), frozenset())


FULL = Shape("2024-05-25")  # the base: everything the model has
SHAPES: dict[str, Shape] = {
    # docs: v2023-09-01/api/ledger-accounts/get-ledger-accounts-id (facts digest: "Ledger accounts")
    "2023-09-01": Shape(
        "2023-09-01",
        absent_operations=frozenset({LEDGER_CREATE, LEDGER_UPDATE, LEDGER_DELETE}),
        absent_fields=(("ledger_account", frozenset({"created_at", "updated_at", "currency", "is_external"})),),
    ),
    FULL.version: FULL,
}


def is_published(version: str) -> bool:
    return version in PUBLISHED_VERSIONS


def shape_of(version: str) -> Shape:
    """A29: a documented version has its own shape; an older one the nearest documented shape
    at or after it; a newer one the nearest at or before it."""
    if version in SHAPES:
        return SHAPES[version]
    if version not in PUBLISHED_VERSIONS:
        raise ValueError(f"API version {version!r} is not published")
    if version < FULL.version:
        return SHAPES[min(date for date in SHAPES if date >= version)]
    return SHAPES[max(date for date in SHAPES if date <= version)]


def has_operation(version: str, operation: str) -> bool:
    return operation in OPERATIONS and operation not in shape_of(version).absent_operations


def operations_of(version: str) -> tuple[str, ...]:
    return tuple(op for op in OPERATIONS if has_operation(version, op))


def reshapes(version: str, operation: str) -> bool:
    """Whether `present` changes this operation's successful payloads for this version."""
    resource = RESOURCE_OF.get(operation)
    return resource is not None and bool(shape_of(version).lacks(resource[0]))


def present(version: str, operation: str, payload: Any) -> Any:
    """The successful payload of `operation` as `version` documents it (a new object)."""
    if not reshapes(version, operation) or not isinstance(payload, dict):
        return payload
    resource, is_page = RESOURCE_OF[operation]
    absent = shape_of(version).lacks(resource)

    def one(item: Any) -> Any:
        return {k: v for k, v in item.items() if k not in absent} if isinstance(item, dict) else item

    if is_page:
        return {**payload, "data": [one(item) for item in payload.get("data", [])]}
    return one(payload)
