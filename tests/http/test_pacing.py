"""Pacing under the rate limit the target advertises (conformance.http.pacing), on a fake clock:
send slots spaced by the advertised limit (the documented 30/s until the target says otherwise),
`--rate-limit` as a cap, 429s waited out and counted, and what a run waited kept across a change
of pacer (the report shows it). No test here reads the wall clock."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

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


@dataclass
class Answer:
    status_code: int = 200
    headers: dict[str, str] = field(default_factory=dict)


def limited(limit: int, remaining: int = 5, reset: int = 1) -> Answer:
    """An answer as the emulator and Monite's docs shape it (rate-limit headers)."""
    return Answer(200, {"X-RateLimit-Limit-Second": str(limit), "X-RateLimit-Remaining-Second": str(remaining),
                        "RateLimit-Limit": str(limit), "RateLimit-Remaining": str(remaining),
                        "RateLimit-Reset": str(reset)})


def paced(pacer: pacing.Pacer, answer: Answer | None = None) -> None:
    pacer.wait()
    pacer.begin()
    pacer.end(answer or Answer())


def test_before_any_answer_the_documented_30_per_second_with_a_margin() -> None:
    clock = FakeClock()
    pacer = pacing.Pacer(clock=clock, sleep=clock.sleep)
    for _ in range(3):
        paced(pacer)
    interval = 1 / (30 * pacing.MARGIN)
    assert clock.slept == pytest.approx([interval, interval]), "no limit advertised: 30/s (docs), a little under"
    assert pacer.waited_seconds == pytest.approx(2 * interval)
    assert pacer.requests == 3


def test_the_advertised_limit_is_followed_from_the_first_answer() -> None:
    clock = FakeClock()
    pacer = pacing.Pacer(clock=clock, sleep=clock.sleep)
    paced(pacer, limited(10))
    paced(pacer, limited(10))
    paced(pacer, limited(10))
    # The second request's slot was set when the first went out (at 30/s); every later one follows 10/s.
    assert clock.slept[0] == pytest.approx(1 / (30 * pacing.MARGIN))
    assert clock.slept[1] == pytest.approx(1 / (10 * pacing.MARGIN)), "X-RateLimit-Limit-Second: 10 -> 10/s"
    assert pacer.advertised == 10


def test_ratelimit_limit_counts_when_monites_own_header_is_absent() -> None:
    assert pacing.advertised_limit({"RateLimit-Limit": "12"}) == 12
    assert pacing.advertised_limit({"ratelimit-limit": "12, 12;w=1"}) == 12
    assert pacing.advertised_limit({"X-RateLimit-Limit-Second": "7", "RateLimit-Limit": "12"}) == 7
    assert pacing.advertised_limit({"X-RateLimit-Limit-Second": ["7"]}) == 7, "schemathesis' list values"
    assert pacing.advertised_limit({}) is None
    assert pacing.advertised_limit({"RateLimit-Limit": "many"}) is None


@pytest.mark.parametrize(("cap", "advertised", "expected"), [(5, 10, 5), (50, 10, 10), (None, 10, 10), (20, None, 20)])
def test_rate_limit_option_caps_but_never_raises_the_pace(cap: float | None, advertised: int | None,
                                                          expected: float) -> None:
    pacer = pacing.Pacer(cap)
    if advertised is not None:
        paced(pacer, limited(advertised))
    assert pacer.rate == pytest.approx(expected * pacing.MARGIN)


def test_workers_share_the_limit() -> None:
    pacer = pacing.Pacer(None, share=2)
    paced(pacer, limited(10))
    assert pacer.rate == pytest.approx(5 * pacing.MARGIN)


def test_a_longer_quota_used_up_holds_the_next_slot_until_it_resets() -> None:
    clock = FakeClock()
    pacer = pacing.Pacer(clock=clock, sleep=clock.sleep)
    paced(pacer, limited(10, remaining=0, reset=20))
    paced(pacer, limited(10))
    assert clock.slept == pytest.approx([20.0]), "Remaining 0 for 20 s: nothing goes out before it resets"


def test_a_per_second_window_used_exactly_holds_nothing_beyond_the_spacing() -> None:
    clock = FakeClock()
    pacer = pacing.Pacer(clock=clock, sleep=clock.sleep)
    paced(pacer, limited(10, remaining=0, reset=1))
    paced(pacer, limited(10))
    assert clock.slept == pytest.approx([1 / (30 * pacing.MARGIN)])


