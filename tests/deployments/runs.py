"""Run the whole suite against a served deployment, as a user would, and gather what happened.

Two ways, both in a fresh process with only the environment a user sets (README, "Run against
the sandbox"): the CLI (`python -m conformance.cli run --target <url>`) and plain pytest
(`pytest --pyargs conformance.suite --monite-target <url>`). The timeline plugin is loaded into
the run through PYTEST_PLUGINS so every request maps to the test that sent it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.cli_support import REPO, CliRun, run_cli
from tests.deployments import timeline
from tests.deployments.launcher import Served
from tests.deployments.requestlog import Logged
from tests.deployments.snapshot import Change, Leftover
from tests.junit_cases import read_cases

RUN_TIMEOUT = 900.0


@dataclass
class Outcome:
    """What one run against a deployment gave: verdict, failures, observations, damage, time."""

    how: str  # "cli" or "pytest"
    returncode: int
    seconds: float
    failures: dict[str, str]  # test id -> failure text
    observations: list[dict[str, Any]]  # {"test", "rule", "source", "message"}
    changed: list[Change]
    left_behind: list[Leftover]
    changing_requests: list[tuple[Logged, str]]  # (request, test id that sent it)
    touching_requests: list[tuple[Logged, str]]  # state-changing requests naming a pre-existing resource
    requests: int
    summary: dict[str, Any] | None = None  # the CLI's summary.json
    report_dir: Path | None = None
    output: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def observed_rules(self) -> set[str]:
        return {str(o.get("rule")) for o in self.observations}


def _suite_env(served: Served, timeline_file: Path) -> dict[str, str]:
    return {
        **served.env,
        "PYTEST_PLUGINS": timeline.PLUGIN,
        timeline.ENV: str(timeline_file),
    }


def run_with_cli(served: Served, workdir: Path, *args: str) -> Outcome:
    """`python -m conformance.cli run --target <url> --report-dir <workdir>/report`."""
    report_dir = workdir / "report"
    timeline_file = workdir / "timeline.jsonl"
    started = time.monotonic()
    done: CliRun = run_cli("run", "--target", served.base_url, *args, cwd=workdir,
                           env=_suite_env(served, timeline_file),
                           report_dir=report_dir, timeout=RUN_TIMEOUT)
    seconds = time.monotonic() - started
    summary = _read_json(report_dir / "summary.json")
    failures = {f.get("test", "?"): f"{f.get('reason') or ''}\n{f.get('details') or ''}"
                for f in (summary or {}).get("failures", [])}
    observations = list((summary or {}).get("observations", []))
    outcome = _outcome("cli", served, done.returncode, seconds, failures, observations, timeline_file)
    outcome.summary, outcome.report_dir = summary, report_dir
    outcome.output = done.stdout + done.stderr
    return outcome


def run_with_pytest(served: Served, workdir: Path, *args: str) -> Outcome:
    """`pytest --pyargs conformance.suite --monite-target <url>` (the README's plain pytest run)."""
    junit = workdir / "junit.xml"
    timeline_file = workdir / "timeline.jsonl"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MONITE_")}
    environment.update(_suite_env(served, timeline_file))
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), environment.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "pytest", "--pyargs", "conformance.suite", "-p", "no:cacheprovider",
               "-q", "--no-header", "-o", "addopts=", f"--junitxml={junit}", "--monite-profile=quick",
               f"--monite-target={served.base_url}", *args]
    started = time.monotonic()
    done = subprocess.run(command, cwd=workdir, env=environment, capture_output=True, text=True,
                          timeout=RUN_TIMEOUT)
    seconds = time.monotonic() - started
    failures, observations = _read_junit(junit)
    outcome = _outcome("pytest", served, done.returncode, seconds, failures, observations, timeline_file)
    outcome.output = done.stdout + done.stderr
    return outcome


def _outcome(how: str, served: Served, returncode: int, seconds: float, failures: dict[str, str],
             observations: list[dict[str, Any]], timeline_file: Path) -> Outcome:
    tests = timeline.read(timeline_file)
    changing = [(entry, timeline.which_test(tests, entry.started)) for entry in served.log.changing()]
    touching = [(entry, timeline.which_test(tests, entry.started)) for entry in served.log.touching()]
    return Outcome(how, returncode, seconds, failures, observations, served.changed(), served.left_behind(),
                   changing, touching, len(served.log.requests))


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _read_junit(path: Path) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """Failed/errored tests (id -> text) and the observations recorded as test properties."""
    cases = read_cases(path)
    failures = {name: case.problem for name, case in cases.items() if case.outcome in ("failure", "error")}
    observations = [{"test": name, **observation} for name, case in cases.items()
                    for observation in case.observations]
    return failures, observations
