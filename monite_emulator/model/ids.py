"""Ids: uuid4 for things created through the API, uuid5 for synced things (deterministic)."""

from __future__ import annotations

import uuid

NAMESPACE = uuid.UUID("6d6f6e69-7465-2d65-6d75-6c61746f7221")


def new_id() -> str:
    return str(uuid.uuid4())


def derived_id(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts)))


def normalize(value: str) -> str | None:
    """The canonical form of a uuid, or None when ``value`` is not one."""
    try:
        if len(value) > 64:
            return None
        return str(uuid.UUID(value))
    except (ValueError, AttributeError, TypeError):
        return None
