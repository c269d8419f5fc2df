"""Run part of the shipped suite against a fault variant, in a subprocess, and say what failed."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.junit_cases import read_cases

REPO = Path(__file__).resolve().parents[2]


@dataclass
class SuiteResult:
    returncode: int
    passed: set[str]
    failed: dict[str, str]  # test id -> failure message
    skipped: set[str]
    output: str


def run_suite(target: str, *args: str, timeout: float = 300) -> SuiteResult:
    """`pytest --pyargs conformance.suite <args>` against `target` (e.g. 'asgi:tests.faults.x:app')."""
    with tempfile.TemporaryDirectory() as tmp:
        junit = Path(tmp) / "junit.xml"
        env = dict(os.environ)
        env.pop("MONITE_BASE_URL", None)
        command = [sys.executable, "-m", "pytest", "--pyargs", "conformance.suite", "-p", "no:cacheprovider",
                   "-q", "--no-header", "-o", "addopts=", f"--junitxml={junit}", f"--monite-target={target}", *args]
        done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout)
        cases = read_cases(junit)
        failed = {name: case.problem for name, case in cases.items() if case.outcome in ("failure", "error")}
        skipped = {name for name, case in cases.items() if case.outcome == "skipped"}
        passed = {name for name, case in cases.items() if case.outcome == "passed"}
        return SuiteResult(done.returncode, passed, failed, skipped, done.stdout + done.stderr)
