"""The long tests first, spread over the xdist workers, so `make test` does not end on one worker's tail.

A few tests run the whole suite (or a large part of it) in a subprocess against a server and take
tens of seconds to minutes; the other ~1300 take a second or less. In collection order the long
ones come wherever their file is, and a worker that picks one up late runs it alone while the
other sits idle. Each long test carries `@pytest.mark.long(seconds)` (in its file, or given here
from `LONG`), its rough cost on the 2-core machine (relative: only the order and the split use
it, never a timeout); `together=True` keeps a module's tests in one piece (with `seconds` the
cost of all of them) where they share a module-scoped fixture.

With `-n N` (`make test`: `-n 2`) xdist's scheduler (`--dist load`, or `worksteal`) hands each
worker a first run of consecutive tests at a position it computes from the collection's length
(`starts`). So the long tests are assigned to the workers greedily, the longest first, each to
the worker with the least weight so far, and placed where that worker's first tests begin; the
short ones then balance as workers drain. Every worker collects the same items in the same
order (xdist requires it), so this is computed the same way everywhere. Without xdist only the
order changes: the long tests run first. Nothing is skipped or deselected here.
"""

from __future__ import annotations

import os
import re
from itertools import islice

import pytest

MARKER = "long"

# The long tests that carry no marker in their file, by node id prefix (the longest prefix wins):
# (seconds, together). Seconds from `pytest -n 2 --durations=60` on the shared machine (load ~9,
# so about 3x the idle figures; only their ratios matter). A renamed test falls back to short:
# it is still run, only scheduled as it comes.
LONG: dict[str, tuple[float, bool]] = {
    # 183 s and 52 s in that run, 50 s each alone (load 7): it runs its own two xdist workers, so it
    # slows most when it overlaps another long test
    "tests/test_secrets_redaction.py::test_no_secret_in_any_output": (90, False),
    "tests/suite/test_scenarios_catch.py::test_group_catches_its_broken_variant": (40, False),
    "tests/suite/test_scenarios_catch.py::test_group_catches_its_broken_variant[test_11_rate_limits": (70, False),
    "tests/suite/test_scenarios_catch.py::test_every_scenario_passes_against_the_clean_emulator": (75, False),
    "tests/suite/test_scenarios_catch.py::test_clean_target_without_control_plane_has_no_assumption": (70, False),
    "tests/suite/test_scenarios_catch.py::test_nothing_is_left_behind_on_a_remote_target": (70, False),
    "tests/suite/test_scenarios_catch.py::test_broken_assumption_is_an_observation_without_control_plane": (35, False),
    "tests/suite/test_scenarios_catch.py::test_broken_assumption_fails_on_the_emulator": (25, False),
    "tests/commands/test_run_interrupt.py::test_ctrl_c_during_a_test_stops_the_run_with_partial_reports": (60, False),
    "tests/commands/test_run_interrupt.py::test_ctrl_c_during_a_retry_after_wait_stops_the_run": (70, False),
    "tests/commands/test_run_interrupt.py::test_ctrl_c_while_reports_are_written_finishes_them": (50, False),
    "tests/commands/test_run_interrupt.py::test_ctrl_c_in_a_differential_run_stops_the_run_in_progress": (55, False),
    "tests/commands/test_run_interrupt.py::test_ctrl_c_during_cleanup_lets_it_finish_then_stops": (40, False),
    "tests/commands/test_run_interrupt.py::test_a_second_ctrl_c_during_cleanup_abandons_it": (40, False),
    "tests/commands/test_run_interrupt.py::test_ctrl_c_during_a_pacing_wait_stops_the_run": (35, False),
    "tests/property/test_property_suite.py::test_quick_passes_on_the_emulator_and_reaches_every_operation": (70, False),
    "tests/property/test_property_suite.py::test_a_rate_limited_target_is_paced_to_completion": (40, False),
    "tests/suite/test_remote_detection.py::test_documented_variant_is_caught_on_the_sandbox_like_deployment": (35, False),
    # modules whose tests share a module-scoped run (a CLI run, a report): kept in one piece
    "tests/commands/test_cli.py": (110, True),
    "tests/report/test_coverage_gate.py": (110, True),
    "tests/commands/test_differential.py": (100, True),
    "tests/commands/test_replay.py": (100, True),
    "tests/report/test_record_har.py": (70, True),
    "tests/report/test_report_browser.py": (40, True),
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}(seconds): a long test and its rough cost; scheduled first "
                                       "and spread over the xdist workers (tests/conftest.py)")


