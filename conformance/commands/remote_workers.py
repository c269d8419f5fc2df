"""On a remote target: enough requests in flight to use the rate allowance, without tests that
disturb each other.

Against a remote target one request at a time wastes the allowance: at the documented 30/s a
send slot is 33 ms, and a round trip of 60 ms leaves every second slot unused. Before pytest
starts, `measure` reads the limit the target advertises and its round trip (the fastest of a
few cheap reads), and `plan` works out how many pytest-xdist workers keep the allowance busy
(`conformance.http.pacing.senders_for`: ceil(limit x round trip) + 1, at most 4; one when the
round trip is under half a slot or 20 ms). A remote target gets that many unless `--workers N`
(flag or configuration file) says otherwise; a loopback target gets one unless given (its slow
answers are this machine's busy CPU, not distance, which more workers only make busier). The
header line says how many and why. The workers take their send slots from one shared sequence
(`pacing.SharedSlots`, the file named in `pacing.SHARED_SLOTS_ENV`), so together they keep to the
advertised limit and count the requests in flight across the run.

What may run side by side: the run only changes what it created, but a test that walks one of
the entity's lists across requests (pagination round trips, sorting across pages, the property
tests' next-page follow-up, a list read compared with another read) must not overlap a test that
creates, changes, deletes, pushes or syncs in that list, or the walk meets an item that appeared,
changed or vanished under it and reports a broken contract that is not there. Each test has a
`Footprint`: the lists it walks and the lists it changes, among ledger accounts, connections,
synced records and tax rates (only a sync changes those: it pulls them with the records and
ledger accounts, and stamps the connection). Two tests conflict when one's walks meet the other's
changes; walks beside walks, changes beside changes and tests of different lists run side by
side. Where footprints come from (`footprint_of`):
- a property test: from its operation in the spec (`operation_footprint`): a paginated list read
  walks its list (the next-page follow-up compares two pages); a state-changing operation changes
  its list, a sync every list; a read by id, the unpaginated connection list (each answer checked
  on its own) and token requests touch nothing another test changes;
- a stateful chain: everything (`stateful_footprint`): it reads lists and follows their items'
  links to reads, changes and deletes (which the guard allows on anything the run created, in
  any test), follows next pages, creates and syncs;
- a scenario module: declared beside its story, `pytest.mark.footprint(walks=..., changes=...)`
  in its `pytestmark`, for a target without the control plane (a module without one may do
  everything); tests/suite/test_declared_footprints.py checks each declaration against what the
  module did to a deployment that logs its requests.
`Turns` (first come, first served across the workers: a test waits while a worker holds, or asked
earlier for, a conflicting footprint) keep conflicting tests apart. A scenario module holds its
turn from its first test to its last (its fixtures stand throughout), any other test for
itself; a module that declares its cases' footprints (a marker on the parameter: test_02's and
test_04's cases each walk one list) takes a turn per case, with the module's changes in its
first case and its last (`turn_for`). Units of work (`unit_of`, the xdist scheduler `SideBySideScheduling`): every scenario
module one unit, run by one worker in collection order; every other test, each stateful chain
included, a unit of its own. A free worker gets the first unit (stateful chains first, then
scenario modules, most tests first, then the rest: `unit_rank`) that conflicts with nothing the
other workers hold or have queued (`next_unit`), so workers seldom wait; when every unit left
would, it gets the first and waits its turn.

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
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


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
    suggested: int = 1  # the workers that would hide the round trip (the header names it when fewer run)

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
    """The run's workers: as given; else on a remote target the number that hides its round
    trip (`pacing.senders_for`), on a loopback target one."""
    if config.starts_emulator:
        return Plan(config, remote=False, distance=None, chosen=False)
    try:
        distance = measure(config)
    except Exception:  # noqa: BLE001 (preflight reached the target; a hiccup here only costs speed)
        return Plan(config, remote=False, distance=None, chosen=False)
    if distance.control_plane:
        return Plan(config, remote=False, distance=distance, chosen=False)
    # No network distance to hide on loopback: a slow answer there is this machine's busy CPU,
    # which more workers only make busier (`--workers N` still applies).
    suggested = 1 if on_this_machine(config.target) else pacing.senders_for(pace_of(config, distance),
                                                                             distance.round_trip)
    if workers_given:
        return Plan(config, remote=True, distance=distance, chosen=False, suggested=suggested)
    return Plan(replace(config, workers=suggested), remote=True, distance=distance, chosen=True, suggested=suggested)


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


# The entity's lists through which one test can disturb another (`Footprint`). Tax rates change
# only by a sync (it pulls them from the accounting system with the records and ledger accounts).
LEDGER_ACCOUNTS, CONNECTIONS, SYNCED_RECORDS, TAX_RATES = ("ledger_accounts", "connections", "synced_records",
                                                           "tax_rates")
LISTS = (LEDGER_ACCOUNTS, CONNECTIONS, SYNCED_RECORDS, TAX_RATES)
LIST_PATHS = {"/ledger_accounts": LEDGER_ACCOUNTS, "/accounting_connections": CONNECTIONS,
              "/accounting_synced_records": SYNCED_RECORDS, "/accounting_tax_rates": TAX_RATES}
SYNC_SUFFIX = "/sync"  # a sync of a connected connection may change every list (and the connection)
FOOTPRINT_MARKER = "footprint"  # a scenario module's declaration: pytest.mark.footprint(walks=..., changes=...)
TURNS_ENV = "MONITE_CONFORMANCE_TURNS"  # the run's turns file, for its workers
TURN_POLL_SECONDS = 0.02


@dataclass(frozen=True)
class Footprint:
    """Which of the entity's lists a test walks (reads across several requests and compares:
    pages, sorting across pages, a next-page follow-up, a list read compared with another read)
    and which it changes (creates, updates, deletes, pushes or syncs in)."""

    walks: frozenset[str] = frozenset()
    changes: frozenset[str] = frozenset()

    def conflicts_with(self, other: "Footprint") -> bool:
        """Whether the two may not run at once: one's walks meet the other's changes."""
        return bool(self.walks & other.changes or self.changes & other.walks)

    @property
    def idle(self) -> bool:
        """Touches no list: never waits, holds nothing."""
        return not (self.walks or self.changes)

    def __or__(self, other: "Footprint") -> "Footprint":
        return Footprint(self.walks | other.walks, self.changes | other.changes)

    def __str__(self) -> str:
        return f"walks {sorted(self.walks) or '-'}, changes {sorted(self.changes) or '-'}"


EVERYTHING = Footprint(frozenset(LISTS), frozenset(LISTS))


def list_of(path: str) -> str | None:
    """The list a path (the spec's template or a request path, without /v1) belongs to."""
    for prefix, name in LIST_PATHS.items():
        if path == prefix or path.startswith(prefix + "/"):
            return name
    return None


def declared(walks: Any = (), changes: Any = ()) -> Footprint:
    """A footprint as a scenario module declares it; an unknown list name is an error."""
    named = Footprint(frozenset(walks), frozenset(changes))
    unknown = sorted((named.walks | named.changes) - set(LISTS))
    if unknown:
        raise ValueError(f"unknown list(s) {unknown} in a footprint; the lists are {', '.join(LISTS)}")
    return named


@lru_cache(maxsize=None)
def _paginated(method: str, path: str) -> bool:
    """Whether the spec's operation is a cursor-paginated list (declares `limit`): the property
    tests follow its next page (`monite_next_page_continues`) and compare the two pages."""
    from conformance.openapi.files import load_spec

    spec = load_spec()
    parameters = spec["paths"].get(path, {}).get(method.lower(), {}).get("parameters", [])
    for parameter in parameters:
        if "$ref" in parameter:
            parameter = spec["components"]["parameters"].get(parameter["$ref"].rsplit("/", 1)[-1], {})
        if parameter.get("in") == "query" and parameter.get("name") == "limit":
            return True
    return False


def operation_footprint(method: str, path: str) -> Footprint:
    """What the property tests of one operation walk and change: a paginated list is walked (the
    next-page follow-up); a state-changing method changes its list, a sync every list; a read of
    one resource by id, an unpaginated list read (each answer is checked on its own) and a token
    request touch nothing another test changes."""
    name = list_of(path)
    if name is None:
        return Footprint()
    if method.upper() in SAFE_METHODS:
        return Footprint(walks=frozenset({name})) if _paginated(method, path) else Footprint()
    if path.endswith(SYNC_SUFFIX):
        return Footprint(changes=frozenset(LISTS))
    return Footprint(changes=frozenset({name}))


@lru_cache(maxsize=None)
def stateful_footprint() -> Footprint:
    """A stateful chain reads lists and acts on what it found there (a link from
    `$response.body#/data/0/id` to a GET, PATCH, DELETE, sync or push of that item, which the
    guard allows for whatever the run created, in any test), follows next pages, and creates,
    changes and deletes: it walks every list its operations read and changes every list they
    change."""
    from conformance.openapi.catalog import spec_catalog

    result = Footprint()
    for operation in spec_catalog().operations:
        name = list_of(operation.path)
        if name is None:
            continue
        if operation.method in SAFE_METHODS:
            result |= Footprint(walks=frozenset({name}))
        else:
            result |= operation_footprint(operation.method, operation.path)
    return result


# Tests skipped on a target without the control plane before they send anything (the property
# fixture `arrange_scenario`: there one stateful run covers the entity as it is): they wait for no turn.
SKIPPED_REMOTELY = ("::test_stateful[without-connection]",)


def _module(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


@lru_cache(maxsize=None)
def footprint_of_test(nodeid: str) -> Footprint:
    """The footprint of a property test, from its operation (the spec catalog); a stateful
    chain's from all of them; anything unknown may do everything."""
    from conformance.openapi.catalog import spec_catalog

    if nodeid.endswith(SKIPPED_REMOTELY):
        return Footprint()
    if "::test_stateful" in nodeid:
        return stateful_footprint()
    operation = spec_catalog().from_test_id(nodeid)
    if operation is None or nodeid.startswith(SCENARIOS):
        return EVERYTHING
    return operation_footprint(operation.method, operation.path)


@lru_cache(maxsize=None)
def declared_by_module(module: str) -> Footprint | None:
    """A scenario module's declared footprint, from the module itself (`FOOTPRINT_MARKER` in its
    `pytestmark`), for the xdist controller, which has node ids but no items; None without one."""
    import importlib

    loaded = importlib.import_module(module.removesuffix(".py").replace("/", "."))
    marks = getattr(loaded, "pytestmark", [])
    for mark in marks if isinstance(marks, list) else [marks]:
        if getattr(mark, "name", None) == FOOTPRINT_MARKER:
            return declared(*mark.args, **mark.kwargs)
    return None


def footprint_of_unit(unit: str) -> Footprint:
    """The footprint of a unit of work (`unit_of`): a scenario module's declaration, or the test's."""
    if unit.startswith(SCENARIOS):
        return declared_by_module(unit) or EVERYTHING
    return footprint_of_test(unit)


def footprint_of(item: Any) -> Footprint:
    """A test's footprint: a scenario module's as it declares it (`FOOTPRINT_MARKER` in its
    `pytestmark`, beside its story; a module without one may do everything), any other test's
    from its operation."""
    if item.nodeid.startswith(SCENARIOS):
        for node, marker in item.iter_markers_with_node(FOOTPRINT_MARKER):
            if node is not item:  # the module's (a case's own is `case_footprint`)
                return declared(*marker.args, **marker.kwargs)
        return EVERYTHING
    return footprint_of_test(item.nodeid)


def case_footprint(item: Any) -> Footprint | None:
    """What one test of a scenario module walks and changes, where the module declares it per
    case (a `FOOTPRINT_MARKER` on the test's parameter, e.g. the one list a pagination case
    walks); None where the module declares only its whole footprint."""
    if not item.nodeid.startswith(SCENARIOS):
        return None
    for node, marker in item.iter_markers_with_node(FOOTPRINT_MARKER):
        return declared(*marker.args, **marker.kwargs) if node is item else None
    return None


_arranged: set[str] = set()  # scenario modules whose first test this worker has run


def turn_for(item: Any, nextitem: Any) -> tuple[str, Footprint]:
    """What this test's turn is held for and its footprint. A scenario module holds one turn from
    its first test to its last, with its whole footprint; a module that declares its cases'
    footprints takes a turn per test instead: the case's own, plus the module's changes for its
    first test (its module fixtures arrange then) and its last (they clean up after it), so
    between its cases walks and changes of other lists, and of the same list, may run."""
    case = case_footprint(item)
    if case is None:
        return turn_of(item.nodeid), footprint_of(item)
    module = _module(item.nodeid)
    first = module not in _arranged
    _arranged.add(module)
    last = nextitem is None or _module(nextitem.nodeid) != module
    arranges = Footprint(changes=footprint_of(item).changes) if first or last else Footprint()
    return item.nodeid, case | arranges


def unit_of(nodeid: str) -> str:
    """The unit of work a test belongs to, run by one worker in collection order: a scenario
    module (its fixtures stand from its first test to its last), or the test alone (a property
    test, a stateful chain)."""
    return _module(nodeid) if nodeid.startswith(SCENARIOS) else nodeid


def turn_of(nodeid: str) -> str:
    """What a turn is held for: a scenario module from its first test to its last, any other
    test alone."""
    return unit_of(nodeid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _footprint(entry: list[Any]) -> Footprint:
    """The footprint of a turns-file entry `[pid, walks, changes, state]`."""
    return Footprint(frozenset(entry[1]), frozenset(entry[2]))


class Turns:
    """Who may run now, across the run's workers: each worker asks for its test's footprint and
    waits while a worker holds, or asked earlier for, a conflicting one (first come, first
    served: a long stream of walks cannot starve a change, nor the reverse). Kept in a small
    JSON file under an exclusive lock; the entries of a worker that died are dropped."""

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

    def enter(self, footprint: Footprint) -> None:
        """Block until this worker may run a test of `footprint`."""
        if footprint.idle:
            return
        mine = [self.pid, sorted(footprint.walks), sorted(footprint.changes)]

        def ask(entries: list[list[Any]]) -> None:
            entries[:] = [entry for entry in entries if entry[0] != self.pid]
            entries.append([*mine, "want"])

        def try_take(entries: list[list[Any]]) -> bool:
            for entry in entries:
                if entry[0] == self.pid:
                    entry[-1] = "hold"
                    return True
                if _footprint(entry).conflicts_with(footprint):  # held, or asked for before us
                    return False
            entries.append([*mine, "hold"])  # our entry was lost: take it now
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
    unit, footprint = turn_for(item, nextitem)
    if _holding != unit:
        if _holding is not None:
            _turns.leave()
            _holding = None
        _turns.enter(footprint)
    try:
        yield
    finally:
        if unit != item.nodeid and nextitem is not None and turn_of(nextitem.nodeid) == unit:
            _holding = unit  # the module goes on: its fixtures still stand
        else:
            _turns.leave()
            _holding = None


def unit_rank(unit: str, tests: int) -> tuple[int, int]:
    """The order units go out in, where nothing else decides (`next_unit`): the stateful chains
    first (they conflict with every test that touches a list), then the scenario modules, most
    tests first, then the other tests."""
    if "::test_stateful" in unit:
        return (0, -tests)
    return (1 if unit.startswith(SCENARIOS) else 2, -tests)


def next_unit(queue: list[str], elsewhere: list[str], footprint: Any = footprint_of_unit) -> str:
    """The unit a free worker gets: the first in `queue` whose footprint conflicts with no unit
    the other workers hold or have queued (`elsewhere`), so it need not wait for a turn; the
    first in `queue` when every one would (it then waits its turn, first come, first served)."""
    busy = [footprint(unit) for unit in elsewhere]
    for unit in queue:
        mine = footprint(unit)
        if not any(mine.conflicts_with(other) for other in busy):
            return unit
    return queue[0]


def _scheduling() -> type:
    from xdist.scheduler import LoadScopeScheduling

    class SideBySideScheduling(LoadScopeScheduling):  # type: ignore[misc]
        """xdist's scope scheduling with our units (`unit_of`) as the scopes, one unit at a time
        per worker, its tests in collection order: in `unit_rank` order, each free worker getting
        the first unit that conflicts with nothing the other workers have (`next_unit`)."""

        _ordered = False

        def _split_scope(self, nodeid: str) -> str:
            return unit_of(nodeid)

        def _assign_work_unit(self, node: Any) -> None:
            if not self._ordered:  # the queue is complete before the first unit goes out
                self._ordered = True
                ranked = sorted(self.workqueue.items(), key=lambda unit: unit_rank(unit[0], len(unit[1])))
                self.workqueue.clear()
                self.workqueue.update(ranked)
            elsewhere = [unit for other, units in self.assigned_work.items() if other is not node
                         for unit, done in units.items() if not all(done.values())]
            self.workqueue.move_to_end(next_unit(list(self.workqueue), elsewhere), last=False)
            super()._assign_work_unit(node)

    return SideBySideScheduling


class SideBySide:
    """pytest plugin of the run's own process (the xdist controller): schedules the workers
    with `SideBySideScheduling`."""

    @_hookimpl(tryfirst=True)  # before xdist's own, which would answer --dist loadscope
    def pytest_xdist_make_scheduler(self, config: Any, log: Any) -> Any:
        return _scheduling()(config, log)
