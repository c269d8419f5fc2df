"""Every rule the scenarios check, with its source: the seeds, docs pages, or an assumption id.

One catalogue, so the scenarios cite the same wording everywhere and a reader can list which
assertions are documented and which are assumptions (`ASSUMPTION_RULES`).
Seeds: 000 GET connection by id, 001 disconnect, 002 the integration guide, 003 GET synced
records (endpoint reference), 004 GET ledger account by id (../shared/seeds/).
"""

from __future__ import annotations

from conformance.expectations.headers import RATE_LIMIT_HEADERS  # noqa: F401  (scenarios cite it from here)
from conformance.expectations.kinds import Rule, assumption, documented, probe
from conformance.verdict.assumptions import LIMIT_RANGE

RFC_CLIENT_ERROR = "RFC 9110 section 15.5/15.6"
CONCEPTS_PAGINATION = "docs: api/concepts/pagination-sorting-filtering"

# --- generic -----------------------------------------------------------------------------
NO_SERVER_ERROR = documented(
    RFC_CLIENT_ERROR, "a request the client got wrong is a 4xx; a 5xx says the server failed")
ENTITY_OWNS = documented(
    "seeds 000, 001, 003, 004", "x-monite-entity-id is 'the ID of the entity that owns the requested "
    "resource': one entity never sees, changes or acts on another's resources")
UNKNOWN_ID_404 = assumption("A7", "an unknown id (or another entity's) gives 404 with an error body")
ERROR_BODY = documented(
    "docs: api/concepts/overview (ErrorSchemaResponse)", 'non-validation errors have the body {"error": {"message": str}}')
VALIDATION_BODY = documented(
    "seeds 000, 001, 004 list 422; docs: api/concepts/overview (HTTPValidationError)",
    'request validation errors are 422 {"detail": [{"loc", "msg", "type"}]}')

# --- 1. connections --------------------------------------------------------------------
NO_CONNECTIONS_EMPTY = documented(
    "seed 002", "an entity without connections gets 200 with an empty data array")
CONNECTION_CREATED = documented(
    "docs: api/accounting-connections/post-accounting-connections",
    "POST /accounting_connections answers 201 with the new connection and its connection_url")
CONNECTION_PENDING = documented(
    "docs: api/accounting-connections/post-accounting-connections; docs: v2024-01-31/accounting/integration/setup",
    "a new connection is pending_auth until the entity user authorizes it at connection_url")
CONNECTION_BY_ID = documented("seed 000", "GET /accounting_connections/{id} answers 200 with that connection")
CONNECTIONS_LIST = documented("seed 002", "GET /accounting_connections lists the entity's connections")
SYNC_ACCEPTED = documented(
    "seed 002; docs: v-2024-01-31/accounting/integration/push-invoice",
    "POST .../sync answers 202 Accepted with {'message': 'Started connection data sync.'}")
SYNC_PULLS = documented(
    "seed 002", "a sync pulls the accounting system's data: last_pull advances and synced records appear")
DISCONNECTED = documented(
    "seeds 001, 002", "POST .../disconnect answers 200 with the connection, status 'disconnected'")
ONE_ACTIVE = documented(
    "seed 002; docs: accounting/integration/index",
    "an entity has one active connection; it must disconnect before connecting another")
SECOND_ACTIVE_409 = assumption("A5", "a second active (pending_auth or connected) connection gets 409")
SYNC_NOT_CONNECTED_409 = assumption("A6", "sync on a connection that is not connected is refused with 409")

# --- 2. pagination ---------------------------------------------------------------------
LIST_OK = documented("seed 003; seed 002; seed 004 menu", "a list request with valid parameters answers 200 with a page")
EVERY_ITEM_ONCE = documented(
    "seed 003", "following next_pagination_token from the first page yields every item exactly once")
