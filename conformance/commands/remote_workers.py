"""On a remote target: enough requests in flight to use the rate allowance, without tests that
disturb each other.

Against a remote target one request at a time wastes the allowance: at the documented 30/s a
send slot is 33 ms, and a round trip of 60 ms leaves every second slot unused. Before pytest
starts, `measure` reads the limit the target advertises and its round trip (the fastest of a
few cheap reads), and `plan` works out how many pytest-xdist workers would keep the allowance
busy (`conformance.http.pacing.senders_for`: ceil(limit x round trip) + 1, at most 4; one when
the round trip is under half a slot or 20 ms, and on a loopback target, whose slow answers are
this machine's busy CPU, not distance). Workers on a remote target are opt-in: a run uses one
process unless `--workers N` (flag or configuration file) says otherwise, and its header line
names the number that would hide the round trip. One process is the default because it is the
simplest thing to trust against a user's entity; with N workers the run is faster only where
the round trip, not the tests that must run alone (below), sets the pace (bench/pacing_results.md).
The workers take their send slots from one shared sequence (`pacing.SharedSlots`, the file named in
`pacing.SHARED_SLOTS_ENV`), so together they keep to the advertised limit and count the
requests in flight across the run.

What may run side by side: the run only changes what it created, but a test that walks one of
the entity's lists across requests (pagination round trips, sorting across pages, the property
tests' next-page follow-up) must not overlap a test that creates, changes or deletes resources
there, or the walk meets an item that appeared or vanished under it and reports a broken
contract that is not there. Each test has a mode (`mode_of`): `walk` (property tests of list
operations the run can change: ledger accounts, connections, synced records, which a sync of a
connection the run created may add to), `change` (property tests of every other state-changing
operation), `both` (every scenario module but the two below, which arrange and walk; the
stateful chains) and `none` (reads no test can disturb: one resource by id, the tax rates (no
operation changes them), token requests, and the tax-rate and rate-limit scenario modules).
Walks run beside walks and changes beside changes, never a walk beside a change, and `both`
alone among them (`Turns`, first come, first served across the workers). A scenario module holds
its turn from its first test to its last (its fixtures stand throughout), any other test for
itself. Units of work (`unit_of`, the xdist scheduler `SideBySideScheduling`): every `both` test
in one unit, run by one worker in collection order (they could never run beside each other
anyway, and the other workers meanwhile take the rest); every other test a unit of its own (the
two `none` scenario modules one unit each).

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
    suggested: int = 1  # the workers that would hide the round trip (the header names it)

    @property
    def side_by_side(self) -> bool:
        """Whether the run's controller schedules remote workers with `SideBySide`."""
        return self.remote and self.config.workers > 1

    def describe(self) -> str:
        """One line for the run's header, or "" when there is nothing to say."""
        if not self.remote or self.distance is None:
            return ""
        limit = self.distance.advertised_limit
        said = (f"{self.config.workers} worker{'s' if self.config.workers > 1 else ''} "
                f"({'chosen' if self.chosen else 'given'}; advertised "
                f"{f'{limit:g}/s' if limit else 'no limit'}, round trip {self.distance.round_trip * 1000:.0f} ms)")
        if self.suggested > self.config.workers:
            said += f"; --workers {self.suggested} would hide the round trip"
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


def on_this_machine(target: str) -> bool:
    """Whether the target URL names this machine (loopback)."""
    from urllib.parse import urlparse

    host = (urlparse(target).hostname or "").lower()
    return host in ("localhost", "::1") or host.startswith("127.")


def pace_of(config: RunConfig, distance: Distance) -> float:
    """The requests per second the run will keep to: the advertised limit (the documented 30/s
    without one), capped by --rate-limit."""
    limit = distance.advertised_limit or pacing.DOCUMENTED_RATE
    return min(limit, config.rate_limit) if config.rate_limit else limit


def plan(config: RunConfig, workers_given: bool) -> Plan:
    """The run's workers: as given, else one process; on a remote target also the number that
    would hide its round trip (for the header)."""
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
    if on_this_machine(config.target):
        # No network distance to hide: a slow answer from loopback is this machine's busy CPU,
        # which more workers only make busier (`--workers N` still applies).
        return Plan(replace(config, workers=1), remote=True, distance=distance, chosen=True)
    suggested = pacing.senders_for(pace_of(config, distance), distance.round_trip)
    return Plan(replace(config, workers=1), remote=True, distance=distance, chosen=True, suggested=suggested)


@contextlib.contextmanager
def shared_slots(plan: Plan) -> Iterator[None]:
    """For a remote run with several workers: the slot file and the turns file they share,
    named in the environment the workers inherit; removed afterwards."""
    if not plan.remote or plan.config.workers < 2 or pacing.fcntl is None:
        yield
        return
    folder = tempfile.mkdtemp(prefix="monite-workers-")
    slots, turns = os.path.join(folder, "slots"), os.path.join(folder, "turns")
    limit = plan.distance.advertised_limit if plan.distance else None
    pacing.SharedSlots.create(slots, limit).close()
    Turns.create(turns)
    before = {name: os.environ.get(name) for name in (pacing.SHARED_SLOTS_ENV, TURNS_ENV)}
    os.environ[pacing.SHARED_SLOTS_ENV], os.environ[TURNS_ENV] = slots, turns
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        for path in (slots, turns, folder):
            with contextlib.suppress(OSError):
                os.unlink(path) if path != folder else os.rmdir(path)


