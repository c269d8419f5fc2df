"""Honour 429 Too Many Requests: wait what `Retry-After` says, then try again.

Documented: over the limit the API answers 429 with `Retry-After` in seconds
(docs: api/concepts/rate-limiting).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol, TypeVar


class Answer(Protocol):
    """An httpx.Response or a schemathesis Response: what pacing needs of either."""

    status_code: int
    headers: Any


R = TypeVar("R", bound=Answer)

MAX_RETRIES = 8
MAX_WAIT_SECONDS = 30.0


def retry_after_seconds(response: Answer) -> float:
    """The wait `Retry-After` asks for, bounded; one second when it is absent or unreadable.

    Takes an httpx.Response or a schemathesis Response (whose header values are lists).
    """
    raw = response.headers.get("retry-after", "")
    if isinstance(raw, list):
        raw = raw[0] if raw else ""
    try:
        wait = float(raw)
    except ValueError:
        wait = 1.0
    return min(max(wait, 0.05), MAX_WAIT_SECONDS)


def send_paced(send: Callable[[], R], sleep: Callable[[float], None] = time.sleep) -> R:
    """Send, and while the answer is 429, wait and send again (at most MAX_RETRIES times)."""
    response = send()
    for _ in range(MAX_RETRIES):
        if response.status_code != 429:
            break
        sleep(retry_after_seconds(response))
        response = send()
    return response
