"""The emulator's clock (settable through the control plane) and timestamp helpers.

Timestamps are stored in one canonical, lexicographically sortable form
(``YYYY-MM-DDTHH:MM:SS.ffffffZ``) and rendered without the fraction when it is zero.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class Clock:
    """Wall time plus an offset the control plane sets. Reading it takes no lock (the offset is
    replaced whole, never changed in place); changing it does."""

    def __init__(self) -> None:
        self._offset = timedelta(0)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def set(self, when: datetime) -> None:
        with self._lock:
            self._offset = when - datetime.now(UTC)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset = self._offset + timedelta(seconds=seconds)

    def reset(self) -> None:
        with self._lock:
            self._offset = timedelta(0)

    def offset_seconds(self) -> float:
        """How far the clock is ahead of wall time (negative: behind)."""
        return self._offset.total_seconds()

    @property
    def is_real(self) -> bool:
        return not self._offset


def to_utc(dt: datetime) -> datetime:
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def canon(dt: datetime) -> str:
    """Canonical storage form, sortable as text (years zero-padded to four digits).

    Called on every request (the token's expiry): ``isoformat()`` without ``timespec`` is the
    cheaper call, so the six-digit fraction it leaves out for a whole second is added here."""
    if dt.tzinfo is not UTC:
        dt = to_utc(dt)
    text = dt.isoformat()[:-6]  # without "+00:00"
    return text + "Z" if dt.microsecond else text + ".000000Z"


def render(value: str | None) -> str | None:
    """Wire form of a stored timestamp: ISO 8601 UTC with ``Z``."""
    if value is None:
        return None
    if value.endswith(".000000Z"):
        return value[:-8] + "Z"
    return value


def parse_datetime(text: str) -> datetime:
    """Parse an ISO 8601 date-time; naive values are taken as UTC. Raises ValueError."""
    text = text.strip()
    if len(text) < 10 or len(text) > 64:
        raise ValueError("invalid datetime")
    if "T" not in text and " " not in text and len(text) > 10:
        raise ValueError("invalid datetime")
    if text.endswith(("z", "Z")):
        text = text[:-1] + "+00:00"
    dt = datetime.fromisoformat(text)
    return to_utc(dt)
