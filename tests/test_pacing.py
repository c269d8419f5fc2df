"""Pacing under the rate limit (conformance.http.pacing): send slots at most `rate` per second,
and how long a run waited for them, kept across a change of pacer (the report shows it)."""

from __future__ import annotations

from conformance.http import pacing


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_slots_are_spaced_by_the_rate_and_the_wait_is_counted() -> None:
    clock = FakeClock()
    pacer = pacing.Pacer(10, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        pacer.wait()
    assert [round(s, 6) for s in clock.slept] == [0.1, 0.1], "three sends at 10/s: the 2nd and 3rd wait 0.1 s each"
    assert round(pacer.waited_seconds, 6) == 0.2


def test_the_run_total_survives_the_end_of_pacing() -> None:
    before = pacing.waited()
    pacer = pacing.pace_at(1000)
    assert pacer is not None
    pacer.waited_seconds, pacer.waits_on_429 = 2.5, 1
    pacing.pace_at(None)  # the session's pacing fixture ends during the last test's teardown
    after = pacing.waited()
    assert (round(after[0] - before[0], 6), after[1] - before[1]) == (2.5, 1)
