"""11. Rate limits: a burst over a low limit gets 429 with Retry-After; the paced client gets through.

On the emulator the limit is lowered through the control plane (and restored after). On a target
without it (the sandbox) one bounded probe per run exceeds the limit the target advertises with
cheap reads, checks the 429 and waits as told (`--skip-rate-limit-probe` switches it off). Waiting
as told is sleeping on a target without the control plane; on the emulator it is advancing the
emulator's clock, which its one-second windows follow (A17), so the run does not sleep a second
per 429 (the clock is put back after).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from conformance.config import DOCUMENTED_RATE_LIMIT, RunConfig
from conformance.http.pacing import retry_after_seconds
from conformance.http.client import MoniteClient
from conformance.target.control import EmulatorControl
from conformance.expectations.kinds import Expectations
from conformance.suite.scenarios import catalogue
from conformance.suite.scenarios.arrange import require_control

# Footprint on a target without the control plane (conformance/commands/remote_workers.py): the probe reads
# the connection list again and again (to count 429s, comparing nothing).
pytestmark = [pytest.mark.scenario, pytest.mark.footprint(walks=("connections",), changes=())]

LOW_LIMIT = 3
BURST = 4 * LOW_LIMIT  # a 429 unless the burst spreads over four windows (seconds)
PACED_CALLS = LOW_LIMIT  # the burst used up the window: the first of these must wait (or see it turn)


@pytest.fixture
def low_limit(emulator_control: EmulatorControl | None) -> Iterator[EmulatorControl]:
    """The emulator with LOW_LIMIT requests per second, put back as it was afterwards."""
    control = require_control(emulator_control, "lower the rate limit")
    before = control.rate_limit()
    control.set_rate_limit(LOW_LIMIT)
    try:
        yield control
    finally:
        control.set_rate_limit(before)


@pytest.fixture
def wait(emulator_control: EmulatorControl | None) -> Iterator[Callable[[float], None]]:
    """How the scenario waits as a 429 tells it to: elsewhere it sleeps; on the emulator it
    advances the emulator's clock (its rate-limit windows follow it, A17), put back after."""
    if emulator_control is None:
        yield time.sleep
        return
    waited: list[float] = []

    def advance(seconds: float) -> None:
        emulator_control.advance_clock(seconds)
        waited.append(seconds)

    try:
        yield advance
    finally:
        if waited:
            emulator_control.advance_clock(-sum(waited))


def test_burst_gets_429_and_paced_client_completes(low_limit: EmulatorControl, client: MoniteClient,
                                                   wait: Callable[[float], None], check: Expectations) -> None:
    burst = [client.get("/ledger_accounts", paced=False) for _ in range(BURST)]
    statuses = [response.status_code for response in burst]
    limited = [response for response in burst if response.status_code == 429]
    check.expect(limited, catalogue.OVER_LIMIT_429, f"{BURST} requests at a limit of {LOW_LIMIT}/s answered {statuses}")
    for response in limited[:1]:
        retry_after = response.headers.get("retry-after", "")
        check.expect(retry_after.isdigit() and int(retry_after) >= 1, catalogue.OVER_LIMIT_429,
                     f"Retry-After is {retry_after!r}", response)
        check.expect(isinstance(response.json().get("error", {}).get("message"), str), catalogue.ERROR_BODY,
                     f"the 429 body is {response.text[:200]!r}", response)
    for response in [r for r in burst if r.status_code == 200][:1]:
        missing = [name for name in catalogue.RATE_LIMIT_HEADERS if name not in response.headers]
        check.expect(not missing, catalogue.RATE_HEADERS, f"a response under the limit lacks {missing}", response)
        check.expect(response.headers.get("RateLimit-Limit") == str(LOW_LIMIT), catalogue.RATE_LIMIT_VALUE,
                     f"RateLimit-Limit is {response.headers.get('RateLimit-Limit')!r}, the limit is {LOW_LIMIT}",
                     response)

    paced_client = client.waiting_with(wait)
    paced = [paced_client.get("/ledger_accounts") for _ in range(PACED_CALLS)]
    check.expect(all(response.status_code == 200 for response in paced), catalogue.CLIENT_BACKS_OFF,
                 f"the paced client's {PACED_CALLS} requests answered {[r.status_code for r in paced]}")


# --- the 429 probe: once per run, on a target without the control plane ------------------------
# What the docs say (docs: api/concepts/rate-limiting): a default of 30 requests per second per API
# client ("the sandbox may be lower"), the rate-limit headers on responses under the limit, and over
# it 429 with Retry-After in seconds. The probe reads the limit the target advertises, sends two
# waves of limit + 1 cheap reads at once (GET /accounting_connections: one small, unpaginated page;
# nothing that changes data), stops at the first 429, checks it, and waits as it says.
PROBE_PATH = "/accounting_connections"
PROBE_MAX_LIMIT = 100  # an advertised limit above this is not probed: at most 2 x 101 requests
PROBE_WAVES = 2
PROBE_THREADS = 16
PROBE_EMULATOR_LIMIT = 5  # on the emulator the probe runs against this limit, set through the control plane
ADVERTISED = ("X-RateLimit-Limit-Second", "RateLimit-Limit")


