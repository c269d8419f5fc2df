"""What each scenario module declares it walks and changes is what it does (issue 17, item 4).

On a remote target the run's workers keep a test that walks one of the entity's lists apart from
a test that changes it (`conformance.commands.remote_workers`), going by the footprint each
scenario module declares beside its story (`pytest.mark.footprint`) and the one the stateful
chains take from the spec. A declaration that leaves a list out lets a walk meet a change and
report a broken contract that is not there, so here the scenarios and the stateful chain run
against a sandbox-like deployment that logs every request (no control plane, the lifecycle and
second entity set, as a QA engineer runs it), every request is mapped to the test that sent it
(tests/deployments/timeline.py), and what each test did is recorded:
- it walks a list when it read the list (or one of its items) successfully more than once, or
  followed a page token: the reads can then disagree with each other under a concurrent change;
- it changes a list when it sent a state-changing request to it that the target did not refuse
  (a 4xx answer changed nothing); a sync the target accepted changes every list.
The stateful chain skipped on a remote target must send nothing (its footprint is empty).
Each module's declaration (and the stateful chain's footprint) must cover what its tests did.
Over-declaring is allowed (a module may do more on another target: a bigger entity pages, a
target may accept a body ours refuses); leaving a list out is not, and the test pair below shows
the comparison failing on exactly that.
"""

from __future__ import annotations

import pkgutil
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

import conformance.suite.scenarios as scenarios_package
from conformance.commands import remote_workers
from conformance.commands.remote_workers import Footprint
from tests.cli_support import REPO
from tests.deployments import timeline
from tests.deployments.launcher import serve
from tests.deployments.runs import run_with_pytest

STATEFUL = "conformance/suite/property/test_property.py::test_stateful[connected]"
# Skipped on a remote target before it sends anything: its footprint is empty (no turn to wait for).
STATEFUL_SKIPPED = "conformance/suite/property/test_property.py::test_stateful[without-connection]"
SCENARIOS = remote_workers.SCENARIOS
# The 429 probe (test_11) runs only at an advertised limit up to 100/s; the highest keeps the run fast.
RATE_LIMIT = 100
API_PREFIX = "/v1"


def scenario_modules() -> list[str]:
    """Every scenario module, by the path its tests' node ids start with."""
    return [f"{SCENARIOS}{info.name}.py" for info in pkgutil.iter_modules(scenarios_package.__path__)
            if info.name.startswith("test_")]


def declaration(module: str) -> Footprint | None:
    """A scenario module's declared footprint (`pytest.mark.footprint` in its `pytestmark`)."""
    return remote_workers.declared_by_module(module)


def unit_of(test: str) -> str:
    return remote_workers.unit_of(test)


def recorded(requests: Iterable[tuple[str, str, str, int, str]],
             by: Callable[[str], str] = unit_of) -> dict[str, Footprint]:
    """What each unit (scenario module, stateful chain; or each test, `by` the test id) did, from
    (method, path, query, status, test) of every request; the path without the /v1 prefix."""
    reads: dict[str, Counter[str]] = defaultdict(Counter)
    walks: dict[str, set[str]] = defaultdict(set)
    changes: dict[str, set[str]] = defaultdict(set)
    for method, path, query, status, test in requests:
        name = remote_workers.list_of(path)
        if name is None:
            continue
        if method in remote_workers.SAFE_METHODS:
            if 200 <= status < 300:
                reads[test][name] += 1
                if "pagination_token=" in query:
                    walks[test].add(name)
        elif not 400 <= status < 500:
            accepted_sync = path.endswith(remote_workers.SYNC_SUFFIX) and 200 <= status < 300
            changes[test] |= set(remote_workers.LISTS) if accepted_sync else {name}
    for test, counted in reads.items():
        walks[test] |= {name for name, times in counted.items() if times > 1}
    units: dict[str, Footprint] = defaultdict(Footprint)
    for test in set(walks) | set(changes):
        units[by(test)] |= Footprint(frozenset(walks[test]), frozenset(changes[test]))
    return dict(units)


def uncovered(declared: Footprint, did: Footprint) -> list[str]:
    """What `did` has that `declared` leaves out, one line per kind."""
    problems = []
    if did.walks - declared.walks:
        problems.append(f"walks {sorted(did.walks - declared.walks)} undeclared")
    if did.changes - declared.changes:
        problems.append(f"changes {sorted(did.changes - declared.changes)} undeclared")
    return problems


def test_every_scenario_module_declares_its_footprint() -> None:
    modules = scenario_modules()
    assert len(modules) >= 13
    missing = [module for module in modules if declaration(module) is None]
    assert not missing, f"scenario modules without pytest.mark.footprint (they would run alone): {missing}"


