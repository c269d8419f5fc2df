"""The proxy's verdict and exit code: `--fail-on request|response|any` says which side's violations count.

A dependent service in CI usually wants `request` (its own calls are what it controls);
`response` and `any` also fail on what the upstream answered. Observations (assumption
deviations of an upstream that is not our emulator) never count.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

from conformance import exit_codes

if TYPE_CHECKING:  # the CLI imports FailOn for its options; keep that import light
    from conformance.proxy.recorder import Traffic


class FailOn(str, Enum):
    request = "request"
    response = "response"
    any = "any"


def counted(traffic: Traffic, fail_on: FailOn) -> int:
    """How many violations the chosen side(s) had."""
    request, response = traffic.counts["request"], traffic.counts["response"]
    return {FailOn.request: request, FailOn.response: response, FailOn.any: request + response}[fail_on]


def verdict(traffic: Traffic, fail_on: FailOn) -> str:
    """"violations" or "clean": the proxy's outcomes in the one exit-code table."""
    return "violations" if counted(traffic, fail_on) else "clean"


def exit_code(traffic: Traffic, fail_on: FailOn) -> int:
    return exit_codes.exit_code(verdict(traffic, fail_on))