def weight(item: pytest.Item) -> float:
    marker = item.get_closest_marker(MARKER)
    if marker is None:
        return 0.0
    return float(marker.args[0]) if marker.args else 60.0


def unit_of(item: pytest.Item) -> str:
    """What is scheduled as one: the test, or its whole module when the marker says `together=True`
    (tests sharing an expensive module-scoped fixture, which would be built again if split)."""
    marker = item.get_closest_marker(MARKER)
    return item.nodeid.split("::")[0] if marker is not None and marker.kwargs.get("together") else item.nodeid


def starts(total: int, workers: int, dist: str) -> list[int]:
    """Where each worker's first tests begin in the collection, as xdist's scheduler hands them out.

    `load` (the default of `-n N`): worker i gets the consecutive chunk at i * chunk, chunk being a
    quarter of an even share (at least 2), then more from the front of what is left as it drains.
    `worksteal`: worker i gets a contiguous share of len // (workers left), then steals from the
    end of another's queue when idle. Other modes (loadscope, ...) keep tests of one scope together
    by themselves: the long tests just go first there."""
    if dist == "worksteal":
        positions, remaining = [], total
        for index in range(workers):
            positions.append(total - remaining)
            remaining -= remaining // (workers - index)
        return positions
    chunk = max(2, total // workers // 4)
    return [index * chunk for index in range(workers)]


def layout(items: list[pytest.Item], workers: int, dist: str = "load") -> list[pytest.Item]:
    """The items reordered: each worker's first tests are its long tests (longest first); the short
    ones keep their order around them."""
    units: dict[str, list[pytest.Item]] = {}
    for item in items:
        if weight(item) > 0:
            units.setdefault(unit_of(item), []).append(item)
    if not units:
        return items
    heavy = sorted(units.values(), key=lambda unit: weight(unit[0]), reverse=True)  # stable: ties keep order
    short = [item for item in items if weight(item) == 0]
    if workers <= 1 or dist not in ("load", "worksteal"):
        return [item for unit in heavy for item in unit] + short
    bins: list[list[pytest.Item]] = [[] for _ in range(workers)]
    loads = [0.0] * workers
    for unit in heavy:  # longest processing time first: each to the least loaded share
        target = min(range(workers), key=lambda index: (loads[index], index))
        bins[target] += unit
        loads[target] += weight(unit[0])
    ordered: list[pytest.Item] = []
    rest = iter(short)
    for start, own in zip(starts(len(items), workers, dist), bins):
        ordered += islice(rest, max(0, start - len(ordered)))
        ordered += own
    ordered += list(rest)
    assert sorted(map(id, ordered)) == sorted(map(id, items)), "the layout lost or repeated a test"
    return ordered


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker(MARKER) is None:
            prefix = max((key for key in LONG if item.nodeid.startswith(key)), key=len, default=None)
            if prefix is not None:
                seconds, together = LONG[prefix]
                item.add_marker(pytest.mark.long(seconds, together=together))
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1") or 1)
    items[:] = layout(items, workers, dist_mode(config))


def dist_mode(config: pytest.Config) -> str:
    """The controller's `--dist` mode. A worker's own `config.option.dist` is always "no" (xdist
    resets it there), so it is read from the controller's command line and the ini's addopts;
    `-n N` alone means `load`."""
    workerinput = getattr(config, "workerinput", None)
    argv = list(workerinput.get("mainargv", [])) if workerinput else []
    words = " ".join([*map(str, config.getini("addopts") or []), *map(str, argv)])  # the command line wins
    found = re.findall(r"--dist[= ](\w+)", words)
    if found:
        return found[-1]
    option = str(getattr(config.option, "dist", "no") or "no")
    return "load" if option == "no" else option
