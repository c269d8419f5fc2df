"""The stateful phase: chains of calls that follow the spec's OpenAPI links.

The state machine schemathesis builds from the links sends each step through our CaseSender
(pinned identity, pacing, re-auth, recording), and is run with the profile's budget and seed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import hypothesis
import hypothesis.errors
import pytest
from hypothesis.errors import FlakyStrategyDefinition
from schemathesis import BaseSchema, Case, Response

from conformance.property.compat import StepInput, via_link
from conformance.safety.guard import NOT_SENT

from conformance.property.sending import CaseSender
from conformance.property.profiles import Profile

# Query parameters that shape a page without filtering it away.
PAGE_SHAPING = frozenset({"limit", "order", "sort"})


def drop_list_filters(case: Case) -> None:
    """Send a list call of a scenario without its optional filters.

    Random filters (an unknown object_id, a date range in 1970) almost always give an empty
    page, and an empty page feeds no link (`$response.body#/data/0/id`), so the chain would end
    there. The filters themselves are exercised by the examples, coverage and fuzzing phases.
    """
    if case.method.upper() != "GET" or not isinstance(case.query, dict):
        return
    required = {parameter.name for parameter in case.operation.query if parameter.is_required}
    for name in list(case.query):
        if name not in required and name not in PAGE_SHAPING:
            del case.query[name]


def monite_state_machine(schema: BaseSchema, sender: CaseSender,
                         before_scenario: Callable[[], None] | None = None) -> type:
    """The spec's state machine, sending through `sender`; `before_scenario` arranges the target."""
    base = schema.as_state_machine()

    class MoniteStateMachine(base):  # type: ignore[valid-type, misc]
        _via_link = False

        def setup(self) -> None:
            if before_scenario is not None:
                before_scenario()

        def step(self, input: StepInput) -> Any:
            # Whether this step's parameters came from an earlier response, for the statistics.
            self._via_link = via_link(input)
            return super().step(input)

        def before_call(self, case: Case) -> None:
            drop_list_filters(case)

        def get_call_kwargs(self, case: Case) -> dict[str, Any]:
            # The run's transport, for the step and for the probes its checks send.
            return sender.transport_kwargs()

        def call(self, case: Case, **kwargs: Any) -> Response:
            if sender.withhold(case):
                hypothesis.reject()  # this chain would change data the run did not create
            return sender.send(case, via_link=self._via_link, **kwargs)

        def validate_response(self, response: Response, case: Case,
                              additional_checks: list[Any] | None = None, **kwargs: Any) -> None:
            # As schemathesis' recording machine does, through the sender's checks (ignored_auth
            # once per operation and run).
            sender.validate(case, response, additional_checks=additional_checks, transport_kwargs=kwargs or None,
                            recorder=getattr(self, "recorder", None))

    return MoniteStateMachine


def stateful_settings(profile: Profile) -> hypothesis.settings:
    return hypothesis.settings(
        max_examples=profile.stateful_scenarios,
        stateful_step_count=profile.stateful_steps,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck),
        verbosity=hypothesis.Verbosity.quiet,
    )


def run_stateful(schema: BaseSchema, sender: CaseSender, profile: Profile, seed: int,
                 before_scenario: Callable[[], None] | None = None) -> None:
    """Run the link-following scenarios; raises the failures schemathesis' checks found.

    Hypothesis replays choices and expects the same rules to be available each time. That holds
    when every scenario starts from the same target state (`before_scenario` resets the emulator);
    a remote target whose state drifts can break it, which is no finding about the API, so the
    test is then skipped with the reason instead of failing. A check failure that does not
    reproduce on replay (FlakyFailure) still fails: it was seen.
    """
    machine = hypothesis.seed(seed)(monite_state_machine(schema, sender, before_scenario))
    try:
        machine.run(settings=stateful_settings(profile))
    except hypothesis.errors.Unsatisfiable:
        pytest.skip(f"{NOT_SENT}: every linked chain reached a resource the run did not create")
    except FlakyStrategyDefinition as exc:
        pytest.skip(f"stateful scenarios stopped: the target answered a replayed scenario differently ({exc})")
