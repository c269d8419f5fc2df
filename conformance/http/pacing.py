"""Stay under the rate limit the target advertises, and honour 429 Too Many Requests when it comes anyway.

Documented: 30 requests per second per API client by default ("the sandbox may be lower"), over
the limit 429 with `Retry-After` in seconds (docs: api/concepts/rate-limiting). On a target
without the control plane the run sets a `Pacer` (`pace_following`): it starts at the documented
30/s, reads the limit every answer advertises (`X-RateLimit-Limit-Second`, else `RateLimit-Limit`)
and from then on spaces send slots by that limit, so a sandbox at 10/s is paced at 10/s from its
first answer instead of being found out by refusals. `--rate-limit N` caps the pace (never
raises it above what the target advertises). An answer that says the window is used up
(`RateLimit-Remaining: 0`) for longer than the per-second window (`RateLimit-Reset` over one
second) holds the next slot until it resets.

Every request of the suite goes through `send_paced`. Slots are reserved when a request is sent,
not when its answer comes, so requests of several senders (threads, or xdist workers each with
their share of the rate) overlap their network time; the pacer counts how many are in flight
and refuses more than `max_in_flight` at once (bounded). What the run waited, how many answers
were 429, and the most requests in flight go to summary.json (`waited()`, `stats()`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar

from conformance import interrupt


class Answer(Protocol):
    """An httpx.Response or a schemathesis Response: what pacing needs of either."""

    status_code: int
    headers: Any


R = TypeVar("R", bound=Answer)

MAX_RETRIES = 8
MAX_WAIT_SECONDS = 30.0
DOCUMENTED_RATE = 30.0  # requests per second per API client (docs: api/concepts/rate-limiting)
# Slots are spaced a little under the advertised limit: the server counts arrivals in its own
# one-second windows, and network jitter can bring two paced requests closer together.
MARGIN = 0.95
MAX_IN_FLIGHT = 8
WINDOW_SECONDS = 1.0  # the documented limit is per second


def _header(headers: Any, name: str) -> str | None:
    """A header value from httpx headers or schemathesis' (whose values are lists)."""
    if headers is None:
        return None
    raw = headers.get(name)
    if raw is None and isinstance(headers, Mapping):  # a plain dict with other casing
        raw = next((value for key, value in headers.items() if str(key).lower() == name.lower()), None)
    if isinstance(raw, list):
        raw = raw[0] if raw else None
    return None if raw is None else str(raw)


def _number(headers: Any, *names: str) -> float | None:
    for name in names:
        value = _header(headers, name)
        if value is None:
            continue
        try:
            # RateLimit-Limit may carry a policy after the number ("10, 10;w=1"): the number counts.
            number = float(value.split(",")[0].split(";")[0].strip())
        except ValueError:
            continue
        if number >= 0:
            return number
    return None


def advertised_limit(headers: Any) -> float | None:
    """Requests per second the answer advertises, or None: `X-RateLimit-Limit-Second` (Monite's
    per-second header), else `RateLimit-Limit` (per second, the documented window)."""
    limit = _number(headers, "x-ratelimit-limit-second", "ratelimit-limit")
    return limit if limit else None


def retry_after_seconds(response: Answer) -> float:
    """The wait `Retry-After` asks for, bounded; one second when it is absent or unreadable."""
    raw = _header(response.headers, "retry-after") or ""
    try:
        wait = float(raw)
    except ValueError:
        wait = 1.0
    return min(max(wait, 0.05), MAX_WAIT_SECONDS)


