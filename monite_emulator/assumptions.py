"""Every choice the documentation does not dictate, by id (docs/design.md, "Assumptions").

A1..A30 are the project's shared assumptions (docs/design.md); A25 onwards came from building the emulator
(reported to the lead so the spec and suite can adopt or label them). The code cites the ids
in comments where each is applied.
"""

from __future__ import annotations

from typing import NamedTuple


class Assumption(NamedTuple):
    id: str
    topic: str
    choice: str
    why: str
    where: str


ASSUMPTIONS: list[Assumption] = [
    Assumption("A1", "an API version outside the published list (a well-formed date or not)",
               '400 {"error": {"type": "unsupported_api_version", "message": ...}} listing the published versions',
               "mirrors the documented missing_api_version error; /v1's answer to other dates is undocumented",
               "http/middleware.py, model/versions.py"),
    Assumption("A2", "missing, malformed, unknown or expired bearer token", "401 error body",
               "seeds 001 and 004 list 401", "model/auth.py, http/middleware.py"),
    Assumption("A3", "a token that may not act on the entity", "403 error body",
               "seed 004 lists 403", "model/auth.py, http/deps.py"),
    Assumption("A4", "which entity ids exist", "any well-formed uuid names an entity; it exists implicitly",
               "the emulator has no entity API", "http/deps.py"),
    Assumption("A5", "a second active (pending_auth or connected) connection", "409 error body",
               "the docs say only one may be active, not the code", "model/connections.py, store.py"),
    Assumption("A6", "sync on a connection that is not connected; disconnect twice",
               "409 error body; disconnect of a disconnected connection is idempotent (200)",
               "a sync needs an authorized platform", "model/emulator.py, model/connections.py"),
    Assumption("A7", "an unknown id, or a path id that is not a uuid", "404 error body",
               "the seeds document path ids as plain strings (the published document's format uuid "
               "would give 422: docs disagreement D4)", "model/*.py get()"),
    Assumption("A8", "a malformed, tampered or foreign pagination token",
               '422 with loc ["query", "pagination_token"]', "it is invalid query input",
               "model/pagination.py"),
    Assumption("A9", "a wrong HTTP method; an unknown path",
               "405 with Allow and an error body; 404 error body", "HTTP semantics", "http/middleware.py"),
    Assumption("A10", "DELETE ledger account success; deleting an is_external account",
               "204 with no body; 409 error body", "external accounts belong to the accounting system",
               "model/ledger_accounts.py"),
    Assumption("A11", "POST /accounting_connections without a platform", "platform xero",
               "the first documented platform", "model/connections.py"),
    Assumption("A12", "tax rates and ledger accounts of an entity with no connection",
               "200 with an empty page; API-created ledger accounts need no connection",
               "lists of nothing are empty", "model/tax_rates.py, model/ledger_accounts.py"),
    Assumption("A13", "limit out of 1..250 or not an integer", "422",
               "the endpoint reference; the concepts page's 416 and 1..100 are observations",
               "http/params.py"),
    Assumption("A14", "default limit (schema 250, prose 100)", "250", "the schema default", "http/params.py"),
    Assumption("A15", "push on a record that is not error; push with no connected connection",
               "allowed (re-push, -> pending); 409 error body", "a push needs a platform",
               "model/synced_records.py"),
    Assumption("A16", "push success status", "200 with the record", "the docs show the record",
               "http/routes.py"),
    Assumption("A17", "rate-limit window and key",
               "per bearer token (else per client address), 1-second fixed window on the emulator's clock; "
               "default 10000/s, "
               "settable via PUT /_emulator/rate_limit", "the docs give per-second limits",
               "model/ratelimit.py, http/middleware.py"),
    Assumption("A18", "request body over 1 MiB; malformed JSON", "413 error body; 422",
               "common gateway limit; FastAPI shape", "http/middleware.py, http/errors.py"),
    Assumption("A19", "PATCH with an empty body ({})", "200; updated_at advances on every successful PATCH",
               "a PATCH is an update", "model/ledger_accounts.py"),
    Assumption("A20", "wrong client credentials at /auth/token; token lifetime",
               "401 error body; expires_in 1800", "docs examples show 1800", "model/auth.py"),
    Assumption("A21", "fields of a ledger account created through the API",
               'is_external false, status "Active", type "Unknown", is_bank_account false; '
               "omitted name, nominal_code, description, subtype, currency, current_balance are null",
               "only name/nominal_code/description can be sent", "model/ledger_accounts.py"),
    Assumption("A22", "default sort of tax rates and ledger accounts",
               'name; ties (and nulls, sorted as "") broken by id in the same direction',
               "seed 004 sorts ledger accounts by name", "model/tax_rates.py, model/ledger_accounts.py"),
    Assumption("A23", "connection_url", "GET /_emulator/connect/{id} on the emulator completes authorization",
               "the emulator plays the accounting platform", "model/connections.py, control.py"),
    Assumption("A24", "x-monite-entity-id on /auth/token", "not required there",
               "a token is not entity-scoped until used", "http/routes.py"),
    # --- the emulator's own additions ------------------------------------------------------
    Assumption("A25", "a JSON body sent without Content-Type application/json (or +json); "
               "a missing body on POST/PATCH /ledger_accounts",
               '422 {"detail": [...]} (FastAPI strict content type); 422',
               "the real API is FastAPI-based, whose default these are", "http/routes.py"),
    Assumption("A26", "which entity an entity-user token may act on",
               "the entity_id sent with the token request (emulator extension), else the first entity it "
               "is used with; any other entity gives 403 (A3)", "the emulator has no entity-user API",
               "model/auth.py"),
    Assumption("A27", "POST /ledger_accounts success status", "201 with the account",
               "the docs list only its error codes; 201 matches POST /accounting_connections", "http/routes.py"),
    Assumption("A28", "how soon a pushed record leaves 'pending'",
               "at the next job tick (sync_delay_seconds, default 0.5 s; at once with POST /_emulator/jobs/run)",
               "the docs give no time; the suite waits up to 120 s on other targets", "model/sync_jobs.py"),
    Assumption("A29", "the shape of a published version without docs of its own for these endpoints",
               "a version older than the base (2024-05-25) takes the nearest documented shape at or after it "
               "(2022-11-16..2023-06-04 look like 2023-09-01, 2024-01-31 like 2024-05-25); a newer one the "
               "nearest at or before it (2025-06-23 looks like 2024-05-25)",
               "features arrive with new versions; only the 2023-09-01 ledger-account docs differ",
               "model/versions.py (the spec: conformance/openapi/versions.py)"),
    Assumption("A30", "an operation the requested version does not have (2023-09-01 and older: POST "
               "/ledger_accounts, PATCH and DELETE /ledger_accounts/{id})",
               "405 with Allow listing the methods the version has for the path and an error body, checked "
               "right after the version (before the token)", "A9's rule, per version: the path exists, the method not",
               "http/versioning.py, http/middleware.py"),
    Assumption("A31", "which fields of a response body are always present beyond what the published document "
                      "requires (the reference pages mark none required)",
               "every field the version shows for a resource is sent, null (or [] / {}) when it has no value",
               "clients read fields without checking for them; the spec holds the emulator to it "
               "(x-assumed-constraints)", "model/*.py to_dict(), model/versions.py"),
    Assumption("A32", "null pagination tokens (seed 003 requires only data)",
               "next_pagination_token and prev_pagination_token are always sent, null at the ends",
               "one page shape for every list", "model/pagination.py"),
]

BY_ID = {a.id: a for a in ASSUMPTIONS}


def markdown_table() -> str:
    lines = ["| id | where the docs are silent | choice | why |", "|---|---|---|---|"]
    for a in ASSUMPTIONS:
        lines.append(f"| {a.id} | {a.topic} | {a.choice} | {a.why} |")
    return "\n".join(lines)
