"""One exit-code policy for every command: one table of outcomes, one function (README "Exit codes").

Each command (run, the differential run, compare, diff, proxy) names the outcome it ended in;
`exit_code` maps it to the process's code. The same outcome means the same code everywhere: 1
is always "what you asked to be judged fails" (conformance failures, a difference or change at
or above `--fail-on`, a proxy violation on the `--fail-on` side), 2 always a usage error, 3
always "the other side could not be reached or read".
"""

from __future__ import annotations

from collections.abc import Iterable

# outcome -> (exit code, what it means); the README's table is this one.
OUTCOMES: dict[str, tuple[int, str]] = {
    "conforms": (0, "the target conforms; nothing at or above --fail-on (accepted deviations and "
                    "observations do not count)"),
    "clean": (0, "proxy, replay: no violation on the --fail-on side"),
    "no-difference": (0, "compare, diff: nothing --fail-on names"),
    "failures": (1, "run: conformance failures"),
    "violations": (1, "proxy, replay: a violation on the --fail-on side"),
    "differences": (1, "compare: a difference --fail-on names; diff: a change at or above --fail-on; a "
                       "differential run with --fail-on-difference: the versions behave differently"),
    "usage": (2, "usage or configuration error: one line on stderr, no traceback"),
    "no-tests": (2, "run: the selection left no test (a usage error)"),
    "unreachable": (3, "run: target unreachable or credentials rejected; proxy: the upstream did not answer "
                       "at start; diff: a document that cannot be fetched or read"),
    "error": (4, "the suite itself broke (a collection or internal error): a bug to report, see pytest.log"),
    "incomplete": (5, "run with --require-complete: no failure, but checks could not run"),
    "under-coverage": (6, "run with --min-coverage: no failure, but a coverage threshold was not met"),
    "interrupted": (130, "interrupted (Ctrl-C): created resources were cleaned up, the reports are partial"),
}
EXIT_CODES: dict[str, int] = {outcome: code for outcome, (code, _) in OUTCOMES.items()}

OK = EXIT_CODES["conforms"]
FAILURES = EXIT_CODES["failures"]
USAGE = EXIT_CODES["usage"]
UNREACHABLE = EXIT_CODES["unreachable"]
ERROR = EXIT_CODES["error"]
INCOMPLETE = EXIT_CODES["incomplete"]
UNDER_COVERAGE = EXIT_CODES["under-coverage"]
INTERRUPTED = EXIT_CODES["interrupted"]

# From the best news to the worst: the one code of several runs (a differential run) is the
# worst of theirs. A code not listed here counts just above the suite's own error.
SEVERITY = (OK, INCOMPLETE, UNDER_COVERAGE, FAILURES, UNREACHABLE, ERROR, USAGE, INTERRUPTED)


def exit_code(outcome: str) -> int:
    """The exit code of `outcome`; an outcome the table does not know is the suite's own error."""
    return EXIT_CODES.get(outcome, ERROR)


def worst(codes: Iterable[int]) -> int:
    """The worst of several exit codes (interrupted > usage > error > unreachable > failures >
    under-coverage > incomplete > conforms)."""
    def rank(code: int) -> float:
        return SEVERITY.index(code) if code in SEVERITY else SEVERITY.index(ERROR) + 0.5
    return max(codes, key=rank, default=OK)