class Pacer:
    """Send slots at most `rate` per second: the target's advertised limit (or the documented
    30/s until it advertised one), capped by `cap`, divided among `share` senders."""

    def __init__(self, cap: float | None = None, *, share: int = 1, default: float = DOCUMENTED_RATE,
                 max_in_flight: int = MAX_IN_FLIGHT, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.cap, self.share, self.default = cap, max(1, share), default
        self.advertised: float | None = None  # the last limit the target advertised
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(max(1, max_in_flight))
        self._next = 0.0
        self.requests = 0  # requests sent through this pacer (retries included)
        self.waited_seconds = 0.0  # for send slots
        self.waits_on_429 = 0  # answers 429 the suite waited out
        self.in_flight = 0
        self.peak_in_flight = 0

    @property
    def rate(self) -> float:
        """The pace now, requests per second."""
        limit = self.advertised if self.advertised is not None else self.default
        if self.cap is not None:
            limit = min(limit, self.cap)
        return limit * MARGIN / self.share

    @property
    def interval(self) -> float:
        return 1.0 / self.rate

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

    def begin(self) -> None:
        """A request goes out (after `wait`); at most `max_in_flight` at once."""
        self._slots.acquire()
        with self._lock:
            self.requests += 1
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)

    def end(self, response: Answer | None) -> None:
        """Its answer came (None: it failed): learn the limit and the window the target advertises."""
        with self._lock:
            self.in_flight -= 1
            if response is not None:
                self._learn(response.headers)
        self._slots.release()

    def _learn(self, headers: Any) -> None:
        limit = advertised_limit(headers)
        if limit is not None and limit != self.advertised:
            # A new limit: the slots already handed out keep their places, the next ones follow it.
            self.advertised = limit
        remaining = _number(headers, "x-ratelimit-remaining-second", "ratelimit-remaining")
        reset = _number(headers, "ratelimit-reset")
        if remaining == 0 and reset is not None and reset > WINDOW_SECONDS:
            # Used up for longer than the per-second window (a quota beyond the documented limit):
            # nothing goes out before it resets. Within one second the spacing already keeps
            # to the limit (a 0 there only says the window was used exactly).
            self._next = max(self._next, self._clock() + min(reset, MAX_WAIT_SECONDS))

    def waited_out_429(self) -> None:
        with self._lock:
            self.waits_on_429 += 1

    def stats(self) -> dict[str, Any]:
        return {"requests": self.requests, "waited_seconds": round(self.waited_seconds, 3),
                "waits_on_429": self.waits_on_429, "peak_in_flight": self.peak_in_flight,
                "advertised_limit": self.advertised, "cap": self.cap, "rate": round(self.rate, 3)}


_pacer: Pacer | None = None
_retired = (0.0, 0)  # what earlier pacers of this process waited
_retired_stats: dict[str, Any] = {}


def pace_following(cap: float | None, share: int = 1) -> Pacer:
    """Pace every request of this process from now on by what the target advertises (capped by
    `cap`, divided among `share` senders)."""
    return _install(Pacer(cap, share=share))


def pace_at(rate: float | None) -> Pacer | None:
    """Pace every request of this process at most `rate` per second from now on (None: no pacing)."""
    return _install(Pacer(rate) if rate else None)


def _install(pacer: Pacer | None) -> Pacer | None:
    global _pacer, _retired, _retired_stats
    if _pacer is not None:
        _retired = (_retired[0] + _pacer.waited_seconds, _retired[1] + _pacer.waits_on_429)
        _retired_stats = _merge(_retired_stats, _pacer.stats())
    _pacer = pacer
    return _pacer


def _merge(before: dict[str, Any], now: dict[str, Any]) -> dict[str, Any]:
    if not before:
        return dict(now)
    merged = dict(now)
    for key in ("requests", "waits_on_429"):
        merged[key] = before.get(key, 0) + now.get(key, 0)
    merged["waited_seconds"] = round(before.get("waited_seconds", 0.0) + now.get("waited_seconds", 0.0), 3)
    merged["peak_in_flight"] = max(before.get("peak_in_flight", 0), now.get("peak_in_flight", 0))
    return merged


def waited() -> tuple[float, int]:
    """Seconds this process waited for send slots, and 429s it waited out, since it started."""
    pacer = _pacer
    if pacer is None:
        return _retired
    return (_retired[0] + pacer.waited_seconds, _retired[1] + pacer.waits_on_429)


def stats() -> dict[str, Any]:
    """This process's pacing so far: requests, waits, 429s, most in flight, the limit followed."""
    pacer = _pacer
    return _merge(_retired_stats, pacer.stats()) if pacer is not None else dict(_retired_stats)


def send_paced(send: Callable[[], R], sleep: Callable[[float], None] = time.sleep) -> R:
    """Send in turn (when pacing), and while the answer is 429, wait and send again
    (at most MAX_RETRIES times). Every request is a checkpoint for a Ctrl-C that was swallowed
    on the way (`conformance.interrupt`)."""
    interrupt.check()
    pacer = _pacer
    response = _send(pacer, send)
    for _ in range(MAX_RETRIES):
        if response.status_code != 429:
            break
        wait = retry_after_seconds(response)
        if pacer is not None:
            pacer.waited_out_429()
        interrupt.moment("retry-after-wait")
        sleep(wait)
        response = _send(pacer, send)
    return response


def _send(pacer: Pacer | None, send: Callable[[], R]) -> R:
    if pacer is None:
        return send()
    pacer.wait()
    pacer.begin()
    response: R | None = None
    try:
        response = send()
    finally:
        pacer.end(response)
    return response
