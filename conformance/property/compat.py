"""Every use of schemathesis beyond its public API, in one place.

Everything else in the project uses schemathesis' public API (`schemathesis.openapi`
loaders, `schema.get_all_operations()`, `schema.auth`, `schema.hook`, `APIStateMachine.run`).
What is here has no public path yet:

- `StepInput`: the argument of `APIStateMachine.step`, which tells whether a stateful step's
  parameters came from an earlier response (a link) — for the run's statistics;
- `Failure` / `FailureGroup`: the types of check failures, to read their structured titles;
- `IGNORED_AUTH`: the built-in `ignored_auth` check, so a run can leave it out for an operation
  whose auth enforcement it already confirmed (what `schemathesis run` does: one confirmation
  per operation and run, `CheckContext.auth_enforced_operations`, which `Case.validate_response`
  does not take);
- `in_process_session`: a session of schemathesis' ASGI client class that calls an in-process
  app in the calling thread (`conformance.target.in_process`): schemathesis sends through an
  `ASGIClient` as it is, instead of across its portal thread;
- `run_phase`: one phase of one operation as a plain callable: exactly what
  `@schema.parametrize()` builds for each of its items (the same cases, the same seed per
  operation). The property tests parametrize themselves over the operations
  (`conformance.property.schema.phase_operations`) and call it, so their node ids are ours
  (`parametrize()`'s items all share one node id under pytest 9.2's naming); the project's own
  tests use it to prove each check on broken variants in-process.

- `without_local_constants`: Hypothesis' one setting-less habit that would make a run's cases
  depend on more than the seed and the spec (see there).

`tests/property/test_schemathesis_compat.py` fails with the installed schemathesis version named when
any of these changes shape.
"""

from __future__ import annotations

from collections.abc import Callable
from unittest import SkipTest

import schemathesis
from schemathesis import BaseSchema, Case
from schemathesis.core.failures import Failure, FailureGroup, as_reported_failure
from schemathesis.generation.stateful.state_machine import StepInput
from schemathesis.python.asgi import ASGIClient
from schemathesis.pytest._test_builder import build_operation_test
from schemathesis.specs.openapi.checks import ignored_auth as IGNORED_AUTH

VERSION = schemathesis.__version__

__all__ = ["IGNORED_AUTH", "in_process_session", "VERSION", "Failure", "FailureGroup", "StepInput", "run_phase", "via_link",
           "without_local_constants"]


def in_process_session(app: object) -> ASGIClient:
    """A session for `Case.call(session=...)` that reaches `app` in this thread; no proxies from
    the environment (requests would read them on every call)."""
    from conformance.target.in_process import RequestsAdapter

    session = ASGIClient(app)
    session.trust_env = False
    session.adapter = RequestsAdapter(app)
    session.mount("http://", session.adapter)
    session.mount("https://", session.adapter)
    return session


def via_link(step: StepInput) -> bool:
    """Whether a stateful step's parameters came from an earlier response."""
    return step.transition is not None and bool(step.applied_parameters)


def run_phase(schema: BaseSchema, operation_id: str, test: Callable[[Case], None]) -> None:
    """Run the enabled phase of `schema` for one operation, calling `test` with each case.

    Raises the reported failure (an exception group of `Failure`s) when checks failed; a
    skipped phase raises unittest's SkipTest.
    """
    from schemathesis.checks import load_all_checks
    from schemathesis.generation.feedback import FeedbackSources
    from schemathesis.generation.hypothesis.reporting import ignore_hypothesis_output
    from schemathesis.python._constants.orchestrator import make_constants_value_source

    load_all_checks()
    operation = schema.find_operation_by_id(operation_id)

    def exercise(case: Case) -> None:  # a plain function: Hypothesis decorates it
        test(case)

    built = build_operation_test(
        config=schema.config, operation=operation, test_func=exercise, given_kwargs={},
        feedback=FeedbackSources(constants_value_source=make_constants_value_source(schema)),
    )
    try:
        with ignore_hypothesis_output():  # as under schemathesis' pytest plugin: no Hypothesis banners
            built()
    except FailureGroup as exc:
        raise as_reported_failure(exc) from None
    except SkipTest:
        raise


def without_local_constants() -> None:
    """Generate from the seed and the spec alone, whatever modules this process has loaded.

    Hypothesis mixes into generated values the constants it finds in every "local" module
    (one outside site-packages) loaded in the process at the time of each case: in a checkout
    (an editable install) that is whichever of the suite's and the emulator's modules happen to
    be imported by then, which differs between the CLI process and an xdist worker, and from
    test to test as modules load lazily; from an installed wheel it is none. So the same seed
    gave other cases with `--workers 2` than with one process, and other cases in a checkout
    than for a user. With the pool empty, as for an installed package, the cases depend on the
    seed and the spec only. A Hypothesis without the pool (the floor, 6.130) mixes nothing in:
    nothing to do. (No public setting; `tests/property/test_schemathesis_compat.py` checks the
    pool is empty afterwards on the installed Hypothesis.)"""
    from hypothesis.internal.conjecture import providers

    current = getattr(providers, "_get_local_constants", None)
    if current is None:
        return
    if getattr(providers, "_monite_empty_constants", None) is None:
        factory = getattr(providers, "Constants", None)
        empty = factory() if factory is not None else type(current())()
        providers._monite_empty_constants = empty
        providers._get_local_constants = lambda: empty
