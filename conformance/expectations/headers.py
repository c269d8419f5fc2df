"""Header names the documented rules are about, named once for checks and scenarios alike."""

from __future__ import annotations

# docs: api/concepts/rate-limiting
RATE_LIMIT_HEADERS = (
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "X-RateLimit-Limit-Second",
    "X-RateLimit-Remaining-Second",
)
# `error.type` of the 400 the API gives when no usable version was sent (docs: versioning; A1).
API_VERSION_ERROR_TYPES = frozenset({"missing_api_version", "unsupported_api_version"})
