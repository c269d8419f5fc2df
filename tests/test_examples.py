"""The example dependent-service test module (examples/test_my_service.py) passes as users run it."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_example_service_tests_pass(tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "examples/test_my_service.py", "-q", "-p", "no:xdist",
         "-p", "no:cacheprovider", f"--junit-xml={junit}"],
        cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None
    counts = {key: int(suite.get(key, "0")) for key in ("tests", "failures", "errors", "skipped")}
    assert counts["tests"] >= 10, f"the example collected too few tests: {counts}"
    assert counts["failures"] == counts["errors"] == counts["skipped"] == 0, counts
