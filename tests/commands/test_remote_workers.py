"""A remote target's round trip is hidden by workers that share one pace (issue 17, item 4):
`conformance.commands.remote_workers` and the shared slots of `conformance.http.pacing`.

Nothing here reads the wall clock: the run against a deployment that answers 60 ms late only
asserts that requests overlapped (summary.json `pacing.peak_in_flight`) and that none was
refused, never how long anything took.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path

import pytest

from conformance.commands import remote_workers
from conformance.commands.remote_workers import Footprint, unit_of
from conformance.config import RunConfig
from conformance.http import pacing
from tests.deployments.launcher import serve
from tests.deployments.runs import run_with_cli

PROPERTY = "conformance/suite/property/test_property.py::"
SCENARIOS = "conformance/suite/scenarios/"
LA, CONN, SR, TR = (remote_workers.LEDGER_ACCOUNTS, remote_workers.CONNECTIONS, remote_workers.SYNCED_RECORDS,
                    remote_workers.TAX_RATES)


def _fp(walks: tuple[str, ...] = (), changes: tuple[str, ...] = ()) -> Footprint:
    return Footprint(frozenset(walks), frozenset(changes))


@pytest.mark.parametrize(("nodeid", "footprint"), [
    (PROPERTY + "test_coverage[POST /ledger_accounts]", _fp(changes=(LA,))),
    (PROPERTY + "test_fuzzing[PATCH /ledger_accounts/{ledger_account_id}]", _fp(changes=(LA,))),
    (PROPERTY + "test_examples[DELETE /ledger_accounts/{ledger_account_id}]", _fp(changes=(LA,))),
    (PROPERTY + "test_coverage[POST /accounting_connections]", _fp(changes=(CONN,))),
    (PROPERTY + "test_fuzzing[POST /accounting_synced_records/{synced_record_id}/push]", _fp(changes=(SR,))),
    # a sync pulls records, tax rates and ledger accounts, and stamps the connection
    (PROPERTY + "test_examples[POST /accounting_connections/{connection_id}/sync]", _fp(changes=(LA, CONN, SR, TR))),
    (PROPERTY + "test_coverage[GET /ledger_accounts]", _fp(walks=(LA,))),  # follows the next page
    (PROPERTY + "test_coverage[GET /accounting_synced_records]", _fp(walks=(SR,))),
    (PROPERTY + "test_fuzzing[GET /accounting_tax_rates]", _fp(walks=(TR,))),
    (PROPERTY + "test_coverage[GET /accounting_connections]", _fp()),  # unpaginated: each answer on its own
    (PROPERTY + "test_fuzzing[GET /accounting_tax_rates/{tax_rate_id}]", _fp()),  # one resource by id
    (PROPERTY + "test_examples[GET /ledger_accounts/{ledger_account_id}]", _fp()),
    (PROPERTY + "test_coverage[POST /auth/token]", _fp()),
    # chains read lists and act on the items they found there: everything
    (PROPERTY + "test_stateful[connected]", remote_workers.EVERYTHING),
    (PROPERTY + "test_stateful[without-connection]", _fp()),  # skipped on a remote target: waits for nothing
    (PROPERTY + "test_something_new[GET /nowhere]", remote_workers.EVERYTHING),  # unknown: may do anything
])
def test_footprint_of_a_property_test_comes_from_its_operation(nodeid: str, footprint: Footprint) -> None:
    assert remote_workers.footprint_of_test(nodeid) == footprint


@pytest.mark.parametrize(("one", "other", "conflict"), [
    (_fp(walks=(LA,)), _fp(changes=(LA,)), True),
    (_fp(changes=(LA,)), _fp(walks=(LA, SR)), True),
    (_fp(walks=(LA, SR)), _fp(walks=(LA, SR)), False),  # walks beside walks
    (_fp(changes=(LA,)), _fp(changes=(LA,)), False),  # changes beside changes
    (_fp(walks=(LA,), changes=(LA,)), _fp(walks=(SR,), changes=(CONN,)), False),  # different lists
    (_fp(walks=(SR,)), _fp(changes=(LA, CONN, SR, TR)), True),
    (_fp(), remote_workers.EVERYTHING, False),  # touches no list
])
def test_two_tests_conflict_when_ones_walks_meet_the_others_changes(one: Footprint, other: Footprint,
                                                                      conflict: bool) -> None:
    assert one.conflicts_with(other) is conflict
    assert other.conflicts_with(one) is conflict


class _Item:
    """What `footprint_of` and `turn_for` read of a pytest item: its module's footprint marker
    and, where the module declares one per case, the case's own (on the item itself)."""

    def __init__(self, nodeid: str, marker: object = None, case: object = None) -> None:
        self.nodeid, self._marker, self._case = nodeid, marker, case

    def iter_markers_with_node(self, name: str) -> list[tuple[object, object]]:
        if name != remote_workers.FOOTPRINT_MARKER:
            return []
        found = [(self, self._case)] if self._case is not None else []
        return found + ([("module", self._marker)] if self._marker is not None else [])


