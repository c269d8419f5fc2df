"""`monite-conformance replay FILE`: a run recorded with --record, judged again offline against
the current spec and the checks. A clean emulator run replays clean; the same recording judged
by a spec changed to forbid what the target sent turns red, and so does a recording of a broken
target."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.openapi.files import spec_path
from tests.cli_support import CliRun, run_cli
from tests.sarif.validate import load_valid

ONLY = ("--only", "getTaxRate")
TOTAL_AS_INTEGER = "        total_tax_rate:\n          type: integer\n"


def _record(cwd: Path, *target: str) -> CliRun:
    return run_cli("run", *ONLY, "--record", *target, cwd=cwd, report_dir=cwd / "out")


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> CliRun:
    return _record(tmp_path_factory.mktemp("replay-clean"))


def _replay(har: Path, cwd: Path, *args: str) -> tuple[CliRun, dict]:
    folder = cwd / f"replay-{len(list(cwd.glob('replay-*')))}"
    run = run_cli("replay", str(har), "--report-dir", str(folder), *args, cwd=cwd)
    summary = json.loads((folder / "summary.json").read_text()) if (folder / "summary.json").exists() else {}
    run.report_dir = folder
    return run, summary


def test_a_clean_recorded_run_replays_to_the_same_verdict_offline(clean: CliRun, tmp_path: Path) -> None:
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert clean.report_dir is not None
    har = clean.report_dir / "exchanges.har"
    replayed, summary = _replay(har, tmp_path)
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert summary["verdict"] == "clean" and summary["counts"]["response_violations"] == 0
    entries = json.loads(har.read_text())["log"]["entries"]
    assert summary["counts"]["exchanges"] == len(entries)
    assert summary["operations"]["getTaxRate"]["statuses"]["200"]["responses"] > 0
    assert replayed.report_dir is not None
    for name in ("summary.md", "junit.xml", "report.html"):
        assert (replayed.report_dir / name).stat().st_size > 0
    load_valid(replayed.report_dir / "report.sarif")


def test_a_spec_that_forbids_what_the_target_sent_turns_the_replay_red(clean: CliRun, tmp_path: Path) -> None:
    assert clean.report_dir is not None
    text = spec_path().read_text(encoding="utf-8")
    assert text.count(TOTAL_AS_INTEGER) == 1
    changed = tmp_path / "changed.yaml"
    changed.write_text(text.replace(TOTAL_AS_INTEGER, TOTAL_AS_INTEGER.replace("integer", "string")))
    replayed, summary = _replay(clean.report_dir / "exchanges.har", tmp_path, "--spec", str(changed))
    assert replayed.returncode == 1, replayed.stdout + replayed.stderr
    assert summary["verdict"] == "violations" and summary["counts"]["response_violations"] > 0
    broken = {item["operation"] for item in summary["violations"] if item["side"] == "response"}
    assert "getTaxRate" in broken


def test_a_recording_of_a_broken_target_replays_red(tmp_path: Path) -> None:
    recorded = _record(tmp_path, "--target", "asgi:tests.faults.cli_faults:tax_rate_total_as_string")
    assert recorded.returncode == 1, recorded.stdout + recorded.stderr
    assert recorded.report_dir is not None
    replayed, summary = _replay(recorded.report_dir / "exchanges.har", tmp_path)
    assert replayed.returncode == 1, replayed.stdout + replayed.stderr
    assert any(item["operation"] == "getTaxRate" and item["side"] == "response" for item in summary["violations"])


def test_a_file_that_is_not_a_recording_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "x.har").write_text("{}")
    for path in (tmp_path / "x.har", tmp_path / "missing.har"):
        run = run_cli("replay", str(path), cwd=tmp_path)
        lines = [line for line in run.stderr.splitlines() if line.strip()]
        assert run.returncode == 2 and len(lines) == 1 and "not a HAR file" in lines[0], run.stderr
