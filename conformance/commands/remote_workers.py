"""On a remote target: enough requests in flight to use the rate allowance, without tests that
disturb each other.

Against a remote target one request at a time wastes the allowance: at the documented 30/s a
send slot is 33 ms, and a round trip of 60 ms leaves every second slot unused. Before pytest
starts, `measure` reads the limit the target advertises and its round trip (the fastest of a
few cheap reads), and `plan` picks the number of pytest-xdist workers
(`conformance.http.pacing.senders_for`: ceil(limit x round trip) + 1, at most 4; one when the
round trip is under half a slot). `--workers N` (flag or configuration file) always wins. The
workers take their send slots from one shared sequence (`pacing.SharedSlots`, the file named in
`pacing.SHARED_SLOTS_ENV`), so together they keep to the advertised limit and count the
requests in flight across the run.

What may run side by side (`unit_of`, the xdist scheduler `SideBySideScheduling`): the run only
changes what it created, but tests that create, change or delete resources of the user's entity
and tests that walk or count its lists must not overlap, or a walk meets an item another test
just created and reports a broken contract that is not there. So one worker runs, in the order
they are written, every scenario (they arrange, walk lists, compare requests; a module's tests
depend on its fixtures and order), the stateful chains, and the property tests of every
operation that changes state or lists a collection the run can change (ledger accounts,
connections, synced records: a sync of a connection the run created may add records). Beside it
run, each on its own, the property tests of reads nothing in the run can disturb: one resource
by id, the tax rates (the API has no operation that changes them), and token requests.

On the emulator with its control plane (in-process, `emulator-http`, or a URL that answers
/_emulator) nothing here applies: the run is scheduled as before.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import pluggy

from conformance.config import RunConfig
from conformance.http import pacing

_hookimpl = pluggy.HookimplMarker("pytest")  # = pytest.hookimpl, without importing pytest at start-up
SAMPLES = 3
PROBE_PATH = "/accounting_connections"  # one small page, changes nothing (also preflight's read)
ENTITY_UNIT = "the entity's lists (one worker, in order)"
SCENARIOS = "conformance/suite/scenarios/"
# Property tests of these operations read what no test of the run can change (see the module's doc).
UNDISTURBED = frozenset({"getAccountingConnection", "getSyncedRecord", "listTaxRates", "getTaxRate",
                         "getLedgerAccount", "createAccessToken"})


@dataclass(frozen=True)
class Distance:
    """What the run measured of a target before pytest starts."""

    control_plane: bool  # our emulator: assumptions bind, scheduling as before
    advertised_limit: float | None = None  # requests/s the target advertises (None: no header)
    round_trip: float = 0.0  # seconds, the fastest of SAMPLES reads


@dataclass(frozen=True)
class Plan:
    config: RunConfig  # with the workers the run uses
    remote: bool  # a target without the control plane: shared slots and side-by-side scheduling
    distance: Distance | None
    chosen: bool  # the workers were chosen here (not given)

    def describe(self) -> str:
        """One line for the run's header, or "" when there is nothing to say."""
        if not self.remote or self.distance is None:
            return ""
        limit = self.distance.advertised_limit
        said = (f"{self.config.workers} worker{'s' if self.config.workers > 1 else ''} "
                f"({'chosen' if self.chosen else 'given'}; advertised "
                f"{f'{limit:g}/s' if limit else 'no limit'}, round trip {self.distance.round_trip * 1000:.0f} ms)")
        return said


def measure(config: RunConfig) -> Distance:
    """Whether the target has the control plane; if not, its advertised limit and round trip."""
    from conformance.http.auth import TokenProvider, api_headers
    from conformance.target.control import EmulatorControl
    from conformance.target.targets import open_target

    with open_target(config) as target, target.http_client() as http:
        if EmulatorControl.discover(target, http) is not None:
            return Distance(control_plane=True)
        headers = api_headers(target.api_version, target.entity_id, TokenProvider(target, http).token())
        times: list[float] = []
        limit: float | None = None
        for _ in range(SAMPLES):
            started = time.monotonic()
            response = http.get(f"{target.base_url}{PROBE_PATH}", headers=headers)
            times.append(time.monotonic() - started)
            limit = pacing.advertised_limit(response.headers) or limit
        return Distance(control_plane=False, advertised_limit=limit, round_trip=min(times))


def pace_of(config: RunConfig, distance: Distance) -> float:
    """The requests per second the run will keep to: the advertised limit (the documented 30/s
    without one), capped by --rate-limit."""
    limit = distance.advertised_limit or pacing.DOCUMENTED_RATE
    return min(limit, config.rate_limit) if config.rate_limit else limit


def plan(config: RunConfig, workers_given: bool) -> Plan:
    """The run's workers: as given, or (remote target) enough to hide the round trip."""
    if config.starts_emulator:
        return Plan(config, remote=False, distance=None, chosen=False)
    try:
        distance = measure(config)
    except Exception:  # noqa: BLE001 (preflight reached the target; a hiccup here only costs speed)
        return Plan(config, remote=False, distance=None, chosen=False)
    if distance.control_plane:
        return Plan(config, remote=False, distance=distance, chosen=False)
    if workers_given:
        return Plan(config, remote=True, distance=distance, chosen=False)
    workers = pacing.senders_for(pace_of(config, distance), distance.round_trip)
    return Plan(replace(config, workers=workers), remote=True, distance=distance, chosen=True)


@contextlib.contextmanager
def shared_slots(plan: Plan) -> Iterator[None]:
    """For a remote run with several workers: the slot file they share, named in the
    environment the workers inherit; removed afterwards."""
    if not plan.remote or plan.config.workers < 2 or pacing.fcntl is None:
        yield
        return
    handle, path = tempfile.mkstemp(prefix="monite-pacing-", suffix=".slots")
    os.close(handle)
    before = os.environ.get(pacing.SHARED_SLOTS_ENV)
    limit = plan.distance.advertised_limit if plan.distance else None
    pacing.SharedSlots.create(path, limit).close()
    os.environ[pacing.SHARED_SLOTS_ENV] = path
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(pacing.SHARED_SLOTS_ENV, None)
        else:
            os.environ[pacing.SHARED_SLOTS_ENV] = before
        with contextlib.suppress(OSError):
            os.unlink(path)


@lru_cache(maxsize=None)
def unit_of(nodeid: str) -> str:
    """The unit of work a test belongs to: tests of one unit run in one worker, in order."""
    from conformance.spec.catalog import spec_catalog

    if nodeid.startswith(SCENARIOS) or "::test_stateful" in nodeid:
        return ENTITY_UNIT
    operation = spec_catalog().from_test_id(nodeid)
    if operation is not None and operation.operation_id in UNDISTURBED:
        return nodeid
    return ENTITY_UNIT


def _scheduling() -> type:
    from xdist.scheduler import LoadScopeScheduling

    class SideBySideScheduling(LoadScopeScheduling):  # type: ignore[misc]
        """xdist's scope scheduling with our units (`unit_of`) as the scopes: one unit at a time
        per worker, its tests in collection order; the largest unit goes out first."""

        def _split_scope(self, nodeid: str) -> str:
            return unit_of(nodeid)

    return SideBySideScheduling


class SideBySide:
    """pytest plugin of the run's own process (the xdist controller): schedules the workers
    with `SideBySideScheduling`."""

    @_hookimpl(tryfirst=True)  # before xdist's own, which would answer --dist loadscope
    def pytest_xdist_make_scheduler(self, config: Any, log: Any) -> Any:
        return _scheduling()(config, log)