def test_requests_in_flight_are_counted_and_bounded() -> None:
    pacer = pacing.Pacer(max_in_flight=2)
    pacer.begin()
    pacer.begin()
    assert pacer._slots.acquire(blocking=False) is False, "a third request would wait for a free slot"
    pacer.end(Answer())
    pacer.begin()
    pacer.end(Answer())
    pacer.end(Answer())
    assert (pacer.peak_in_flight, pacer.in_flight, pacer.requests) == (2, 0, 3)


@pytest.fixture()
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(pacing.time, "monotonic", fake)
    return fake


class Server:
    """A target that allows `limit` requests per fixed one-second window (like the emulator,
    A17) and answers `latency` seconds after a request, on the fake clock."""

    def __init__(self, clock: FakeClock, limit: int, latency: float) -> None:
        self.clock, self.limit, self.latency = clock, limit, latency
        self.windows: dict[int, int] = {}
        self.sent = self.refused = 0

    def __call__(self) -> Answer:
        self.sent += 1
        window = int(self.clock.now)
        count = self.windows.get(window, 0)
        self.clock.now += self.latency
        if count >= self.limit:
            self.refused += 1
            return Answer(429, {"Retry-After": "1", "X-RateLimit-Limit-Second": str(self.limit),
                                "RateLimit-Remaining": "0", "RateLimit-Reset": "1"})
        self.windows[window] = count + 1
        return limited(self.limit, remaining=self.limit - count - 1)


@pytest.mark.parametrize("limit", [10, 30])
def test_a_sandbox_at_its_limit_is_paced_without_refusals(clock: FakeClock, limit: int) -> None:
    server = Server(clock, limit, latency=0.06)
    pacer = pacing.pace_following(None)
    pacer._clock, pacer._sleep = clock, clock.sleep
    started = clock.now
    try:
        for _ in range(300):
            pacing.send_paced(server, sleep=clock.sleep)
    finally:
        pacing.pace_at(None)
    assert server.refused <= 2, f"{server.refused} answers 429 at {limit}/s: paced from the first answer"
    if limit == 10:
        # One request at a time: the 60 ms of network distance fits in the 100 ms slot.
        assert clock.now - started <= 1.1 * server.sent / limit
    assert pacer.stats()["advertised_limit"] == limit


def test_a_cap_under_the_limit_is_kept(clock: FakeClock) -> None:
    server = Server(clock, 30, latency=0.0)
    pacer = pacing.pace_following(5)
    pacer._clock, pacer._sleep = clock, clock.sleep
    started = clock.now
    try:
        for _ in range(50):
            pacing.send_paced(server, sleep=clock.sleep)
    finally:
        pacing.pace_at(None)
    assert clock.now - started >= 49 / 5, "--rate-limit 5: at most 5 requests a second"


def test_429_is_waited_out_and_counted(clock: FakeClock) -> None:
    answers = iter([Answer(429, {"Retry-After": "2"}), Answer(200)])
    pacer = pacing.pace_following(None)
    pacer._clock, pacer._sleep = clock, clock.sleep
    try:
        response = pacing.send_paced(lambda: next(answers), sleep=clock.sleep)
    finally:
        pacing.pace_at(None)
    assert response.status_code == 200
    assert 2.0 in clock.slept
    assert (pacer.waits_on_429, pacer.requests) == (1, 2)


def test_the_run_total_survives_the_end_of_pacing() -> None:
    before, before_stats = pacing.waited(), pacing.stats()
    pacer = pacing.pace_at(1000)
    assert pacer is not None
    pacer.waited_seconds, pacer.waits_on_429, pacer.requests = 2.5, 1, 7
    pacing.pace_at(None)  # the session's pacing fixture ends during the last test's teardown
    after, after_stats = pacing.waited(), pacing.stats()
    assert (round(after[0] - before[0], 6), after[1] - before[1]) == (2.5, 1)
    assert after_stats["requests"] - before_stats.get("requests", 0) == 7


# -- several senders: shared slots, requests in flight, the probe's burst ------------------------

