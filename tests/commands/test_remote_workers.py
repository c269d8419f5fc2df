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
from conformance.commands.remote_workers import unit_of
from conformance.config import RunConfig
from conformance.http import pacing
from tests.deployments.launcher import serve
from tests.deployments.runs import run_with_cli

PROPERTY = "conformance/suite/property/test_property.py::"


@pytest.mark.parametrize(("nodeid", "mode"), [
    # scenarios arrange and walk: a module's tests share its mode (its fixtures stand throughout)
    ("conformance/suite/scenarios/test_02_pagination.py::test_next_then_prev_round_trip[ledger_accounts-limit=1]",
     remote_workers.BOTH),
    ("conformance/suite/scenarios/test_07_tax_rates.py::test_unknown_tax_rate", remote_workers.NONE),
    (PROPERTY + "test_stateful[connected]", remote_workers.BOTH),  # chains that create, walk, delete
    (PROPERTY + "test_coverage[POST /ledger_accounts]", remote_workers.CHANGE),
    (PROPERTY + "test_fuzzing[PATCH /ledger_accounts/{ledger_account_id}]", remote_workers.CHANGE),
    (PROPERTY + "test_examples[POST /accounting_connections/{connection_id}/sync]", remote_workers.CHANGE),
    (PROPERTY + "test_coverage[GET /ledger_accounts]", remote_workers.WALK),  # follows the next page
    (PROPERTY + "test_coverage[GET /accounting_synced_records]", remote_workers.WALK),
    (PROPERTY + "test_coverage[GET /accounting_tax_rates]", remote_workers.NONE),  # nothing changes tax rates
    (PROPERTY + "test_fuzzing[GET /accounting_tax_rates/{tax_rate_id}]", remote_workers.NONE),
    (PROPERTY + "test_examples[GET /ledger_accounts/{ledger_account_id}]", remote_workers.NONE),  # by id
    (PROPERTY + "test_coverage[POST /auth/token]", remote_workers.NONE),
])
def test_how_each_test_uses_the_entity(nodeid: str, mode: str) -> None:
    assert remote_workers.mode_of(nodeid) == mode


def test_what_walks_and_changes_is_one_unit_in_order_the_rest_alone() -> None:
    pagination = "conformance/suite/scenarios/test_02_pagination.py::test_tampered_token_is_refused[tax_rates]"
    sorting = "conformance/suite/scenarios/test_04_sorting.py::test_sorted_across_pages[ledger_accounts-name-asc]"
    tax_rates = "conformance/suite/scenarios/test_07_tax_rates.py::test_unknown_tax_rate"
    assert unit_of(pagination) == unit_of(sorting) == unit_of(PROPERTY + "test_stateful[connected]")
    assert unit_of(tax_rates) == "conformance/suite/scenarios/test_07_tax_rates.py"
    assert unit_of(PROPERTY + "test_coverage[GET /ledger_accounts]") == PROPERTY + "test_coverage[GET /ledger_accounts]"
    # a scenario module holds its turn from its first test to its last
    assert remote_workers.turn_of(pagination) == "conformance/suite/scenarios/test_02_pagination.py"
    assert remote_workers.turn_of(PROPERTY + "test_stateful[connected]") == PROPERTY + "test_stateful[connected]"


def test_walks_and_changes_never_overlap_and_wait_in_turn(tmp_path: Path) -> None:
    """Workers 1 and 2 walk lists side by side; worker 3, asking to change, waits for both;
    worker 4 asking to walk after it waits too (first come, first served), and goes once
    worker 3 is done. A worker that died gives its turn back."""
    path = tmp_path / "turns"
    remote_workers.Turns.create(path)
    dead: set[int] = set()

    def turns(pid: int, on_wait=None) -> remote_workers.Turns:
        return remote_workers.Turns(path, pid=pid, sleep=on_wait or (lambda _: None), alive=lambda p: p not in dead)

    turns(1).enter(remote_workers.WALK)
    turns(2).enter(remote_workers.WALK)
    waits: list[str] = []

    def worker_3_waits(_: float) -> None:
        waits.append("3")
        if len(waits) == 1:
            turns(1).leave()
        elif len(waits) == 2:
            dead.add(2)  # worker 2 crashed holding its turn

    turns(3, worker_3_waits).enter(remote_workers.CHANGE)
    assert waits == ["3", "3"], "the change waited until neither walk held its turn"
    turns(4).enter(remote_workers.NONE)  # reads nothing anyone changes: never waits

    def worker_4_waits(_: float) -> None:
        waits.append("4")
        turns(3).leave()

    turns(4, worker_4_waits).enter(remote_workers.WALK)
    assert waits[-1] == "4", "a walk waits while a change holds its turn"


def _config(served, **options: object) -> RunConfig:
    env = {key: value for key, value in os.environ.items() if not key.startswith("MONITE_")} | served.env
    return RunConfig.resolve(env=env, target=served.base_url, **options)


def test_workers_are_opt_in_and_the_header_names_the_number_that_hides_the_round_trip(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The deployment advertises 30/s and answers 60 ms late. Unless `--workers` is given the
    run stays one process; away from this machine its header names `senders_for(30, rtt)`
    (tests/http/test_pacing.py) as the workers that would hide the round trip. On loopback nothing is
    suggested (a slow loopback answer is this machine's CPU, not distance); a `--workers` the
    user gave is kept, with the shared pace and side-by-side scheduling."""
    with serve("sandbox_30rps_60ms") as served:
        local = remote_workers.plan(_config(served), workers_given=False)
        given = remote_workers.plan(_config(served, workers=3), workers_given=True)
        with monkeypatch.context() as patched:
            patched.setattr(remote_workers, "on_this_machine", lambda target: False)
            away = remote_workers.plan(_config(served), workers_given=False)
    assert local.remote and local.chosen and local.config.workers == 1 and not local.side_by_side
    assert local.distance is not None and local.distance.advertised_limit == 30
    assert local.distance.round_trip >= 0.06, "the deployment answers 60 ms late"
    assert "would hide" not in local.describe()
    assert away.config.workers == 1 and not away.side_by_side
    assert away.distance is not None
    assert away.suggested == pacing.senders_for(30, away.distance.round_trip) > 1
    assert f"--workers {away.suggested} would hide the round trip" in away.describe()
    assert (given.remote, given.chosen, given.config.workers, given.side_by_side) == (True, False, 3, True)
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


def _hold_a_turn(path: str, mode: str, events: "multiprocessing.Queue[tuple[str, int, float]]") -> None:
    turns = remote_workers.Turns(path)
    turns.enter(mode)
    events.put(("in", os.getpid(), time.monotonic()))
    time.sleep(0.05)
    events.put(("out", os.getpid(), time.monotonic()))
    turns.leave()


def test_turns_exclude_each_other_across_processes(tmp_path: Path) -> None:
    """Three worker processes that each walk and change (`both`) hold their turns one after
    another: what one wrote is what the next reads (written and flushed under the lock)."""
    path = str(tmp_path / "turns")
    remote_workers.Turns.create(path)
    events: multiprocessing.Queue[tuple[str, int, float]] = multiprocessing.Queue()
    workers = [multiprocessing.Process(target=_hold_a_turn, args=(path, remote_workers.BOTH, events))
               for _ in range(3)]
    for worker in workers:
        worker.start()
    seen = sorted((events.get(timeout=60) for _ in range(6)), key=lambda event: event[2])
    for worker in workers:
        worker.join(timeout=60)
    holders = 0
    for kind, _, _ in seen:
        holders += 1 if kind == "in" else -1
        assert holders <= 1, f"two turns of `both` held at once: {seen}"