# How a test uses the user's entity (`mode_of`). Tests of conflicting modes never run at once.
NONE = "none"  # reads nothing another test of the run can change
WALK = "walk"  # reads a list across several requests (pages, a follow-up page)
CHANGE = "change"  # creates, changes or deletes resources in the entity (its own)
BOTH = "both"  # arranges and walks, or may do anything (scenarios, stateful chains)
CONFLICTS = {NONE: frozenset(), WALK: frozenset({CHANGE, BOTH}), CHANGE: frozenset({WALK, BOTH}),
             BOTH: frozenset({WALK, CHANGE, BOTH})}
# Scenario modules that touch nothing another test changes: the tax rates (no operation changes
# them) and the rate-limit probe (cheap reads; its burst holds every worker's pacing a window).
SCENARIO_MODES = {"test_07_tax_rates.py": NONE, "test_11_rate_limits.py": NONE}
TURNS_ENV = "MONITE_CONFORMANCE_TURNS"  # the run's turns file, for its workers
TURN_POLL_SECONDS = 0.02


def _module(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


@lru_cache(maxsize=None)
def mode_of(nodeid: str) -> str:
    """How the test uses the entity; a scenario module's tests share the module's mode (its
    fixtures arrange for the whole module)."""
    from conformance.openapi.catalog import spec_catalog

    if nodeid.startswith(SCENARIOS):
        return SCENARIO_MODES.get(_module(nodeid).rsplit("/", 1)[-1], BOTH)
    if "::test_stateful" in nodeid:
        return BOTH
    operation = spec_catalog().from_test_id(nodeid)
    if operation is None:
        return BOTH
    if operation.operation_id in UNDISTURBED:
        return NONE
    return WALK if operation.method == "GET" else CHANGE


BOTH_UNIT = "walks and arrangements of the entity (one worker, in order)"


def unit_of(nodeid: str) -> str:
    """The unit of work a test belongs to, run by one worker in collection order: every test
    that walks and changes (`both`: the scenario modules, the stateful chains) in one unit, as
    they could never run beside each other anyway (the other workers meanwhile run the rest); a
    scenario module that does neither is a unit of its own (its tests share its fixtures);
    every other test is a unit alone."""
    if mode_of(nodeid) == BOTH:
        return BOTH_UNIT
    return _module(nodeid) if nodeid.startswith(SCENARIOS) else nodeid


def turn_of(nodeid: str) -> str:
    """What a turn is held for: a scenario module from its first test to its last (its
    fixtures arrange for the whole module), any other test alone."""
    return _module(nodeid) if nodeid.startswith(SCENARIOS) else nodeid


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Turns:
    """Who may run now, across the run's workers: each worker asks for its test's mode and
    waits while a worker holds, or asked earlier for, a conflicting one (first come, first
    served: a long stream of one mode cannot starve the other). Kept in a small JSON file
    under an exclusive lock; the entries of a worker that died are dropped."""

    def __init__(self, path: str | os.PathLike[str], *, pid: int | None = None,
                 sleep: Any = time.sleep, alive: Any = _alive) -> None:
        self.path, self.pid = os.fspath(path), os.getpid() if pid is None else pid
        self._sleep, self._alive = sleep, alive

    @classmethod
    def create(cls, path: str | os.PathLike[str]) -> None:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write("[]")

    def _transact(self, change: Any) -> Any:
        import fcntl
        import json

        with open(self.path, "r+", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                try:
                    read = json.loads(handle.read() or "[]")
                except ValueError:  # never written half (written and flushed under the lock)
                    read = []
                entries = [entry for entry in read if self._alive(entry[0])]
                result = change(entries)
                handle.seek(0)
                handle.truncate()
                handle.write(json.dumps(entries))
                handle.flush()  # before the lock is let go, not when the file closes
                return result
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def enter(self, mode: str) -> None:
        """Block until this worker may run a test of `mode`."""
        if mode == NONE:
            return

        def ask(entries: list[list[Any]]) -> None:
            entries[:] = [entry for entry in entries if entry[0] != self.pid]
            entries.append([self.pid, mode, "want"])

        def try_take(entries: list[list[Any]]) -> bool:
            for entry in entries:
                if entry[0] == self.pid:
                    entry[2] = "hold"
                    return True
                if entry[1] in CONFLICTS[mode]:  # held, or asked for before us
                    return False
            entries.append([self.pid, mode, "hold"])  # our entry was lost: take it now
            return True

        self._transact(ask)
        while not self._transact(try_take):
            self._sleep(TURN_POLL_SECONDS)

    def leave(self) -> None:
        self._transact(lambda entries: entries.__setitem__(slice(None), [e for e in entries if e[0] != self.pid]))


_turns: Turns | None = None
_holding: str | None = None  # the scenario module whose turn this worker holds across its tests


@_hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: Any, nextitem: Any) -> Iterator[None]:
    """In an xdist worker of a remote run: wait for the test's turn, give it back after (a
    scenario module's after its last test)."""
    global _turns, _holding
    path = os.environ.get(TURNS_ENV)
    if not path or not hasattr(item.config, "workerinput"):
        yield
        return
    if _turns is None:
        _turns = Turns(path)
    unit = turn_of(item.nodeid)
    if _holding != unit:
        if _holding is not None:
            _turns.leave()
            _holding = None
        _turns.enter(mode_of(item.nodeid))
    try:
        yield
    finally:
        if unit != item.nodeid and nextitem is not None and turn_of(nextitem.nodeid) == unit:
            _holding = unit  # the module goes on: its fixtures still stand
        else:
            _turns.leave()
            _holding = None


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
