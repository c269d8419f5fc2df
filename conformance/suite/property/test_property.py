"""Every operation of the spec, in every schemathesis phase, against the target.

One test per phase and operation (test ids like
`test_coverage[GET /ledger_accounts/{ledger_account_id}]`, the operation id in the parameter
`operation_id`), plus the stateful scenarios. The parametrization is ours, over the phase's
schema: each test runs what schemathesis' `@schema.parametrize()` would for its operation
(`conformance.property.compat.run_phase`), with ids that pytest's naming cannot merge. Every built-in check that applies runs on every response, with the Monite checks
(`conformance.checks`); `missing_required_header` and `unsupported_method` act on the
coverage phase's cases, `use_after_free` and `ensure_resource_availability` on the stateful
chains, the others everywhere. Built-in checks left out, and why
(`conformance.property.profiles.CHECKS`):
- `object_level_authorization`: needs two identities that own different objects; the suite
  acts as one partner (cross-entity isolation, A3, is a scenario).
- `max_response_time`: no response time is documented; a limit would only measure the machine.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conformance.property.compat import run_phase
from conformance.property.profiles import Profile
from conformance.property.schema import phase_operations, phase_schema
from conformance.property.sending import CaseSender
from conformance.property.stateful import run_stateful

pytestmark = pytest.mark.property


def _each_operation(phase: str) -> pytest.MarkDecorator:
    return pytest.mark.parametrize(
        "operation_id", [pytest.param(operation_id, id=label) for operation_id, label in phase_operations(phase)])


@_each_operation("examples")
def test_examples(operation_id: str, case_sender: CaseSender, property_entity: dict | None) -> None:
    """The spec's own examples, missing parts filled in."""
    run_phase(phase_schema("examples"), operation_id, case_sender.send_and_validate)


@_each_operation("coverage")
def test_coverage(operation_id: str, case_sender: CaseSender, property_entity: dict | None) -> None:
    """Boundary and missing values of every parameter and body field, valid and invalid,
    undeclared methods and missing required headers."""
    run_phase(phase_schema("coverage"), operation_id, case_sender.send_and_validate)


@_each_operation("fuzzing")
def test_fuzzing(operation_id: str, case_sender: CaseSender, property_entity: dict | None) -> None:
    """Random valid and invalid requests, within the profile's budget per operation."""
    run_phase(phase_schema("fuzzing"), operation_id, case_sender.send_and_validate)


@pytest.mark.parametrize("arrange_scenario", ["connected", "without-connection"], indirect=True)
def test_stateful(case_sender: CaseSender, property_profile: Profile, monite_seed: int,
                  arrange_scenario: Callable[[], None] | None) -> None:
    """Chains of calls along the spec's OpenAPI links (create -> get -> update -> delete ...).

    On the emulator twice: with the seeded connection connected (pushes and the synced data's
    links succeed; a second connection is refused, A5), and without an active connection (the
    connection lifecycle: create -> get / sync / disconnect). Against a remote target once, with
    the entity as it is.
    """
    run_stateful(phase_schema("stateful"), case_sender, property_profile, monite_seed, arrange_scenario)
