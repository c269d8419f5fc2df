"""The run's verdict and the CLI exit code it maps to (the README's "Exit codes")."""

from __future__ import annotations

import pytest

from conformance.verdict.results import RunResults

CONFORMS, INCOMPLETE, FAILURES, USAGE, NO_TESTS, UNREACHABLE, ERROR, INTERRUPTED = (
    "conforms", "incomplete", "failures", "usage", "no-tests", "unreachable", "error", "interrupted")

EXIT_CODES = {
    CONFORMS: 0,      # the target conforms (accepted deviations included)
    FAILURES: 1,      # conformance failures
    USAGE: 2,         # usage or configuration error
    NO_TESTS: 2,      # usage: the selection left no test to run
    UNREACHABLE: 3,   # target unreachable or credentials rejected
    ERROR: 4,         # the suite itself broke (collection or internal error): a bug to report
    INTERRUPTED: 130,  # Ctrl-C (128 + SIGINT); created resources were cleaned up, reports are partial
    INCOMPLETE: 5,    # --require-complete: no failure, but checks could not run (skipped tests, cases not sent)
}


# Exit codes from the best news to the worst: the one code of several runs (a differential run)
# is the worst of theirs. A code not listed here counts as the suite's own error.
_SEVERITY = (EXIT_CODES[CONFORMS], EXIT_CODES[INCOMPLETE], EXIT_CODES[FAILURES], EXIT_CODES[UNREACHABLE], EXIT_CODES[ERROR],
             EXIT_CODES[USAGE], EXIT_CODES[INTERRUPTED])


def worst_exit_code(codes: list[int]) -> int:
    """The worst of several runs' exit codes (interrupted > usage > error > unreachable > failures >
    incomplete > conforms)."""
    def rank(code: int) -> float:
        return _SEVERITY.index(code) if code in _SEVERITY else _SEVERITY.index(EXIT_CODES[ERROR]) + 0.5
    return max(codes, key=rank) if codes else EXIT_CODES[CONFORMS]


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
