"""Ctrl-C always reaches the run: counted when it arrives, raised again until the run stops for it.

Python turns SIGINT into a KeyboardInterrupt at whatever bytecode the main thread runs next.
Code that catches BaseException there (a library's cleanup or cancellation path, a finaliser)
can swallow it, and the run goes on to "the target conforms". So the commands route SIGINT
through this module: every Ctrl-C is counted before the exception is raised, and checkpoints
(`check`: every request the suite sends, every test and collection step) raise it again while
the run has not yet stopped for it (`handled`).

Where stopping half-way would do harm, the first Ctrl-C is only noted (`defer`): while the
command is still importing, while the reports are written, while cleanup undoes what the run
created. It takes effect when that part is done; a second Ctrl-C is never deferred.

`moment(name)` marks the points a Ctrl-C test aims at (MONITE_TEST_MOMENTS, MONITE_TEST_HOLD):
a test-only hook, so tests send the signal at an event, never after a sleep.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Iterator
from types import FrameType

MOMENTS_ENV = "MONITE_TEST_MOMENTS"  # a file: one line per moment reached, one per Ctrl-C noted
HOLD_ENV = "MONITE_TEST_HOLD"  # a moment name: wait there until the next Ctrl-C arrives
HOLD_SIGNALS_ENV = "MONITE_TEST_HOLD_SIGNALS"  # how many Ctrl-Cs the hold waits for (default 1)
HOLD_LIMIT_SECONDS = 600.0  # a forgotten hold does not keep a test process forever

_installed = False
_count = 0  # Ctrl-Cs received
_handled = 0  # of them, how many the run has stopped for
_deferring = 0  # depth of `defer`
_held: set[str] = set()  # moments already held (each is held once per process)


def install(deferred: bool = False) -> bool:
    """Route SIGINT through this module (main thread only); `deferred`: start by only noting it."""
    global _installed, _deferring
    if threading.current_thread() is not threading.main_thread():
        return False
    if deferred:
        _deferring += 1
    signal.signal(signal.SIGINT, _on_sigint)
    _installed = True
    return True


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    global _count
    _count += 1
    _emit(f"sigint {_count}")
    if _deferring and _count < 2:
        return  # noted; acted on when the deferred part is done
    raise KeyboardInterrupt


def count() -> int:
    """Ctrl-Cs received so far."""
    return _count


def requested() -> bool:
    """Whether any Ctrl-C arrived."""
    return _count > 0


def insisted() -> bool:
    """Whether Ctrl-C came twice: deferred work (cleanup) may be abandoned."""
    return _count >= 2


def pending() -> bool:
    """A Ctrl-C arrived that the run has not stopped for yet."""
    return _count > _handled


def handled() -> None:
    """The run has stopped for every Ctrl-C so far (pytest saw the interrupt)."""
    global _handled
    _handled = _count


def check() -> None:
    """A checkpoint: raise KeyboardInterrupt if a Ctrl-C is pending and nothing defers it."""
    if _installed and not _deferring and pending():
        raise KeyboardInterrupt


def defer() -> None:
    global _deferring
    _deferring += 1


def resume() -> None:
    """End one `defer`; the caller decides whether to `check` now."""
    global _deferring
    _deferring = max(0, _deferring - 1)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Only note the first Ctrl-C inside the block (a second one raises)."""
    defer()
    try:
        yield
    finally:
        resume()


def reset() -> None:
    """Forget every Ctrl-C (tests of this module; a new run in the same process)."""
    global _count, _handled, _deferring
    _count = _handled = _deferring = 0


# -- test-only markers -----------------------------------------------------------------------

def _emit(line: str) -> None:
    path = os.environ.get(MOMENTS_ENV)
    if not path:
        return
    with contextlib.suppress(OSError):
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")


def moment(name: str) -> None:
    """Mark that the command reached `name`; when MONITE_TEST_HOLD names it, wait there (the first
    time) for the next Ctrl-C, or MONITE_TEST_HOLD_SIGNALS of them; a Ctrl-C that is not deferred
    raises from here, as it would from the code at that point. No-op outside tests."""
    if not os.environ.get(MOMENTS_ENV):
        return
    hold = os.environ.get(HOLD_ENV) == name and name not in _held
    _emit(f"{'holding' if hold else 'at'} {name}")
    if not hold:
        return
    _held.add(name)
    until = _count + int(os.environ.get(HOLD_SIGNALS_ENV) or 1)
    waited = 0.0
    while _count < until and waited < HOLD_LIMIT_SECONDS:
        time.sleep(0.01)  # the signal interrupts the sleep: no timing depends on this step
        waited += 0.01
