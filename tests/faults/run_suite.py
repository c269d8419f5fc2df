"""Run part of the shipped suite against a fault variant, in a subprocess, and say what failed."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

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
        passed: set[str] = set()
        failed: dict[str, str] = {}
        skipped: set[str] = set()
        if junit.exists():
            for case in ET.parse(junit).iter("testcase"):
                name = f"{case.get('classname')}::{case.get('name')}"
                problem = case.find("failure")
                if problem is None:
                    problem = case.find("error")
                if problem is not None:
                    failed[name] = (problem.get("message") or "") + "\n" + (problem.text or "")
                elif case.find("skipped") is not None:
                    skipped.add(name)
                else:
                    passed.add(name)
        return SuiteResult(done.returncode, passed, failed, skipped, done.stdout + done.stderr)
