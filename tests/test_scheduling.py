"""The long tests are laid out first and spread over the xdist workers' shares (tests/conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.conftest import MARKER, dist_mode, layout, starts


@dataclass
class Item:
    nodeid: str
    seconds: float | None = None
    together: bool = False
    markers: dict[str, Any] = field(default_factory=dict)

    def get_closest_marker(self, name: str) -> Any:
        if name != MARKER or self.seconds is None:
            return None
        return pytest.mark.long(self.seconds, together=True).mark if self.together else \
            pytest.mark.long(self.seconds).mark


def _items() -> list[Item]:
    short = [Item(f"tests/test_a.py::test_{n}") for n in range(20)]
    return [*short[:5], Item("tests/test_d.py::test_whole[cli]", 150), *short[5:12],
            Item("tests/test_d.py::test_whole[pytest]", 140), Item("tests/test_m.py::test_one", 60, together=True),
            Item("tests/test_m.py::test_two", 60, together=True), Item("tests/test_x.py::test_run", 50),
            *short[12:]]


def test_starts_are_where_xdists_schedulers_begin_each_worker() -> None:
    # worksteal: contiguous shares of len // (workers left); load: chunks of a quarter share, at least 2
    assert starts(24, 2, "worksteal") == [0, 12] and starts(25, 2, "worksteal") == [0, 12]
    assert starts(10, 3, "worksteal") == [0, 3, 6]
    assert starts(1339, 2, "load") == [0, 167] and starts(24, 2, "load") == [0, 3] and starts(5, 2, "load") == [0, 2]


@pytest.mark.parametrize("dist", ["load", "worksteal"])
def test_two_workers_each_start_with_their_long_tests_longest_first(dist: str) -> None:
    items = _items()
    ordered = layout(items, 2, dist)  # type: ignore[arg-type]
    assert sorted(i.nodeid for i in ordered) == sorted(i.nodeid for i in items)  # nothing lost or repeated
    second_start = starts(len(items), 2, dist)[1]
    first, second = ordered[:second_start], ordered[second_start:]
    # 150 -> share 0; 140 -> share 1; the module (60 for both, together) -> share 1 (140 < 150); 50 -> share 0
    assert [i.nodeid for i in first[:2]] == ["tests/test_d.py::test_whole[cli]", "tests/test_x.py::test_run"]
    assert [i.nodeid for i in second[:3]] == ["tests/test_d.py::test_whole[pytest]", "tests/test_m.py::test_one",
                                              "tests/test_m.py::test_two"]
    shorts = [i.nodeid for i in ordered if i.seconds is None]
    assert shorts == [i.nodeid for i in items if i.seconds is None]  # the short ones keep their order


def test_without_xdist_only_the_order_changes() -> None:
    items = _items()
    ordered = layout(items, 1)  # type: ignore[arg-type]
    assert [i.seconds for i in ordered[:5]] == [150, 140, 60, 60, 50]
    assert len(ordered) == len(items)


def test_nothing_long_leaves_the_order_alone() -> None:
    items = [Item(f"t.py::test_{n}") for n in range(5)]
    assert layout(items, 2) == items  # type: ignore[arg-type]


class _Config:
    def __init__(self, argv: list[str] | None, addopts: list[str], dist: str = "no") -> None:
        if argv is not None:
            self.workerinput = {"mainargv": argv}
        self._addopts = addopts
        self.option = type("Option", (), {"dist": dist})()

    def getini(self, name: str) -> list[str]:
        return self._addopts if name == "addopts" else []


@pytest.mark.parametrize(("argv", "addopts", "dist", "expected"), [
    (["pytest", "-n", "2"], ["-p", "no:cacheprovider"], "no", "load"),  # a worker: its own option says "no"
    (["pytest", "-n", "2", "--dist", "worksteal"], [], "no", "worksteal"),
    (["pytest", "-n", "2", "--dist=loadfile"], [], "no", "loadfile"),
    (["pytest", "-n", "2"], ["--dist", "worksteal"], "no", "worksteal"),
    (None, [], "no", "load"),  # without xdist: only the order matters
])
def test_the_dist_mode_is_the_controllers(argv: list[str] | None, addopts: list[str], dist: str,
                                          expected: str) -> None:
    assert dist_mode(_Config(argv, addopts, dist)) == expected  # type: ignore[arg-type]


def test_the_command_line_wins_over_addopts() -> None:
    config = _Config(["pytest", "-n", "2", "--dist", "load"], ["--dist", "worksteal"])
    assert dist_mode(config) == "load"  # type: ignore[arg-type]
