"""The run's verdict; its exit code comes from the one policy (`conformance.exit_codes`)."""

from __future__ import annotations

import pytest

from conformance.exit_codes import EXIT_CODES, worst
from conformance.verdict.results import RunResults

__all__ = ["CONFORMS", "ERROR", "EXIT_CODES", "FAILURES", "INCOMPLETE", "INTERRUPTED", "NO_TESTS", "UNREACHABLE",
           "USAGE", "verdict_of", "worst_exit_code"]

CONFORMS, INCOMPLETE, FAILURES, USAGE, NO_TESTS, UNREACHABLE, ERROR, INTERRUPTED = (
    "conforms", "incomplete", "failures", "usage", "no-tests", "unreachable", "error", "interrupted")



def worst_exit_code(codes: list[int]) -> int:
    """The worst of several runs' exit codes (`conformance.exit_codes.worst`)."""
    return worst(codes)


def verdict_of(exitstatus: int, results: RunResults, collection_errors: bool, incomplete: bool = False) -> str:
    """What a finished pytest session means for the target. `incomplete`: checks could not run
    and the run requires completeness (--require-complete): a run that would conform does not."""
    if results.interrupted:
        return INTERRUPTED
    # Exit status 2 without Ctrl-C is the suite's own pytest.exit(returncode=2): a config error.
    if exitstatus in (pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.INTERRUPTED):
        return USAGE
    if exitstatus == pytest.ExitCode.INTERNAL_ERROR or collection_errors:
        return ERROR
    if results.unreachable:
        return UNREACHABLE
    if results.failures():
        return FAILURES
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED or not results.tests:
        return NO_TESTS
    if exitstatus != pytest.ExitCode.OK:
        return ERROR
    return INCOMPLETE if incomplete else CONFORMS