def test_a_scenario_modules_footprint_is_its_declaration() -> None:
    nodeid = SCENARIOS + "test_05_filters.py::test_object_id"
    declared = pytest.mark.footprint(walks=(SR,), changes=()).mark
    assert remote_workers.footprint_of(_Item(nodeid, declared)) == _fp(walks=(SR,))
    assert remote_workers.footprint_of(_Item(nodeid)) == remote_workers.EVERYTHING, "undeclared: anything"
    with pytest.raises(ValueError, match="unknown list"):
        remote_workers.footprint_of(_Item(nodeid, pytest.mark.footprint(walks=("invoices",)).mark))


def test_a_module_that_declares_its_cases_takes_a_turn_per_case(monkeypatch: pytest.MonkeyPatch) -> None:
    """test_02's cases each walk one list: each takes its own turn, with the module's changes
    (its module fixtures arrange and clean up) only in the first case and the last."""
    monkeypatch.setattr(remote_workers, "_arranged", set())
    module = pytest.mark.footprint(walks=(LA, SR, TR), changes=(LA,)).mark
    tests = [_Item(SCENARIOS + f"test_02_pagination.py::test_x[{name}]", module,
                   pytest.mark.footprint(walks=(walks,)).mark) for name, walks in (("a", SR), ("b", TR), ("c", LA))]
    after = _Item(SCENARIOS + "test_03_limit_bounds.py::test_y", module)
    turns = [remote_workers.turn_for(item, following) for item, following in zip(tests, [*tests[1:], after])]
    assert turns == [(tests[0].nodeid, _fp(walks=(SR,), changes=(LA,))),
                     (tests[1].nodeid, _fp(walks=(TR,))),
                     (tests[2].nodeid, _fp(walks=(LA,), changes=(LA,)))]
    # a module without per-case footprints holds one turn for the module, with its whole footprint
    assert remote_workers.turn_for(after, None) == (SCENARIOS + "test_03_limit_bounds.py", _fp(walks=(LA, SR, TR), changes=(LA,)))
    assert remote_workers.case_footprint(after) is None


def test_every_scenario_module_and_every_stateful_chain_is_a_unit_of_its_own() -> None:
    pagination = SCENARIOS + "test_02_pagination.py::test_tampered_token_is_refused[tax_rates]"
    pagination_too = SCENARIOS + "test_02_pagination.py::test_next_then_prev_round_trip[ledger_accounts-limit=1]"
    sorting = SCENARIOS + "test_04_sorting.py::test_sorted_across_pages[ledger_accounts-name-asc]"
    stateful = PROPERTY + "test_stateful[connected]"
    assert unit_of(pagination) == unit_of(pagination_too) == SCENARIOS + "test_02_pagination.py"
    assert unit_of(sorting) == SCENARIOS + "test_04_sorting.py"
    assert unit_of(stateful) == stateful
    assert unit_of(PROPERTY + "test_coverage[GET /ledger_accounts]") == PROPERTY + "test_coverage[GET /ledger_accounts]"
    # a scenario module holds its turn from its first test to its last
    assert remote_workers.turn_of(pagination) == SCENARIOS + "test_02_pagination.py"
    assert remote_workers.turn_of(stateful) == stateful
    # stateful chains go out first, then scenario modules (most tests first), then the rest
    units = {PROPERTY + "test_coverage[GET /ledger_accounts]": 1, SCENARIOS + "test_04_sorting.py": 12,
             stateful: 1, SCENARIOS + "test_02_pagination.py": 60}
    order = sorted(units, key=lambda unit: remote_workers.unit_rank(unit, units[unit]))
    assert order == [stateful, SCENARIOS + "test_02_pagination.py", SCENARIOS + "test_04_sorting.py",
                     PROPERTY + "test_coverage[GET /ledger_accounts]"]