def test_workers_sharing_slots_keep_one_pace_and_count_in_flight_together(tmp_path, clock: FakeClock) -> None:
    """Two workers' pacers on one slot file: one sequence of slots at the whole limit (not a
    share each), the limit one of them learnt is followed by the other, and a request of each
    in flight at once counts two."""
    path = tmp_path / "slots"
    pacing.SharedSlots.create(path, advertised=10).close()
    first = pacing.Pacer(clock=clock, sleep=clock.sleep, shared=pacing.SharedSlots(path))
    second = pacing.Pacer(None, share=2, clock=clock, sleep=clock.sleep, shared=pacing.SharedSlots(path))
    first.wait()
    second.wait()
    first.wait()
    interval = 1 / (10 * pacing.MARGIN)
    assert clock.slept == pytest.approx([interval, interval]), "one sequence of slots at 10/s for both"
    assert second.rate == pytest.approx(10 * pacing.MARGIN), "shared slots: no share to divide"
    first.begin()
    second.begin()
    assert (first.in_flight, second.in_flight) == (1, 1)
    assert first.stats()["peak_in_flight"] == 2 == second.stats()["peak_in_flight"], "counted across workers"
    first.end(limited(12))
    second.end(Answer())
    third = pacing.Pacer(clock=clock, sleep=clock.sleep, shared=pacing.SharedSlots(path))
    third.wait()
    assert third.advertised == 12, "a limit one worker learnt is every worker's"


def test_in_flight_is_bounded_across_workers(tmp_path, clock: FakeClock) -> None:
    path = tmp_path / "slots"
    pacing.SharedSlots.create(path).close()
    first = pacing.Pacer(max_in_flight=1, clock=clock, sleep=clock.sleep, shared=pacing.SharedSlots(path))
    second = pacing.Pacer(max_in_flight=1, clock=clock, sleep=clock.sleep, shared=pacing.SharedSlots(path))
    first.begin()
    polls = []

    def release_after_two_polls(seconds: float) -> None:
        polls.append(seconds)
        if len(polls) == 2:
            first.end(Answer())

    second._sleep = release_after_two_polls
    second.begin()
    assert len(polls) == 2, "the second worker waited until the first request's answer came"
    assert second.stats()["peak_in_flight"] == 1


def test_a_token_fetched_while_preparing_a_request_is_not_a_second_in_flight(clock: FakeClock) -> None:
    pacer = pacing.pace_following(None)
    pacer._clock, pacer._sleep = clock, clock.sleep
    try:
        def send_needing_a_token() -> Answer:
            pacing.send_paced(lambda: Answer(), sleep=clock.sleep)  # the token provider's request
            return Answer()

        pacing.send_paced(send_needing_a_token, sleep=clock.sleep)
    finally:
        pacing.pace_at(None)
    assert (pacer.requests, pacer.peak_in_flight) == (2, 1), "two requests, one on the wire at a time"


def test_an_unpaced_burst_holds_paced_requests_one_window_after_it(clock: FakeClock) -> None:
    pacer = pacing.pace_following(None)
    pacer._clock, pacer._sleep = clock, clock.sleep
    try:
        pacing.send_paced(lambda: Answer(), sleep=clock.sleep)
        clock.now += 5
        answered_at = []

        def burst() -> Answer:
            clock.now += 0.2
            answered_at.append(clock.now)
            return Answer(429, {"Retry-After": "1"})

        pacing.send_unpaced(burst)
        pacing.send_paced(lambda: Answer(), sleep=clock.sleep)
    finally:
        pacing.pace_at(None)
    assert clock.now >= answered_at[0] + pacing.WINDOW_SECONDS, "the next paced request waits out the window"
    assert pacer.waits_on_429 == 0, "the burst's own 429 is the probe's business"


@pytest.mark.parametrize(("limit", "round_trip", "senders"), [
    (30, 0.06, 3),   # 1.8 slots per round trip: 2 to cover it, 1 more for the suite's own work
    (10, 0.06, 2),
    (30, 0.25, 4),   # capped
    (60, 0.003, 1),  # loopback: the round trip is a fraction of a slot, nothing to hide
    (100, 0.015, 1),  # a busy machine's loopback: over half a slot, but no network distance
    (10, 0.0, 1),
])
def test_senders_cover_the_round_trip(limit: float, round_trip: float, senders: int) -> None:
    assert pacing.senders_for(limit, round_trip) == senders
