"""Fixtures of the scenarios: whose entity, which client, how checks judge, what to undo.

On the emulator (it has a control plane) every scenario gets an entity of its own and
assumptions bind; elsewhere the scenarios share MONITE_ENTITY_ID and a broken assumption
is reported as an observation. Read-only modules share one seeded entity per module.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from conformance.http.auth import TokenProvider
from conformance.http.client import MoniteClient
from conformance.target.control import EmulatorControl
from conformance.expectations.kinds import Expectations
from conformance.suite.scenarios.arrange import (LIFECYCLE_ENTITY_NEEDED, ScenarioEntities, SeededEntity,
                                                 active_connection, seed_entity)
from conformance.suite.scenarios.cleanup import Cleanup
from conformance.target.targets import Target


@pytest.fixture(scope="session")
def scenario_entities(emulator_control: EmulatorControl | None) -> ScenarioEntities | None:
    """Names each scenario's own entity on the emulator; None elsewhere."""
    return ScenarioEntities(emulator_control) if emulator_control is not None else None


@pytest.fixture
def entity_id(request: pytest.FixtureRequest, monite_target: Target,
              scenario_entities: ScenarioEntities | None) -> str:
    """The entity the scenario acts for: its own on the emulator, MONITE_ENTITY_ID elsewhere."""
    if scenario_entities is None:
        return monite_target.entity_id
    return scenario_entities.entity_id(request.node.nodeid)


@pytest.fixture
def other_entity_id(request: pytest.FixtureRequest, monite_target: Target,
                    scenario_entities: ScenarioEntities | None) -> str:
    """A second entity of the same partner, for isolation and foreign-token checks."""
    if scenario_entities is not None:
        return scenario_entities.entity_id(request.node.nodeid + "#other")
    if not monite_target.other_entity_id:
        pytest.skip("needs a second entity: set MONITE_OTHER_ENTITY_ID")
    return monite_target.other_entity_id


@pytest.fixture
def client(monite_client: MoniteClient, entity_id: str) -> MoniteClient:
    return monite_client.for_entity(entity_id)


@pytest.fixture
def lifecycle_client(client: MoniteClient, emulator_control: EmulatorControl | None,
                     monite_lifecycle_entity: str | None) -> MoniteClient:
    """A client of an entity the scenario may connect and disconnect in: its own on the emulator,
    MONITE_LIFECYCLE_ENTITY_ID elsewhere (it must have no active connection; the user's entity
    has one, and the run never touches it). What the scenario creates there it disconnects."""
    if emulator_control is not None:
        return client
    if not monite_lifecycle_entity:
        pytest.skip(LIFECYCLE_ENTITY_NEEDED)
    lifecycle = client.for_entity(monite_lifecycle_entity)
    existing = active_connection(lifecycle)
    if existing is not None:
        pytest.skip(f"the lifecycle entity (MONITE_LIFECYCLE_ENTITY_ID) has an active connection "
                    f"({existing.get('status')}) the run did not create; it needs none")
    return lifecycle


@pytest.fixture
def other_client(client: MoniteClient, other_entity_id: str) -> MoniteClient:
    return client.for_entity(other_entity_id)


@pytest.fixture
def check(request: pytest.FixtureRequest, emulator_control: EmulatorControl | None,
          client: MoniteClient) -> Expectations:
    """Judges each assertion by its rule; assumptions bind only on the emulator."""
    return Expectations(request.node, assumptions_bind=emulator_control is not None, context=client.last)


def _undone_afterwards(what: str) -> Iterator[Cleanup]:
    steps = Cleanup()
    yield steps
    failures = steps.run()
    if failures:
        pytest.fail(f"could not remove what the {what} created: " + "; ".join(failures), pytrace=False)


@pytest.fixture
def cleanup() -> Iterator[Cleanup]:
    """What the scenario created, undone after it (also after a failure)."""
    yield from _undone_afterwards("scenario")


@pytest.fixture(scope="module")
def seeded(request: pytest.FixtureRequest, monite_target: Target, emulator_control: EmulatorControl | None,
           scenario_entities: ScenarioEntities | None) -> SeededEntity:
    """One seeded entity shared by a read-only module; the module's SEED_COUNTS say how much.

    Without the control plane nothing can be seeded: the module reads MONITE_ENTITY_ID's data.
    """
    if emulator_control is None or scenario_entities is None:
        return SeededEntity(monite_target.entity_id)
    counts = getattr(request.module, "SEED_COUNTS", {})
    return seed_entity(emulator_control, scenario_entities.entity_id(request.node.nodeid), **counts)


@pytest.fixture(scope="module")
def seeded_client(seeded: SeededEntity, monite_target: Target, monite_tokens: TokenProvider,
                  monite_http: httpx.Client) -> MoniteClient:
    """A client of the module's seeded entity, for module-scoped arranging."""
    return MoniteClient(monite_target, monite_tokens, monite_http, entity_id=seeded.entity_id)


@pytest.fixture(scope="module")
def module_cleanup() -> Iterator[Cleanup]:
    """What a module's shared arrangement created, undone after the module (also after failures)."""
    yield from _undone_afterwards("module")