def test_a_free_worker_gets_the_first_unit_that_conflicts_with_nothing_the_others_have() -> None:
    stateful = PROPERTY + "test_stateful[connected]"
    pagination, filters = SCENARIOS + "test_02_pagination.py", SCENARIOS + "test_05_filters.py"
    sorting = SCENARIOS + "test_04_sorting.py"
    by_id = PROPERTY + "test_coverage[GET /ledger_accounts/{ledger_account_id}]"
    queue = [stateful, pagination, sorting, filters, by_id]
    assert remote_workers.next_unit(queue, []) == stateful
    assert remote_workers.next_unit(queue[1:], [stateful]) == by_id, "beside a stateful chain: what touches no list"
    assert remote_workers.next_unit(queue[2:], [pagination]) == filters, "walks synced records: 02 changes none"
    assert remote_workers.next_unit([sorting], [pagination]) == sorting, "nothing free: the first, it waits its turn"
    # the controller reads a scenario module's declaration from the module itself
    assert remote_workers.footprint_of_unit(filters) == _fp(walks=(SR,))
    assert remote_workers.footprint_of_unit(stateful) == remote_workers.EVERYTHING


def test_walks_and_changes_of_one_list_never_overlap_and_wait_in_turn(tmp_path: Path) -> None:
    """Workers 1 and 2 walk ledger accounts side by side; worker 3, asking to change them, waits
    for both; worker 4, changing connections, goes at once; worker 5 asking to walk ledger
    accounts after worker 3 asked waits too (first come, first served), and goes once worker 3
    is done. A worker that died gives its turn back."""
    path = tmp_path / "turns"
    remote_workers.Turns.create(path)
    dead: set[int] = set()

    def turns(pid: int, on_wait=None) -> remote_workers.Turns:
        return remote_workers.Turns(path, pid=pid, sleep=on_wait or (lambda _: None), alive=lambda p: p not in dead)

    turns(1).enter(_fp(walks=(LA,)))
    turns(2).enter(_fp(walks=(LA, SR)))
    waits: list[str] = []

    def worker_3_waits(_: float) -> None:
        waits.append("3")
        if len(waits) == 1:
            turns(1).leave()
        elif len(waits) == 2:
            dead.add(2)  # worker 2 crashed holding its turn

    turns(3, worker_3_waits).enter(_fp(changes=(LA,)))
    assert waits == ["3", "3"], "the change waited until neither walk held its turn"
    turns(4, lambda _: waits.append("4")).enter(_fp(walks=(CONN,), changes=(CONN,)))  # another list
    turns(6).enter(_fp())  # touches no list: never waits
    assert waits == ["3", "3"], "a test of another list went at once"

    def worker_5_waits(_: float) -> None:
        waits.append("5")
        turns(3).leave()

    turns(5, worker_5_waits).enter(_fp(walks=(LA,)))
    assert waits[-1] == "5", "a walk waits while a change of its list holds its turn"


def test_a_walk_asked_for_after_a_change_waits_behind_it(tmp_path: Path) -> None:
    """First come, first served: worker 2 asks to change ledger accounts while worker 1 walks
    them; worker 3, asking to walk them after worker 2 asked, does not slip in beside worker 1."""
    path = tmp_path / "turns"
    remote_workers.Turns.create(path)
    seen: list[str] = []

    def turns(pid: int, on_wait=None) -> remote_workers.Turns:
        return remote_workers.Turns(path, pid=pid, sleep=on_wait or (lambda _: None), alive=lambda p: True)

    turns(1).enter(_fp(walks=(LA,)))
    turns(2)._transact(lambda entries: entries.append([2, [], [LA], "want"]))  # asked, not yet its turn

    def worker_3_waits(_: float) -> None:
        seen.append("3 waits")
        if len(seen) == 1:
            turns(1).leave()
        else:
            turns(2)._transact(lambda entries: entries.__setitem__(slice(None), [e for e in entries if e[0] != 2]))

    turns(3, worker_3_waits).enter(_fp(walks=(LA,)))
    assert seen == ["3 waits", "3 waits"], "the walk waited for the change asked for before it"


def _config(served, **options: object) -> RunConfig:
    env = {key: value for key, value in os.environ.items() if not key.startswith("MONITE_")} | served.env
    return RunConfig.resolve(env=env, target=served.base_url, **options)