def _advertised_limit(response: httpx.Response) -> tuple[int, str]:
    """The per-second limit the target advertises, and where it came from."""
    for name in ADVERTISED:
        value = response.headers.get(name, "").strip()
        if value.isdigit() and int(value) > 0:
            return int(value), name
    return int(DOCUMENTED_RATE_LIMIT), "the documented default (no rate-limit header advertised one)"


@pytest.fixture
def probed_limit(emulator_control: EmulatorControl | None, monite_config: RunConfig) -> Iterator[None]:
    """The limit the probe exceeds: the target's own; on the emulator PROBE_EMULATOR_LIMIT, put back after."""
    if not monite_config.rate_limit_probe:
        pytest.skip("the 429 probe is switched off (--skip-rate-limit-probe)")
    if emulator_control is None:
        yield
        return
    before = emulator_control.rate_limit()
    emulator_control.set_rate_limit(PROBE_EMULATOR_LIMIT)
    try:
        yield
    finally:
        emulator_control.set_rate_limit(before)


@pytest.mark.operations("listAccountingConnections")
def test_advertised_limit_answers_429_then_lets_the_client_back(
        request: pytest.FixtureRequest, probed_limit: None, client: MoniteClient, wait: Callable[[float], None],
        check: Expectations) -> None:
    cost = {"requests": 0, "seconds": 0.0, "advertised_limit": None, "limit_source": None,
            "answered_429": False, "retry_after": None, "waited_seconds": 0.0}
    started = time.monotonic()
    try:
        _probe(client, check, cost, wait)
    finally:
        cost["seconds"] = round(time.monotonic() - started, 3)
        request.node.user_properties.append((catalogue.RATE_LIMIT_PROBE_PROPERTY, json.dumps(cost)))


def _probe(client: MoniteClient, check: Expectations, cost: dict[str, Any], wait: Callable[[float], None]) -> None:
    first = client.get(PROBE_PATH)  # paced, like any request: it also fetches the token first
    cost["requests"] += 1
    check.expect(first.status_code == 200, catalogue.LIST_OK, f"GET {PROBE_PATH} answered {first.status_code}", first)
    limit, source = _advertised_limit(first)
    cost["advertised_limit"], cost["limit_source"] = limit, source
    if limit > PROBE_MAX_LIMIT:
        pytest.skip(f"the 429 probe is bounded: the target advertises {limit} requests/s ({source}), over "
                    f"{PROBE_MAX_LIMIT}; not probed")
    wave = limit + 1
    limited: httpx.Response | None = None
    burst_started = time.monotonic()
    with ThreadPoolExecutor(max_workers=PROBE_THREADS) as pool:
        for _ in range(PROBE_WAVES):
            answers = list(pool.map(lambda _: client.get(PROBE_PATH, paced=False), range(wave)))
            cost["requests"] += len(answers)
            limited = next((answer for answer in answers if answer.status_code == 429), None)
            if limited is not None:
                break
    burst_seconds = time.monotonic() - burst_started
    sent = cost["requests"] - 1
    if limited is None:
        if burst_seconds >= 1.0:  # spread over more than a second: the limit may never have been passed
            pytest.skip(f"the 429 probe was inconclusive: {sent} requests took {burst_seconds:.1f} s, over a second "
                        f"at an advertised {limit} requests/s")
        check.expect(False, catalogue.OVER_ADVERTISED_LIMIT_429,
                     f"{sent} requests in {burst_seconds:.2f} s at an advertised limit of {limit}/s ({source}): "
                     "none answered 429")
        return
    cost["answered_429"] = True
    retry_after = limited.headers.get("retry-after", "")
    cost["retry_after"] = retry_after or None
    check.expect(retry_after.strip().isdigit(), catalogue.OVER_LIMIT_429,
                 f"the 429 has Retry-After {retry_after!r}, expected seconds to wait", limited)
    body = _json(limited)
    error = body.get("error") if isinstance(body, dict) else None
    check.expect(isinstance(error, dict) and isinstance(error.get("message"), str), catalogue.ERROR_BODY,
                 f"the 429 body is {limited.text[:200]!r}", limited)
    missing = [name for name in catalogue.RATE_LIMIT_HEADERS if name not in limited.headers]
    check.expect(not missing, catalogue.RATE_HEADERS_ON_429, f"the 429 lacks {missing}", limited)

    seconds = retry_after_seconds(limited)
    cost["waited_seconds"] = round(seconds, 3)
    wait(seconds)  # as told: the documented way back in
    after = client.get(PROBE_PATH, paced=False)
    cost["requests"] += 1
    check.expect(after.status_code == 200, catalogue.CLIENT_BACKS_OFF,
                 f"after waiting Retry-After ({retry_after!r}) the next request answered {after.status_code}", after)


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
