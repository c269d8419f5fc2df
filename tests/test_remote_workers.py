"""A remote target's round trip is hidden by workers that share one pace (issue 17, item 4):
`conformance.commands.remote_workers` and the shared slots of `conformance.http.pacing`.

Nothing here reads the wall clock: the run against a deployment that answers 60 ms late only
asserts that requests overlapped (summary.json `pacing.peak_in_flight`) and that none was
refused, never how long anything took.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conformance.commands import remote_workers
from conformance.commands.remote_workers import ENTITY_UNIT, unit_of
from conformance.config import RunConfig
from conformance.http import pacing
from tests.deployments.launcher import serve
from tests.deployments.runs import run_with_cli

PROPERTY = "conformance/suite/property/test_property.py::"


@pytest.mark.parametrize("nodeid", [
    "conformance/suite/scenarios/test_07_tax_rates.py::test_get_by_id",  # scenarios: in order, one worker
    "conformance/suite/scenarios/test_02_pagination.py::test_next_then_prev_round_trip[ledger_accounts-limit=1]",
    PROPERTY + "test_stateful[connected]",  # chains that create, change and delete
    PROPERTY + "test_coverage[POST /ledger_accounts]",  # creates in the user's entity
    PROPERTY + "test_fuzzing[PATCH /ledger_accounts/{ledger_account_id}]",
    PROPERTY + "test_examples[POST /accounting_connections/{connection_id}/sync]",
    PROPERTY + "test_coverage[GET /ledger_accounts]",  # walks a list the run changes
    PROPERTY + "test_coverage[GET /accounting_synced_records]",  # a sync of a run's connection may add
    PROPERTY + "test_coverage[GET /accounting_connections]",
])
def test_what_changes_or_walks_the_entity_runs_in_one_unit(nodeid: str) -> None:
    assert unit_of(nodeid) == ENTITY_UNIT


@pytest.mark.parametrize("nodeid", [
    PROPERTY + "test_coverage[GET /accounting_tax_rates]",  # no operation changes tax rates
    PROPERTY + "test_fuzzing[GET /accounting_tax_rates/{tax_rate_id}]",
    PROPERTY + "test_examples[GET /ledger_accounts/{ledger_account_id}]",  # one resource, by id
    PROPERTY + "test_coverage[POST /auth/token]",
])
def test_reads_nothing_can_disturb_run_beside_it(nodeid: str) -> None:
    assert unit_of(nodeid) == nodeid


def _config(served, **options: object) -> RunConfig:
    env = {key: value for key, value in os.environ.items() if not key.startswith("MONITE_")} | served.env
    return RunConfig.resolve(env=env, target=served.base_url, **options)


def test_workers_are_chosen_from_the_round_trip_unless_given() -> None:
    """60 ms late at an advertised 30/s: a round trip spans two slots, so three senders; a
    `--workers` the user gave is kept; the same deployment without its latency on loopback
    needs one (`senders_for`)."""
    with serve("sandbox_30rps_60ms") as served:
        chosen = remote_workers.plan(_config(served), workers_given=False)
        given = remote_workers.plan(_config(served, workers=2), workers_given=True)
    assert chosen.remote and chosen.chosen
    assert chosen.distance is not None and chosen.distance.advertised_limit == 30
    assert chosen.distance.round_trip >= 0.06, "the deployment answers 60 ms late"
    assert chosen.config.workers == pacing.senders_for(30, chosen.distance.round_trip) >= 3
    assert (given.remote, given.chosen, given.config.workers) == (True, False, 2)


def test_against_a_distant_target_requests_overlap_without_a_429(tmp_path: Path) -> None:
    """The tax-rate property tests against a deployment that advertises 30/s and answers 60 ms
    late: the run picks several workers, more than one request is in flight at once, and the
    shared pace keeps every answer under the limit."""
    with serve("sandbox_30rps_60ms") as served:
        outcome = run_with_cli(served, tmp_path, "--only", "tax-rates", "--suite", "property")
        statuses = [entry.status for entry in served.log.requests]
    assert outcome.summary is not None, outcome.output[-2000:]
    pacing_seen = outcome.summary["pacing"]
    assert outcome.returncode == 0, outcome.failures
    assert "workers (chosen" in outcome.output, "the run says how many workers it chose"
    assert pacing_seen["peak_in_flight"] > 1, f"one request at a time: {pacing_seen}"
    assert statuses.count(429) == 0 and pacing_seen["waits_on_429"] == 0, f"answers: {sorted(set(statuses))}"
    assert pacing_seen["advertised_limit"] == 30