def test_a_declaration_that_leaves_a_list_out_is_caught() -> None:
    """The comparison the run below makes: test_05 (filters) declares it walks synced records;
    had it also followed a ledger-account page token or created a ledger account, that would be
    reported; a refused change or a single read would not."""
    module = SCENARIOS + "test_05_filters.py"
    test = module + "::test_object_id"
    declared = declaration(module)
    assert declared is not None
    log = [("GET", "/accounting_synced_records", "object_type=vendor&limit=4", 200, test),
           ("GET", "/accounting_synced_records", "pagination_token=abc&limit=4", 200, test),
           ("GET", "/ledger_accounts", "", 200, test),  # one read: no walk
           ("POST", "/ledger_accounts", "", 422, test)]  # refused: no change
    assert uncovered(declared, recorded(log)[module]) == []
    paged = log + [("GET", "/ledger_accounts", "pagination_token=def", 200, test)]
    assert uncovered(declared, recorded(paged)[module]) == ["walks ['ledger_accounts'] undeclared"]
    created = log + [("POST", "/ledger_accounts", "", 201, test)]
    assert uncovered(declared, recorded(created)[module]) == ["changes ['ledger_accounts'] undeclared"]
    synced = log + [("POST", "/accounting_connections/c1/sync", "", 202, test)]
    assert uncovered(declared, recorded(synced)[module]) == [
        "changes ['connections', 'ledger_accounts', 'synced_records', 'tax_rates'] undeclared"]
    by_id_twice = log + [("GET", "/ledger_accounts/a1", "", 200, test)]
    assert uncovered(declared, recorded(by_id_twice)[module]) == ["walks ['ledger_accounts'] undeclared"]


@pytest.mark.long(45)  # ~40 s: 2,100 requests over loopback
def test_declared_footprints_cover_what_the_scenarios_and_the_stateful_chain_do(tmp_path: Path) -> None:
    with serve("control_plane_hidden", rate_limit=RATE_LIMIT) as served:
        outcome = run_with_pytest(served, tmp_path, "-k", "scenarios or test_stateful", f"--rootdir={REPO}")
        tests = timeline.read(tmp_path / "timeline.jsonl")
        log = [(entry.method, entry.path.removeprefix(API_PREFIX), entry.query, entry.status,
                timeline.which_test(tests, entry.started)) for entry in served.log.requests]
    assert outcome.returncode == 0, (outcome.failures, outcome.output[-3000:])
    ran = {unit_of(entry["nodeid"]) for entry in tests}
    expected = set(scenario_modules()) | {STATEFUL, STATEFUL_SKIPPED}
    assert expected <= ran, f"not run: {sorted(expected - ran)}"
    did = recorded(log)
    problems = []
    for unit in sorted(expected):
        declared = declaration(unit) if unit.startswith(SCENARIOS) else remote_workers.footprint_of_test(unit)
        assert declared is not None
        problems += [f"{unit}: {problem} (declared: {declared}; did: {did[unit]})"
                     for problem in uncovered(declared, did.get(unit, Footprint()))]
    # A module that declares its cases' footprints takes a turn per case: each case did only what
    # its own declares, but for the module's changes in its first and last case (module fixtures).
    per_test = recorded(log, by=lambda test: test)
    cases = {entry["nodeid"]: entry["case_footprint"] for entry in tests if "case_footprint" in entry}
    for test, case in cases.items():
        module = unit_of(test)
        order = [entry["nodeid"] for entry in tests if unit_of(entry["nodeid"]) == module]
        module_changes = declaration(module).changes if test in (order[0], order[-1]) else frozenset()
        allowed = Footprint(frozenset(case["walks"]), frozenset(case["changes"]) | module_changes)
        problems += [f"{test}: {problem} (case declares: {allowed}; did: {per_test.get(test)})"
                     for problem in uncovered(allowed, per_test.get(test, Footprint()))]
    assert not problems, "\n".join(problems)
    assert {unit_of(test) for test in cases} >= {SCENARIOS + "test_02_pagination.py", SCENARIOS + "test_04_sorting.py"}
    # the run did walk and change lists: the comparison had something to compare
    assert did[SCENARIOS + "test_02_pagination.py"].walks >= {remote_workers.LEDGER_ACCOUNTS}
    assert remote_workers.LEDGER_ACCOUNTS in did[SCENARIOS + "test_08_ledger_accounts.py"].changes
    assert did[STATEFUL].changes, "the stateful chain changed something"
