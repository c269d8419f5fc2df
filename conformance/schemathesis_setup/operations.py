"""Run one phase (examples, coverage or fuzzing) of one operation as a Hypothesis test.

This is what `schemathesis.pytest.from_fixture` does for each operation (same builder), done
per pytest item instead of as subtests of one: the suite parametrizes its tests by operationId,
so each operation and phase is its own test id (selectable with -k, reported on its own), and
the schema is aimed at the target from the session's fixtures. (`from_fixture` itself also
fails on pytest 9.2, whose nodes no longer have the `_nodeid` it rewrites.)
"""

from __future__ import annotations

from functools import lru_cache
from unittest import SkipTest

import pytest
from schemathesis import BaseSchema, Case
from schemathesis.checks import load_all_checks
from schemathesis.core.failures import FailureGroup, as_reported_failure
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.pytest._test_builder import build_operation_test
from schemathesis.python._constants.orchestrator import make_constants_value_source

from conformance.schemathesis_setup.calls import CaseSender
from conformance.specfile import load_spec

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@lru_cache(maxsize=1)
def operation_ids() -> tuple[str, ...]:
    """The operationIds of the spec, in document order."""
    return tuple(
        operation["operationId"]
        for path_item in load_spec().get("paths", {}).values()
        for method, operation in path_item.items()
        if method in HTTP_METHODS and "operationId" in operation
    )


def run_operation(schema: BaseSchema, operation_id: str, sender: CaseSender) -> None:
    """Generate the cases of the schema's enabled phase for one operation; send and check each."""
    load_all_checks()
    operation = schema.find_operation_by_id(operation_id)

    def exercise(case: Case) -> None:
        sender.send_and_validate(case)

    test = build_operation_test(
        config=schema.config,
        operation=operation,
        test_func=exercise,
        given_kwargs={},
        feedback=FeedbackSources(constants_value_source=make_constants_value_source(schema)),
    )
    try:
        test()
    except FailureGroup as exc:
        raise as_reported_failure(exc) from None
    except SkipTest as exc:
        pytest.skip(str(exc))
