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
not when its answer comes, so requests of several senders overlap their network time; the pacer
counts how many are in flight and refuses more than `max_in_flight` at once (bounded). The
xdist workers of a remote run (`conformance.commands.remote_workers`) take their slots from one
`SharedSlots` file, so together they keep to the limit (whichever worker is busy) and the
requests in flight are counted across them; workers without it pace on their own with a share
of the rate each. A request sent while preparing another in the same thread (its token) is
paced but not counted as a second one in flight. A request sent outside pacing (`send_unpaced`:
the 429 probe's deliberate burst) holds every paced request until one window after it.
What the run waited, how many answers were 429, and the most requests in flight go to
summary.json (`waited()`, `stats()`).
"""

from __future__ import annotations

import contextlib
import math
import os
import struct
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

try:
    import fcntl
except ImportError:  # not POSIX: workers pace on their own, each with its share of the rate
    fcntl = None  # type: ignore[assignment]

from conformance import interrupt


class Answer(Protocol):
    """An httpx.Response or a schemathesis Response: what pacing needs of either."""

    status_code: int
    headers: Any


R = TypeVar("R", bound=Answer)
T = TypeVar("T")

MAX_RETRIES = 8
MAX_WAIT_SECONDS = 30.0
DOCUMENTED_RATE = 30.0  # requests per second per API client (docs: api/concepts/rate-limiting)
# Slots are spaced a little under the advertised limit: the server counts arrivals in its own
# one-second windows, and network jitter can bring two paced requests closer together.
MARGIN = 0.95
MAX_IN_FLIGHT = 8
WINDOW_SECONDS = 1.0  # the documented limit is per second
IN_FLIGHT_POLL_SECONDS = 0.005
# Set by `monite-conformance run` for the xdist workers of a remote run: the path of the run's
# `SharedSlots` file (every worker's pacer takes its send slots from it).
SHARED_SLOTS_ENV = "MONITE_CONFORMANCE_PACING_SLOTS"
# Senders to keep busy on a remote target (`senders_for`): enough to hide the round trip, bounded.
MAX_SENDERS = 4
# A round trip under this share of a send slot costs little: one sender keeps up.
LATENCY_WORTH_HIDING = 0.5
# Nor a round trip this short: a target on the same machine (a busy machine's loopback can
# take a few milliseconds), where workers would cost more to start than they save.
NEARBY_SECONDS = 0.02


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


@dataclass
class SlotState:
    """What every sender of one run shares: the next free send slot (a `time.monotonic()`
    moment, the same clock in every process of the machine), the limit the target advertised
    last (0: none yet), and the requests in flight now and at most."""

    next: float = 0.0
    advertised: float = 0.0
    in_flight: int = 0
    peak: int = 0


class LocalSlots:
    """The slot state of one process (its senders are threads; the pacer's lock guards it)."""

    def __init__(self) -> None:
        self.state = SlotState()

    def transact(self, change: Callable[[SlotState], T]) -> T:
        return change(self.state)


class SharedSlots:
    """The slot state of every process of one run (the xdist workers of a remote run), in a
    small file under an exclusive lock: the workers keep to ONE pace (each slot handed out
    once, whichever worker is busy), and the requests in flight are counted across them.

    Created by the run before pytest starts (`create`); each worker's pacer opens it by the
    path in `SHARED_SLOTS_ENV`. The lock is `fcntl.flock` (POSIX); the caller also holds its
    pacer's thread lock, as flock does not exclude threads of one process from each other."""

    LAYOUT = struct.Struct("<ddqq")

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self._fd = os.open(self.path, os.O_RDWR)

    @classmethod
    def create(cls, path: str | os.PathLike[str], advertised: float | None = None) -> "SharedSlots":
        """A fresh slot file (the limit the run already read from the target, if any)."""
        with open(path, "wb") as handle:
            handle.write(cls.LAYOUT.pack(0.0, float(advertised or 0.0), 0, 0))
        return cls(path)

    def transact(self, change: Callable[[SlotState], T]) -> T:
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            state = SlotState(*self.LAYOUT.unpack(os.pread(self._fd, self.LAYOUT.size, 0)))
            result = change(state)
            os.pwrite(self._fd, self.LAYOUT.pack(state.next, state.advertised, state.in_flight, state.peak), 0)
            return result
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self._fd)


class Pacer:
    """Send slots at most `rate` per second: the target's advertised limit (or the documented
    30/s until it advertised one), capped by `cap`, divided among `share` senders that pace on
    their own (with `shared` slots every sender of the run takes its slot from one sequence,
    so there is nothing to divide)."""

    def __init__(self, cap: float | None = None, *, share: int = 1, default: float = DOCUMENTED_RATE,
                 max_in_flight: int = MAX_IN_FLIGHT, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep, shared: SharedSlots | None = None) -> None:
        self.cap, self.share, self.default = cap, 1 if shared is not None else max(1, share), default
        self.advertised: float | None = None  # the last limit the target advertised
        self.max_in_flight = max(1, max_in_flight)
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(self.max_in_flight)
        self._state: LocalSlots | SharedSlots = shared if shared is not None else LocalSlots()
        self.shared = shared is not None
        self.requests = 0  # requests sent through this pacer (retries included)
        self.waited_seconds = 0.0  # for send slots
        self.waits_on_429 = 0  # answers 429 the suite waited out
        self.in_flight = 0  # this process's
        self.peak_in_flight = 0  # this process's; `stats()` gives the run's (all workers) when shared

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

            def take(state: SlotState) -> float:
                if state.advertised:  # another worker may have learnt it first
                    self.advertised = state.advertised
                slot = max(now, state.next)
                state.next = slot + self.interval
                return slot

            delay = self._state.transact(take) - now
            self.waited_seconds += delay
        if delay > 0:
            interrupt.moment("pacing-wait")
            self._sleep(delay)

    def begin(self, counted: bool = True) -> None:
        """A request goes out (after `wait`); at most `max_in_flight` at once (across the run's
        workers when the slots are shared). `counted=False`: a request sent while preparing
        another in the same thread (a token fetched for it), which is not on the wire yet."""
        if not counted:
            with self._lock:
                self.requests += 1
            return
        self._slots.acquire()
        while True:
            with self._lock:

                def enter(state: SlotState) -> bool:
                    if state.in_flight >= self.max_in_flight:
                        return False
                    state.in_flight += 1
                    state.peak = max(state.peak, state.in_flight)
                    return True

                if self._state.transact(enter):
                    self.requests += 1
                    self.in_flight += 1
                    self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
                    return
            self._sleep(IN_FLIGHT_POLL_SECONDS)  # only when shared: other workers hold every place

    def end(self, response: Answer | None, counted: bool = True) -> None:
        """Its answer came (None: it failed): learn the limit and the window the target advertises."""
        with self._lock:
            now = self._clock()

            def leave(state: SlotState) -> None:
                if counted:
                    state.in_flight = max(0, state.in_flight - 1)
                if response is not None:
                    self._learn(response.headers, state, now)

            self._state.transact(leave)
            if counted:
                self.in_flight -= 1
        if counted:
            self._slots.release()

    def _learn(self, headers: Any, state: SlotState, now: float) -> None:
        limit = advertised_limit(headers)
        if limit is not None and limit != self.advertised:
            # A new limit: the slots already handed out keep their places, the next ones follow it.
            self.advertised = limit
        if limit is not None:
            state.advertised = limit
        remaining = _number(headers, "x-ratelimit-remaining-second", "ratelimit-remaining")
        reset = _number(headers, "ratelimit-reset")
        if remaining == 0 and reset is not None and reset > WINDOW_SECONDS:
            # Used up for longer than the per-second window (a quota beyond the documented limit):
            # nothing goes out before it resets. Within one second the spacing already keeps
            # to the limit (a 0 there only says the window was used exactly).
            state.next = max(state.next, now + min(reset, MAX_WAIT_SECONDS))

    def hold(self, seconds: float) -> None:
        """No paced request (of any worker, when shared) goes out for `seconds` from now: a
        request sent outside pacing (the 429 probe's burst) used the target's window."""
        with self._lock:
            until = self._clock() + seconds

            def push(state: SlotState) -> None:
                state.next = max(state.next, until)

            self._state.transact(push)

    def waited_out_429(self) -> None:
        with self._lock:
            self.waits_on_429 += 1

    def stats(self) -> dict[str, Any]:
        peak = self.peak_in_flight
        if self.shared:
            with self._lock:
                peak = max(peak, self._state.transact(lambda state: state.peak))
        return {"requests": self.requests, "waited_seconds": round(self.waited_seconds, 3),
                "waits_on_429": self.waits_on_429, "peak_in_flight": peak,
                "advertised_limit": self.advertised, "cap": self.cap, "rate": round(self.rate, 3)}


_pacer: Pacer | None = None
_retired = (0.0, 0)  # what earlier pacers of this process waited
_retired_stats: dict[str, Any] = {}


def senders_for(limit: float, round_trip: float, cap: int = MAX_SENDERS) -> int:
    """How many requests to keep in flight so the round trip does not eat the allowance: one
    send slot is 1/limit seconds, a request occupies its sender for `round_trip`, so
    ceil(limit x round_trip) senders fill every slot, and one more covers the suite's own work
    between requests. One sender when the round trip is under half a slot or under 20 ms
    (nothing worth hiding: a target on this machine); never more than `cap`."""
    if limit <= 0 or round_trip < NEARBY_SECONDS or limit * round_trip < LATENCY_WORTH_HIDING:
        return 1
    return max(1, min(cap, math.ceil(limit * round_trip) + 1))


def shared_slots_from_env() -> SharedSlots | None:
    """The run's shared slot file, when `monite-conformance run` made one for its workers."""
    path = os.environ.get(SHARED_SLOTS_ENV)
    if not path or fcntl is None:
        return None
    try:
        return SharedSlots(path)
    except OSError:
        return None


def pace_following(cap: float | None, share: int = 1) -> Pacer:
    """Pace every request of this process from now on by what the target advertises (capped by
    `cap`): from the run's shared slots when it has them (xdist workers of a remote run),
    else divided among `share` senders."""
    return _install(Pacer(cap, share=share, shared=shared_slots_from_env()))


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


def send_unpaced(send: Callable[[], R]) -> R:
    """Send outside pacing (the 429 probe's deliberate burst). It may use up the target's
    window: no paced request of the run (any worker, when the slots are shared) goes out
    until one window after it is answered, so other tests do not meet its 429s."""
    pacer = _pacer
    if pacer is None:
        return send()
    pacer.hold(WINDOW_SECONDS)
    try:
        return send()
    finally:
        pacer.hold(WINDOW_SECONDS)


_thread = threading.local()  # how deep this thread is in paced sends


def _send(pacer: Pacer | None, send: Callable[[], R]) -> R:
    if pacer is None:
        return send()
    depth = getattr(_thread, "depth", 0)
    counted = depth == 0  # a request sent while preparing another (its token) is not a second in flight
    pacer.wait()
    pacer.begin(counted)
    _thread.depth = depth + 1
    response: R | None = None
    try:
        response = send()
    finally:
        _thread.depth = depth
        pacer.end(response, counted)
    return response
