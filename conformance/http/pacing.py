"""Stay under the target's rate limit, and honour 429 Too Many Requests when it comes anyway.

Documented: 30 requests per second per API client by default, and over the limit 429 with
`Retry-After` in seconds (docs: api/concepts/rate-limiting). On a target without the control
plane the run sets a `Pacer` (`pace_at`), so requests are spaced out before they are sent
instead of running into 429s; every request of the suite goes through `send_paced`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from conformance import interrupt


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


class Pacer:
    """Spaces requests at most `rate` per second (a fixed interval between send slots)."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.interval = 1.0 / rate
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._next = 0.0
        self.waited_seconds = 0.0
        self.waits_on_429 = 0

    def wait(self) -> None:
        """Block until this caller's send slot."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next)
            self._next = slot + self.interval
            delay = slot - now
            self.waited_seconds += delay
        if delay > 0:
            interrupt.moment("pacing-wait")
            self._sleep(delay)


_pacer: Pacer | None = None
_retired = (0.0, 0)  # what earlier pacers of this process waited


def pace_at(rate: float | None) -> Pacer | None:
    """Pace every request of this process at `rate` per second from now on (None: no pacing)."""
    global _pacer, _retired
    if _pacer is not None:
        _retired = (_retired[0] + _pacer.waited_seconds, _retired[1] + _pacer.waits_on_429)
    _pacer = Pacer(rate) if rate else None
    return _pacer


def waited() -> tuple[float, int]:
    """Seconds this process waited for send slots, and 429s it waited out, since it started."""
    pacer = _pacer
    if pacer is None:
        return _retired
    return (_retired[0] + pacer.waited_seconds, _retired[1] + pacer.waits_on_429)


def send_paced(send: Callable[[], R], sleep: Callable[[float], None] = time.sleep) -> R:
    """Send in turn (when pacing), and while the answer is 429, wait and send again
    (at most MAX_RETRIES times). Every request is a checkpoint for a Ctrl-C that was swallowed
    on the way (`conformance.interrupt`)."""
    interrupt.check()
    pacer = _pacer
    if pacer is not None:
        pacer.wait()
    response = send()
    for _ in range(MAX_RETRIES):
        if response.status_code != 429:
            break
        if pacer is not None:
            pacer.waits_on_429 += 1
        interrupt.moment("retry-after-wait")
        sleep(retry_after_seconds(response))
        if pacer is not None:
            pacer.wait()
        response = send()
    return response
