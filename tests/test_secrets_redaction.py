"""No token or client secret in anything a run writes or prints, even when the target leaks them.

The target (`tests.faults.cli_faults:leaky`) issues a token we know, accepts it when given as
MONITE_TOKEN, and echoes the token and the client secret in tax-rate answers, while breaking
getTaxRate so failures carry those answers as evidence into every report. Two workers, so the
evidence also crosses from xdist workers to the controller.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_support import CliRun, run_cli
from tests.faults.cli_faults import KNOWN_TOKEN

CLIENT_ID = "0b9e6c2a-7d41-4f3e-9a85-2c6d1e8f4b70"
CLIENT_SECRET = "cs-Zq8Lk2Vn7Rw4Tx9Pm3Hd6JfB"
LEAKY = "asgi:tests.faults.cli_faults:leaky"
ARGS = ("run", "--target", LEAKY, "--suite", "scenario", "--only", "tax-rates", "--workers", "2")


def _assert_nothing_leaked(run: CliRun, *secrets: str) -> None:
    assert run.report_dir is not None
    outputs = {"stdout": run.stdout.encode(), "stderr": run.stderr.encode()}
    files = sorted(path for path in run.report_dir.rglob("*") if path.is_file())
    assert {path.name for path in files} >= {"report.html", "junit.xml", "summary.json", "summary.md", "pytest.log"}
    outputs.update({str(path): path.read_bytes() for path in files})
    for where, content in outputs.items():
        for secret in secrets:
            assert secret.encode() not in content, f"{secret[:6]}… found in {where}"


def _assert_evidence_was_there(run: CliRun) -> None:
    """The echoes reached the reports (masked): without redaction the secrets would be there."""
    assert run.returncode == 1, run.stdout + run.stderr
    summary = run.text("summary.json")
    assert "seen_token" in summary and "[REDACTED]" in summary
    assert "[REDACTED]" in run.text("report.html")


@pytest.mark.parametrize("credentials", ["client-credentials", "token"])
def test_no_secret_in_any_output(tmp_path: Path, credentials: str) -> None:
    env = {"MONITE_CLIENT_ID": CLIENT_ID, "MONITE_CLIENT_SECRET": CLIENT_SECRET}
    if credentials == "token":
        env["MONITE_TOKEN"] = KNOWN_TOKEN
    run = run_cli(*ARGS, cwd=tmp_path, env=env, report_dir=tmp_path / "out")
    _assert_evidence_was_there(run)
    _assert_nothing_leaked(run, CLIENT_SECRET, KNOWN_TOKEN)
