"""The quick run on both cores: which plugins and workers a run asks pytest for, the fixed
groups the in-process emulator's tests run in, and that two workers report what one process
reports (`conformance.pytest_plugin.scheduling`, `conformance.commands.run.xdist_args`)."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

from conformance.commands.run import pytest_args, xdist_args
from conformance.commands.run_options import default_workers
from conformance.config import RunConfig
from conformance.pytest_plugin.scheduling import CHAINED, GENERATED, group_of, groups

from tests.cli_support import run_cli

REPO = Path(__file__).resolve().parents[2]
REMOTE = {"MONITE_BASE_URL": "http://127.0.0.1:9/v1", "MONITE_TOKEN": "t0ken-for-tests",
          "MONITE_ENTITY_ID": "9d2b4c1e-8f3a-4b6d-9e1f-2a3b4c5d6e7f"}


def _collected() -> list[str]:
    out = subprocess.run([sys.executable, "-m", "pytest", "--pyargs", "conformance.suite", "--collect-only", "-q",
                          "-p", "no:cacheprovider", "-o", "addopts=", f"--rootdir={REPO}"],
                         cwd=REPO, capture_output=True, text=True, timeout=300)
    return [line for line in out.stdout.splitlines() if "::" in line]


def test_the_groups_cut_the_collection_once_where_the_stateful_tests_start() -> None:
    """Each group is a run of consecutive tests: `generated` from the start (a fresh process in a
    one-process run too), `chained` from the first stateful test (which resets the emulator) to
    the end. Anything else would run a test after other tests than in one process."""
    ids = _collected()
    groups_in_order = [group_of(nodeid) for nodeid in ids]
    assert len(ids) > 200 and set(groups_in_order) == {GENERATED, CHAINED}
    first_chained = groups_in_order.index(CHAINED)
    assert groups_in_order == [GENERATED] * first_chained + [CHAINED] * (len(ids) - first_chained)
    assert "test_stateful" in ids[first_chained]
    assert list(groups(ids).values()) == groups_in_order
    # Without the stateful tests the first scenario would start on a fresh emulator: one group.
    without = [nodeid for nodeid in ids if "test_stateful" not in nodeid]
    assert set(groups(without).values()) == {GENERATED}


def test_an_in_process_run_uses_both_cores_in_fixed_groups_and_a_remote_one_worksteal(tmp_path: Path) -> None:
    emulator = RunConfig.resolve(report_dir=tmp_path)
    assert default_workers(emulator) == (2 if (__import__("os").cpu_count() or 1) >= 2 else 1)
    assert default_workers(dataclasses.replace(emulator, suite="scenario")) == 1
    assert default_workers(dataclasses.replace(emulator, target="emulator-http")) == 1
    assert xdist_args(dataclasses.replace(emulator, workers=2)) == ["-n", "2", "--dist", "loadscope"]
    assert xdist_args(dataclasses.replace(emulator, workers=1)) == []
    remote = RunConfig.resolve(env=REMOTE, report_dir=tmp_path, workers=3)
    assert default_workers(remote) == 1
    assert xdist_args(remote) == ["-n", "3", "--dist", "worksteal"]


def test_a_run_loads_only_the_plugins_it_names(tmp_path: Path) -> None:
    args = pytest_args(dataclasses.replace(RunConfig.resolve(report_dir=tmp_path), workers=2))
    assert "--disable-plugin-autoload" in args
    named = {args[i + 1] for i, arg in enumerate(args) if arg == "-p"}
    assert {"monite_conformance", "conformance.report.plugin", "xdist", "html", "metadata"} <= named
    # `-p schemathesis` would mark the whole package for assert rewriting on every run
    assert "schemathesis" not in named and "schemathesis.pytest.plugin" in named


def test_generation_ignores_the_modules_this_process_has_loaded() -> None:
    from hypothesis.internal.conjecture import providers

    from conformance.property.compat import without_local_constants

    without_local_constants()
    assert len(providers._get_local_constants()) == 0
    import conformance.suite.scenarios.catalogue  # noqa: F401 - a local module full of constants

    assert len(providers._get_local_constants()) == 0


TIMING = {"started_at", "finished_at", "duration_seconds", "seconds", "workers"}


def _without_timing(value: object) -> object:
    if isinstance(value, dict):
        return {key: _without_timing(item) for key, item in value.items() if key not in TIMING}
    if isinstance(value, list):
        return [_without_timing(item) for item in value]
    return value


def _content(folder: Path) -> object:
    """summary.json without what measures time (and `run.workers`, which is what differs)."""
    return _without_timing(json.loads((folder / "summary.json").read_text(encoding="utf-8")))


def test_two_workers_report_what_one_process_reports(tmp_path: Path) -> None:
    """Every property phase over two workers (examples/coverage/fuzzing in one, the stateful
    chains in the other, each in a fresh process): the same summary (results, observed contract,
    coverage) as one process. Without `without_local_constants`, fuzzing and stateful cases
    differed here (the workers load other local modules than the CLI process)."""
    reports = {}
    for workers in (1, 2):
        folder = tmp_path / f"w{workers}"
        run = run_cli("run", "--suite", "property", "--workers", str(workers), "--report-dir", str(folder),
                      cwd=tmp_path, timeout=900)
        assert run.returncode == 0, run.stdout[-2000:]
        reports[workers] = _content(folder)
    assert reports[2]["counts"]["passed"] == reports[1]["counts"]["passed"] > 40  # type: ignore[index]
    assert reports[1] == reports[2]
