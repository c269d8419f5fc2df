"""The long tests first, spread over the xdist workers, so `make test` does not end on one worker's tail.

A few tests run the whole suite (or a large part of it) in a subprocess against a server and take
tens of seconds to minutes; the other ~1300 take a second or less. In collection order the long
ones come wherever their file is, and a worker that picks one up late runs it alone while the
other sits idle. Each long test carries `@pytest.mark.long(seconds)`, its rough cost on the 2-core
machine (relative: only the order and the split use it, never a timeout); `together=True` keeps a
module's tests in one piece (with `seconds` the cost of all of them) where they share a fixture.

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
from itertools import islice

import pytest

MARKER = "long"


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
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1") or 1)
    items[:] = layout(items, workers, str(getattr(config.option, "dist", "load") or "load"))
