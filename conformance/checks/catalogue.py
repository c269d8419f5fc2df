"""The catalogue of documented rules the Monite checks enforce, each with the source that states it.

A check failure names its rule and source, so a reader can tell a documented contract from
one of the project's assumptions (docs/design.md, A<n>) without opening the code.
"""

from __future__ import annotations

from conformance.findings import Rule, RuleViolated

__all__ = ["ALL_RULES", "Rule", "RuleViolated"]

VERSION_ECHOED = Rule(
    "monite_version_echoed", "documented",
    "Every response carries X-Monite-Version back: the version the request used",
    "docs: api/concepts/http-headers; docs: api/concepts/versioning",
)
REQUEST_ID_UNIQUE = Rule(
    "monite_request_id_unique", "documented",
    "Every response carries x-request-id, a random id unique to that response",
    "docs: api/concepts/http-headers",
)
ERROR_BODY_SHAPE = Rule(
    "monite_error_body_shape", "documented",
    'Error bodies are {"error": {"message": str}} (ErrorSchemaResponse) for every status but 422, '
    'which is {"detail": [{"loc": [str|int, ...], "msg": str, "type": str}]} (HTTPValidationError)',
    "docs: api/concepts/overview; seeds 000, 001, 004 (error schemas)",
)
RATE_LIMIT_HEADERS = Rule(
    "monite_rate_limit_headers", "documented",
    "Responses carry RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, X-RateLimit-Limit-Second "
    "and X-RateLimit-Remaining-Second as integers; a 429 carries Retry-After in seconds",
    "docs: api/concepts/rate-limiting",
)
PAGE_WITHIN_LIMIT = Rule(
    "monite_page_within_limit", "documented",
    "A list page holds at most `limit` items (1 <= limit <= 250; at most 250 when `limit` is not sent)",
    "seed 003 (GET /accounting_synced_records: limit)",
)
NEXT_PAGE_CONTINUES = Rule(
    "monite_next_page_continues", "documented",
    "Sending next_pagination_token back as pagination_token (with the same limit) yields the following "
    "page: accepted, no item of the previous page again, items in the same sort order after the previous page",
    "seed 003 (cursor pagination); docs: api/concepts/pagination-sorting-filtering",
)
TIMESTAMPS_UTC = Rule(
    "monite_timestamps_utc", "documented",
    "Timestamps are UTC ISO 8601, YYYY-MM-DDThh:mm:ss[.ffffff] with the offset Z or +00:00",
    "docs: reference/base-concepts",
)
ENTITY_ID_ECHOED = Rule(
    "monite_entity_id_echoed", "documented",
    "A response echoes the request's x-monite-entity-id",
    "docs: api/concepts/http-headers",
)

ALL_RULES = (VERSION_ECHOED, REQUEST_ID_UNIQUE, ERROR_BODY_SHAPE, RATE_LIMIT_HEADERS, PAGE_WITHIN_LIMIT,
             NEXT_PAGE_CONTINUES, TIMESTAMPS_UTC, ENTITY_ID_ECHOED)
