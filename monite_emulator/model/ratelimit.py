"""Fixed 1-second-window rate limiting per key (A17).

The windows are wall-clock seconds moved by the emulator clock's offset: set or advance the
clock through the control plane and the windows follow (a test that waits out a 429 by
advancing the clock need not sleep), while on a real clock they turn every real second."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset: int

    def headers(self) -> dict[str, str]:
        h = {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset),
            "X-RateLimit-Limit-Second": str(self.limit),
            "X-RateLimit-Remaining-Second": str(self.remaining),
        }
        if not self.allowed:
            h["Retry-After"] = str(self.reset)
        return h


class RateLimiter:
    def __init__(self, per_second: int, offset: Callable[[], float] = lambda: 0.0) -> None:
        """`offset`: seconds the emulator's clock is ahead of wall time (read on every hit)."""
        self.per_second = per_second
        self._offset = offset
        self._windows: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()

    def _reset_in(self, now: float) -> int:
        return max(1, math.ceil(math.floor(now) + 1 - now))

    def hit(self, key: str, consume: bool = True) -> Decision:
        now = time.time() + self._offset()
        window = int(now)
        with self._lock:
            start, count = self._windows.get(key, (window, 0))
            if start != window:
                start, count = window, 0
            if len(self._windows) > 10000:
                self._windows = {k: v for k, v in self._windows.items() if v[0] == window}
            limit = self.per_second
            if not consume:
                return Decision(True, limit, max(0, limit - count), self._reset_in(now))
            if count >= limit:
                self._windows[key] = (start, count)
                return Decision(False, limit, 0, self._reset_in(now))
            count += 1
            self._windows[key] = (start, count)
            return Decision(True, limit, max(0, limit - count), self._reset_in(now))

    def clear(self) -> None:
        with self._lock:
            self._windows.clear()
