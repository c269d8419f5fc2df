"""Fixtures of the property tests: the phase schemas wired to this session's target, the sender."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import conformance.checks  # noqa: F401  (registers the Monite checks with schemathesis)
from conformance.http.auth import TokenProvider
from conformance.target.control import EmulatorControl
from conformance.redaction import redact
from conformance.property.arrange import (
    fresh_seeded_entity,
    without_active_connection,
)
from conformance.property.sending import CaseSender
from conformance.property.profiles import PHASES, PROFILES, Profile
from conformance.property.schema import phase_schema
from conformance.property.sending import observe_calls
from conformance.target.targets import Target

# Where to write what the property tests sent (phase, operation, mode, status, count) and how
# often they waited on a 429, if set: the benchmark and the project's tests read it.
STATS_ENV = "MONITE_PROPERTY_STATS"


def _redact_failure_text(report: pytest.TestReport) -> None:
    """Replace a failure's text by its redacted form when it shows a secret (else keep its structure)."""
    if report.longrepr is not None:
        text = str(report.longrepr)
        cleaned = redact(text)
        if cleaned != text:
            report.longrepr = cleaned


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """No failure text shows a token or secret: schemathesis masks its curl and headers, but a
    response body (an /auth/token answer) is shown as it came. Runs before junit.xml is written."""
    outcome = yield
    _redact_failure_text(outcome.get_result())


@pytest.hookimpl(trylast=True)
def pytest_exception_interact(node: pytest.Item, call: pytest.CallInfo, report: pytest.TestReport) -> None:
    """Schemathesis' own `pytest_exception_interact` rewrites a failure's text from the exception
    after the report was made; mask it again before the console prints it."""
    _redact_failure_text(report)


@pytest.fixture(scope="session")
def property_profile(monite_profile: str) -> Profile:
    return PROFILES[monite_profile]


@pytest.fixture(scope="session")
def case_sender(monite_target: Target, monite_tokens: TokenProvider,
                emulator_control: EmulatorControl | None) -> Iterator[CaseSender]:
    """Sends the cases of every phase to this session's target, with its token, observed;
    our assumptions bind only where the target is our emulator (it has the control plane)."""
    for phase in PHASES:
        observe_calls(phase_schema(phase), assumptions_bind=emulator_control is not None,
                      api_version=monite_target.api_version)
    sender = CaseSender(monite_target, monite_tokens)
    yield sender
    stats_file = os.environ.get(STATS_ENV)
    if stats_file:
        rows = [entry._asdict() | {"count": count} for entry, count in sorted(sender.sent.items())]
        stats = {"cases": rows, "waits_on_429": sender.waits_on_429}
        Path(stats_file).write_text(json.dumps(stats, indent=1), encoding="utf-8")


@pytest.fixture()
def property_entity(monite_target: Target, monite_tokens: TokenProvider,
                    emulator_control: EmulatorControl | None) -> dict | None:
    """The entity under test in a known state: on the emulator reset and seeded (returns the
    seeded connection); against a remote target the configured entity is used as it is."""
    if emulator_control is None:
        return None
    return fresh_seeded_entity(emulator_control, monite_tokens, monite_target.entity_id)


@pytest.fixture()
def arrange_scenario(request: pytest.FixtureRequest, monite_target: Target, monite_tokens: TokenProvider,
                     emulator_control: EmulatorControl | None) -> Callable[[], None] | None:
    """What runs before each stateful scenario, so every scenario starts alike: on the emulator a
    fresh seeded entity, its connection kept `connected` or deauthorized as the test asks
    (`request.param`; see `without_active_connection`). Nothing against a remote target, where
    the entity is used as it is: one stateful run there, the other is skipped."""
    if emulator_control is None:
        if request.param != "connected":
            pytest.skip("a remote target's connection state is its own: one stateful run covers it")
        return None
    control, keep_connected = emulator_control, request.param == "connected"

    def arrange() -> None:
        connection = fresh_seeded_entity(control, monite_tokens, monite_target.entity_id)
        if not keep_connected:
            without_active_connection(control, connection)

    return arrange
