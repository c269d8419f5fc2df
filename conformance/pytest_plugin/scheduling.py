"""How a run on an emulator it starts itself spreads its tests over pytest-xdist workers, so
that the results do not depend on the spreading.

Each worker starts its own emulator, and the emulator's state carries from test to test (ids
of created things come from a sequence that only a reset restarts; scenarios create fresh
entities but do not reset). So a test's answers depend on what ran before it *in its
process*. xdist's own schedulers hand tests out as workers free up, which differs from run to
run. Here the collection is cut into fixed groups, each a run of consecutive tests that starts
where a one-process run would have the same emulator state:

- `generated`: the property tests of the examples, coverage and fuzzing phases (the first
  tests collected: a fresh process in a one-process run too);
- `chained`: from the first stateful property test on (it resets and seeds the emulator before
  it starts, as every property test does), then every scenario, in collection order.

Each group runs whole, in collection order, in one worker: the same sequence of requests
against the same emulator state as the one-process run, so the same answers. The controller
puts the reports back in collection order before it builds the report
(`conformance.report.plugin`). Splitting where `test_stateful` starts also balances the two
halves of the quick profile (each about half of the run's test time).
"""

from __future__ import annotations

from typing import Any

GENERATED, CHAINED = "generated", "chained"
# The first test of the `chained` group: the stateful property tests, then the scenarios.
CHAIN_START = "conformance/suite/property/test_property.py::test_stateful"
SCENARIOS = "conformance/suite/scenarios/"


def group_of(nodeid: str) -> str:
    """The group a test runs in (see the module's docstring)."""
    if nodeid.startswith(CHAIN_START) or nodeid.startswith(SCENARIOS):
        return CHAINED
    return GENERATED


def groups(collection: list[str]) -> dict[str, str]:
    """The group of each test of `collection` (in collection order). Split only where a stateful
    test starts the `chained` run: when the selection left them out, the first scenario would
    meet a fresh emulator in its worker but the previous tests' state in one process, so then
    every test is in one group (one worker)."""
    chained = [nodeid for nodeid in collection if group_of(nodeid) == CHAINED]
    split = bool(chained) and chained[0].startswith(CHAIN_START)
    return {nodeid: group_of(nodeid) if split else GENERATED for nodeid in collection}


def make_scheduler(config: Any, log: Any) -> Any:
    """xdist's scope scheduler with our groups as its scopes: each group is one work unit, given
    whole to one worker, its tests in collection order."""
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):  # type: ignore[misc]
        _groups: dict[str, str] | None = None

        def _split_scope(self, nodeid: str) -> str:
            if self._groups is None:  # the scheduler has the whole collection by now
                self._groups = groups(list(self.collection or []))
            return self._groups.get(nodeid, GENERATED)

    return GroupScheduling(config, log)
