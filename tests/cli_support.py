"""Run `monite-conformance` the way a user does (a fresh process) and read what it wrote."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
REPORT_FILES = ("report.html", "junit.xml", "summary.json", "summary.md")


@dataclass
class CliRun:
    returncode: int
    stdout: str
    stderr: str
    cwd: Path
    report_dir: Path | None

    def summary(self) -> dict[str, Any]:
        assert self.report_dir is not None
        return json.loads((self.report_dir / "summary.json").read_text(encoding="utf-8"))

    def text(self, name: str) -> str:
        assert self.report_dir is not None
        return (self.report_dir / name).read_text(encoding="utf-8")

    def junit_cases(self) -> list[ET.Element]:
        assert self.report_dir is not None
        return list(ET.parse(self.report_dir / "junit.xml").iter("testcase"))


def run_cli(*args: str, cwd: Path, env: dict[str, str] | None = None, report_dir: Path | None = None,
            timeout: float = 900) -> CliRun:
    """`python -m conformance.cli run <args>` in `cwd`, with no MONITE_* from the caller's shell."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MONITE_")}
    environment.update(env or {})
    # asgi:tests.faults... targets import from the checkout, whatever the working directory.
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), environment.get("PYTHONPATH")]))
    environment["COLUMNS"] = "200"
    command = [sys.executable, "-m", "conformance.cli", *args]
    if report_dir is not None:
        command += ["--report-dir", str(report_dir)]
    done = subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=timeout)
    return CliRun(done.returncode, done.stdout, done.stderr, cwd, report_dir)