def test_a_distant_target_gets_the_workers_that_hide_its_round_trip_loopback_one(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The deployment advertises 30/s and answers 60 ms late. Away from this machine the run
    chooses `senders_for(30, rtt)` workers (tests/http/test_pacing.py), side by side, and says
    so; on loopback it keeps one (a slow loopback answer is this machine's CPU, not distance)
    and names the number nowhere; a `--workers` the user gave is kept, with the shared pace and
    side-by-side scheduling."""
    with serve("sandbox_30rps_60ms") as served:
        local = remote_workers.plan(_config(served), workers_given=False)
        given = remote_workers.plan(_config(served, workers=3), workers_given=True)
        alone = remote_workers.plan(_config(served, workers=1), workers_given=True)
        with monkeypatch.context() as patched:
            patched.setattr(remote_workers, "on_this_machine", lambda target: False)
            away = remote_workers.plan(_config(served), workers_given=False)
            away_alone = remote_workers.plan(_config(served, workers=1), workers_given=True)
    assert local.remote and local.chosen and local.config.workers == 1 and not local.side_by_side
    assert local.distance is not None and local.distance.advertised_limit == 30
    assert local.distance.round_trip >= 0.06, "the deployment answers 60 ms late"
    assert "would hide" not in local.describe()
    assert away.distance is not None
    assert away.config.workers == away.suggested == pacing.senders_for(30, away.distance.round_trip) > 1
    assert away.chosen and away.side_by_side
    assert away.describe().startswith(f"{away.suggested} workers (chosen; advertised 30/s")
    assert "would hide" not in away.describe()
    assert (given.remote, given.chosen, given.config.workers, given.side_by_side) == (True, False, 3, True)
    assert alone.config.workers == 1 and not alone.side_by_side
    # one process given against a distant target: the header names what would hide the round trip
    assert away_alone.config.workers == 1 and not away_alone.side_by_side
    assert f"--workers {away.suggested} would hide the round trip" in away_alone.describe()
    assert remote_workers.on_this_machine("http://127.0.0.1:8080/v1")
    assert not remote_workers.on_this_machine("https://api.sandbox.monite.com/v1")


def test_against_a_distant_target_requests_overlap_without_a_429(tmp_path: Path) -> None:
    """The tax-rate property tests against a deployment that advertises 30/s and answers 60 ms
    late, with the workers the run chooses for such a target away from this machine
    (`senders_for(30, 0.06)`): more than one request is in flight at once, and the shared pace
    keeps every answer under the limit."""
    with serve("sandbox_30rps_60ms") as served:
        outcome = run_with_cli(served, tmp_path, "--only", "tax-rates", "--suite", "property",
                               "--workers", str(pacing.senders_for(30, 0.06)))
        statuses = [entry.status for entry in served.log.requests]
    assert outcome.summary is not None, outcome.output[-2000:]
    pacing_seen = outcome.summary["pacing"]
    assert outcome.returncode == 0, outcome.failures
    assert "3 workers (given" in outcome.output, "the run says how many workers it uses"
    assert pacing_seen["peak_in_flight"] > 1, f"one request at a time: {pacing_seen}"
    assert statuses.count(429) == 0 and pacing_seen["waits_on_429"] == 0, f"answers: {sorted(set(statuses))}"
    assert pacing_seen["advertised_limit"] == 30


def _hold_a_turn(path: str, events: "multiprocessing.Queue[tuple[str, int, float]]") -> None:
    turns = remote_workers.Turns(path)
    turns.enter(remote_workers.EVERYTHING)
    events.put(("in", os.getpid(), time.monotonic()))
    time.sleep(0.05)
    events.put(("out", os.getpid(), time.monotonic()))
    turns.leave()


def test_turns_exclude_each_other_across_processes(tmp_path: Path) -> None:
    """Three worker processes that each walk and change every list hold their turns one after
    another: what one wrote is what the next reads (written and flushed under the lock)."""
    path = str(tmp_path / "turns")
    remote_workers.Turns.create(path)
    events: multiprocessing.Queue[tuple[str, int, float]] = multiprocessing.Queue()
    workers = [multiprocessing.Process(target=_hold_a_turn, args=(path, events))
               for _ in range(3)]
    for worker in workers:
        worker.start()
    seen = sorted((events.get(timeout=60) for _ in range(6)), key=lambda event: event[2])
    for worker in workers:
        worker.join(timeout=60)
    holders = 0
    for kind, _, _ in seen:
        holders += 1 if kind == "in" else -1
        assert holders <= 1, f"two conflicting turns held at once: {seen}"
