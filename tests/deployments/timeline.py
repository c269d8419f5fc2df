"""pytest plugin for the suite under test: when each of its tests ran, so requests map to test ids.

Loaded with `PYTEST_PLUGINS=tests.deployments.timeline` and `MONITE_DEPLOYMENT_TIMELINE=<file>`
(the CLI runs pytest in-process, so the plugin reaches it through the environment). It only
appends `{"nodeid", "start", "stop"}` lines (and a scenario case's own footprint, where its
module declares one per case) (wall-clock seconds) and changes nothing in the run.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance.commands import remote_workers

ENV = "MONITE_DEPLOYMENT_TIMELINE"
PLUGIN = "tests.deployments.timeline"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    start = time.time()
    yield
    path = os.environ.get(ENV)
    if path:
        entry: dict = {"nodeid": item.nodeid, "start": start, "stop": time.time()}
        case = remote_workers.case_footprint(item)
        if case is not None:  # a scenario case's own footprint (tests/suite/test_declared_footprints.py)
            entry["case_footprint"] = {"walks": sorted(case.walks), "changes": sorted(case.changes)}
        line = json.dumps(entry)
        with Path(path).open("a", encoding="utf-8") as out:
            out.write(line + "\n")


def read(path: Path) -> list[dict]:
    """The tests of a run in the order they ran (empty when the file is missing)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def which_test(timeline: list[dict], moment: float) -> str:
    """The test running at `moment`, or what ran outside every test."""
    for entry in timeline:
        if entry["start"] <= moment <= entry["stop"]:
            return entry["nodeid"]
    if timeline and moment < timeline[0]["start"]:
        return "(before the first test: CLI preflight)"
    return "(outside any test: session set-up or teardown)"
