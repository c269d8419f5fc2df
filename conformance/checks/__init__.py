"""Monite-specific schemathesis checks: importing this package registers them.

Each check has one reason to fail and names the documented rule it enforces
(`conformance.checks.catalogue`). They run with schemathesis' built-in checks on every response
of the property tests, and can be used with any schemathesis run that imports this package.
"""

from __future__ import annotations

from conformance.checks.error_bodies import monite_error_body_shape
from conformance.checks.headers import (
    monite_entity_id_echoed,
    monite_rate_limit_headers,
    monite_request_id_unique,
    monite_version_echoed,
)
from conformance.checks.pagination import (
    monite_next_page_continues,
    monite_page_within_limit,
)
from conformance.checks.timestamps import monite_timestamps_utc

MONITE_CHECKS = (
    monite_version_echoed,
    monite_request_id_unique,
    monite_error_body_shape,
    monite_rate_limit_headers,
    monite_page_within_limit,
    monite_next_page_continues,
    monite_timestamps_utc,
    monite_entity_id_echoed,
)
MONITE_CHECK_NAMES = tuple(check.__name__ for check in MONITE_CHECKS)

__all__ = [
    "MONITE_CHECKS",
    "MONITE_CHECK_NAMES",
    "monite_entity_id_echoed",
    "monite_error_body_shape",
    "monite_next_page_continues",
    "monite_page_within_limit",
    "monite_rate_limit_headers",
    "monite_request_id_unique",
    "monite_timestamps_utc",
    "monite_version_echoed",
]
