"""The formats the docs give values on the wire (seed 003): `string<uuid>` and `string<date>`."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def is_uuid(value: Any) -> bool:
    """A uuid in its hyphenated text form (entity ids, path ids)."""
    return isinstance(value, str) and bool(_UUID.match(value))


def is_api_version(value: Any) -> bool:
    """A well-formed `YYYY-MM-DD` date (x-monite-version)."""
    if not isinstance(value, str) or not _DATE.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True