FIRST_NO_PREV = documented("seed 003", "prev_pagination_token is null on the first page")
LAST_NO_NEXT = documented("seed 003", "next_pagination_token is null on the last page")
PREV_GOES_BACK = documented("seed 003", "prev_pagination_token gives the previous page of the same query")
PAGE_SIZE = documented("seed 003", "a page holds at most `limit` items, fewer only on the last or only page")
TOKEN_OVERRIDES = documented(
    "seed 003", "with pagination_token, every other query parameter except limit is ignored and taken from the token")
LIMIT_NOT_INFERRED = documented(
    "seed 003", "limit is not inferred from pagination_token; a non-default limit must be sent again")
BAD_TOKEN_4XX = assumption("A8", "a malformed, tampered or foreign pagination_token is refused (4xx)")
BAD_TOKEN_422 = assumption("A8", "a malformed, tampered or foreign pagination_token gives 422 with loc [query, pagination_token]")

# --- 3. limit bounds -------------------------------------------------------------------
LIMIT_IN_BOTH_RANGES = documented(
    f"seed 003; {CONCEPTS_PAGINATION}", "a limit in 1..100 is in range on both the endpoint reference (1..250) and the concepts page (1..100)")
LIMIT_OUT_REFUSED = documented(
    f"seed 003; {CONCEPTS_PAGINATION}", "limit 0, negative or over 250 is out of range on both pages: refused with a 4xx")
LIMIT_NOT_INT_REFUSED = documented("seed 003", "limit is an integer: anything else is refused with a 4xx")
LIMIT_422 = assumption("A13", "limit out of 1..250, not an integer, or empty gives 422 (the endpoint reference)")
LIMIT_250_OK = assumption("A13", "a limit in 101..250 is accepted (the endpoint reference's 1..250, not the concepts page's 1..100)")
LIMIT_CONCEPTS_PAGE = LIMIT_RANGE  # the docs' disagreement, judged the same in the property tests
DEFAULT_LIMIT_250 = assumption("A14", "without limit a page holds up to 250 items (the schema default)")
DEFAULT_LIMIT_PROBE = probe(
    "default-page-size", "seed 003",
    "the endpoint reference's schema says default 250, its prose says 'Default is 100'")

# --- 4. sorting ------------------------------------------------------------------------
SORTED = documented(
    f"seed 003; {CONCEPTS_PAGINATION}", "items come ordered by `sort`, ascending by default, descending with order=desc")
DEFAULT_SORT_CREATED = documented(f"seed 003; {CONCEPTS_PAGINATION}", "the default sort is created_at, ascending")
DEFAULT_SORT_NAME = assumption("A22", "tax rates and ledger accounts sort by name by default")
TAX_SORT_BY_NAME = assumption("A22", "tax rates can be sorted by name (the docs name a sort parameter, not its fields)")
TIES_BY_ID = assumption("A22", "ties of the sort field (and null names, sorted as '') are broken by id in the same direction")

# --- 5. filters ------------------------------------------------------------------------
OBJECT_TYPE_REQUIRED = documented("seed 003; seed 002", "object_type is required: without it the request is a 422")
OBJECT_TYPE_ENUM = documented(
    "seed 003", "object_type is one of product, customer, vendor, receivable, bill, payment_record; another value is a 422")
OBJECT_TYPE_FILTER = documented("seed 003", "object_type=X lists only records of type X")
OBJECT_ID_FILTER = documented("seed 003; seed 002", "object_id=X lists only the records of object X")
OBJECT_ID_IN_FILTER = documented("seed 003", "object_id__in lists the records of exactly the given objects")
DATE_FILTER = documented(
    f"seed 003; {CONCEPTS_PAGINATION}", "__gt and __lt are strict, __gte and __lte include the boundary")

# --- 6. push ---------------------------------------------------------------------------
PUSH_PENDING = documented("seed 002", "POST .../push answers with the record, sync_status back to 'pending'")
PUSH_200 = assumption("A16", "a successful push answers 200")
PUSH_SETTLES = documented("seed 002; seed 003", "a pushed record later ends in 'done' or 'error' (sync_status enum)")
PUSH_SETTLES_SOON = assumption(
    "A28", "a pushed record leaves 'pending' once the queued jobs ran (or within 120 s elsewhere); "
    "the docs give no time")
