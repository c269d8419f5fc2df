"""11. Rate limits: a burst over a low limit gets 429 with Retry-After; the paced client gets through.

Only on the emulator: the limit is lowered through the control plane (and restored after), a
shared sandbox is not burst on purpose. The emulator's window is one wall-clock second
(A17), so the paced part waits about a second, as a real client would.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conformance.http.client import MoniteClient
from conformance.target.control import EmulatorControl
from conformance.rules.kinds import Expectations
from conformance.suite.scenarios import rules
from conformance.suite.scenarios.arrange import require_control

pytestmark = pytest.mark.scenario

LOW_LIMIT = 3
BURST = 4 * LOW_LIMIT  # a 429 unless the burst spreads over four windows (seconds)
PACED_CALLS = LOW_LIMIT  # the burst used up the window: the first of these must wait (or see it turn)


@pytest.fixture
def low_limit(emulator_control: EmulatorControl | None) -> Iterator[EmulatorControl]:
    """The emulator with LOW_LIMIT requests per second, put back as it was afterwards."""
    control = require_control(emulator_control, "lower the rate limit")
    before = int(control.state().get("rate_limit_per_second", 10000))
    control.set_rate_limit(LOW_LIMIT)
    try:
        yield control
    finally:
        control.set_rate_limit(before)


def test_burst_gets_429_and_paced_client_completes(low_limit: EmulatorControl, client: MoniteClient,
                                                   check: Expectations) -> None:
    burst = [client.get("/ledger_accounts", paced=False) for _ in range(BURST)]
    statuses = [response.status_code for response in burst]
    limited = [response for response in burst if response.status_code == 429]
    check.expect(limited, rules.OVER_LIMIT_429, f"{BURST} requests at a limit of {LOW_LIMIT}/s answered {statuses}")
    for response in limited[:1]:
        retry_after = response.headers.get("retry-after", "")
        check.expect(retry_after.isdigit() and int(retry_after) >= 1, rules.OVER_LIMIT_429,
                     f"Retry-After is {retry_after!r}", response)
        check.expect(isinstance(response.json().get("error", {}).get("message"), str), rules.ERROR_BODY,
                     f"the 429 body is {response.text[:200]!r}", response)
    for response in [r for r in burst if r.status_code == 200][:1]:
        missing = [name for name in rules.RATE_LIMIT_HEADERS if name not in response.headers]
        check.expect(not missing, rules.RATE_HEADERS, f"a response under the limit lacks {missing}", response)
        check.expect(response.headers.get("RateLimit-Limit") == str(LOW_LIMIT), rules.RATE_LIMIT_VALUE,
                     f"RateLimit-Limit is {response.headers.get('RateLimit-Limit')!r}, the limit is {LOW_LIMIT}",
                     response)

    paced = [client.get("/ledger_accounts") for _ in range(PACED_CALLS)]
    check.expect(all(response.status_code == 200 for response in paced), rules.CLIENT_BACKS_OFF,
                 f"the paced client's {PACED_CALLS} requests answered {[r.status_code for r in paced]}")