ERROR_HAS_ERRORS = documented("seed 002", "a record in 'error' carries the details in `errors`")

# --- 7. tax rates ----------------------------------------------------------------------
TAX_RATE_BY_ID = documented(
    "docs: api/accounting-tax-rates/get-accounting-tax-rates-id", "GET /accounting_tax_rates/{id} returns that tax rate")
TAX_TOTAL_IS_SUM = documented(
    "docs: api/accounting-tax-rates pages", "total_tax_rate is the sum of the components' rates (percent x 100)")
TAX_EFFECTIVE_EQUALS_TOTAL = documented(
    "docs: api/accounting-tax-rates pages", "without compounding, effective_tax_rate equals total_tax_rate")
TAX_COMPOUND_NOT_LESS = documented(
    "docs: api/accounting-tax-rates pages", "compounding can only raise effective_tax_rate above total_tax_rate")

# --- 8. ledger accounts ----------------------------------------------------------------
LEDGER_CREATED = documented(
    "docs: api/ledger-accounts/post-ledger-accounts", "POST /ledger_accounts creates the account from name, nominal_code, description")
LEDGER_CREATED_201 = assumption("A27", "POST /ledger_accounts answers 201")
LEDGER_MAX_LENGTHS = documented(
    "docs: api/ledger-accounts/post-ledger-accounts, patch-ledger-accounts-id",
    "name and nominal_code hold up to 500 characters, description up to 2048; longer is a 422")
LEDGER_DEFAULTS = assumption(
    "A21", "an API-created account is is_external false, status Active, type Unknown, is_bank_account false")
LEDGER_BY_ID = documented("seed 004", "GET /ledger_accounts/{id} returns the account")
LEDGER_LISTED = documented("seed 004 menu; docs: api/ledger-accounts/get-ledger-accounts", "GET /ledger_accounts lists the entity's accounts")
LEDGER_PARTIAL_PATCH = documented(
    "docs: api/ledger-accounts/patch-ledger-accounts-id", "PATCH changes the fields sent; every field is optional, the others stay")
LEDGER_TIMESTAMPS = documented(
    "seed 004", "created_at is when the account was created (never changes), updated_at when it last changed (never goes back)")
LEDGER_UPDATED_ADVANCES = assumption("A19", "updated_at advances on every successful PATCH")
LEDGER_DELETED = documented(
    "seed 004 menu; docs: api/ledger-accounts/delete-ledger-accounts-id", "DELETE /ledger_accounts/{id} deletes the account")
LEDGER_DELETE_204 = assumption("A10", "a successful DELETE answers 204 with no body")
LEDGER_GONE_404 = documented("seed 004", "GET of a ledger account that does not exist answers 404")

# --- 9. headers and auth ---------------------------------------------------------------
MISSING_VERSION = documented(
    "docs: api/concepts/versioning",
    "without x-monite-version: 400 {'error': {'type': 'missing_api_version', 'message': ...}}")
UNKNOWN_VERSION = assumption("A1", "an unknown API version gives 400 with error.type unsupported_api_version")
TOKEN_REQUIRED = documented("all seeds; docs: api/concepts/authentication", "requests carry Authorization: Bearer <token>; without a valid one they are refused")
BAD_TOKEN_401 = assumption("A2", "a missing, malformed, unknown or expired bearer token gives 401 with an error body")
WRONG_CREDENTIALS_401 = assumption("A20", "wrong client credentials at /auth/token give 401")
TOKEN_LIFETIME = assumption("A20", "tokens live 1800 s")
TOKEN_RESPONSE = documented(
    "docs: api/access-tokens/post-auth-token", 'POST /auth/token answers {"access_token": str, "token_type": "Bearer", '
    '"expires_in": int seconds}')
UNKNOWN_PATH_404 = assumption(
    "A9", "a path the API does not have gives 404 with an error body (the docs say nothing of paths "
          "outside the API; a gateway may answer them its own way)")
JSON_BODY_ONLY = assumption(
    "A25", "a body sent without a JSON Content-Type gives 422 (FastAPI's behaviour), not 415")
ENTITY_USER_FORBIDDEN = assumption(
    "A3", "a token that may not act on the entity (an entity-user token used with another entity id) gives 403 "
    "with an error body")
BODY_TOO_LARGE = assumption("A18", "a request body over 1 MiB gives 413 with an error body")
ENTITY_HEADER_REQUIRED = documented(
    "seeds 000, 001, 003, 004", "x-monite-entity-id is required: without it the request is a 422")
ENTITY_HEADER_UUID = documented("seed 003", "x-monite-entity-id is a uuid: anything else is a 422")
VERSION_ECHOED = documented("docs: api/concepts/versioning; docs: api/concepts/http-headers", "every response carries X-Monite-Version back")
REQUEST_ID = documented("docs: api/concepts/http-headers", "every response carries x-request-id, a random id per response")
PROCESS_TIME = documented("docs: api/concepts/http-headers", "every response carries x-process-time")
ENTITY_ECHOED = documented("docs: api/concepts/http-headers", "a response echoes x-monite-entity-id when the request had one")
RATE_HEADERS = documented(
    "docs: api/concepts/rate-limiting",
    "responses under the limit carry RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, "
    "X-RateLimit-Limit-Second, X-RateLimit-Remaining-Second")

# --- 11. rate limits -------------------------------------------------------------------
OVER_LIMIT_429 = documented(
    "docs: api/concepts/rate-limiting", "over the limit the API answers 429 Too Many Requests with Retry-After (seconds)")
RATE_LIMIT_VALUE = assumption("A17", "RateLimit-Limit reports the per-second limit in force (per token, 1-second window)")
OVER_ADVERTISED_LIMIT_429 = documented(
    "docs: api/concepts/rate-limiting",
    "more requests in one second than the per-second limit the target advertises (X-RateLimit-Limit-Second, "
    "else RateLimit-Limit, else the documented default 30) get 429 Too Many Requests")
RATE_LIMIT_PROBE_PROPERTY = "monite_rate_limit_probe"  # the probe's cost, a test property read by the report
RATE_HEADERS_ON_429 = assumption(
    "A17", "a 429 carries the rate-limit headers too (the docs name them on responses under the limit)")
CLIENT_BACKS_OFF = documented(
    "docs: api/concepts/rate-limiting", "a client that waits Retry-After seconds gets through")

# --- 12. versions ----------------------------------------------------------------------
VERSION_ECHOES_REQUESTED = documented(
    "docs: api/concepts/versioning; docs: api/concepts/http-headers",
    "every response carries X-Monite-Version back: the version the request asked for")
DOCUMENTED_VERSION_ACCEPTED = documented(
    "seeds 000, 001, 002 (their requests send 2024-01-31, 2024-05-25, 2023-09-01); docs: api/concepts/versioning",
    "a version the docs use for these endpoints is accepted (200)")
PUBLISHED_VERSION_ACCEPTED = assumption(
    "A29", "every version of the published APIVersion list is accepted (200), with the nearest documented shape")
UNLISTED_VERSION_REFUSED = assumption(
    "A1", "a well-formed date outside the published list gives 400 with error.type unsupported_api_version")
ABSENT_OPERATION_405 = assumption(
    "A30", "an operation the version lacks (2023-09-01: POST /ledger_accounts, PATCH/DELETE /ledger_accounts/{id}) "
    "gives 405 with Allow: GET, HEAD")

ALL_RULES: dict[str, Rule] = {name: value for name, value in globals().items() if isinstance(value, Rule)}
ASSUMPTION_RULES: dict[str, Rule] = {k: v for k, v in ALL_RULES.items() if v.kind == "assumption"}
