"""examples/nightly-drift.yml stays in step with the CLI it calls."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main
import yaml

from conformance.cli import app

EXAMPLE = Path(__file__).parents[2] / "examples" / "nightly-drift.yml"


def _options(command: str) -> set[str]:
    sub = typer.main.get_command(app).commands[command]  # type: ignore[attr-defined]
    return {name for param in sub.params for name in getattr(param, "opts", [])}


def _invocations(command: str) -> list[str]:
    workflow = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    scripts = [step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]]
    text = "\n".join(scripts).replace("\\\n", " ")
    return re.findall(rf"monite-conformance {command}\b[^\n]*", text)


def test_the_example_compares_with_options_the_command_has() -> None:
    calls = _invocations("compare")
    assert calls == ["monite-conformance compare last-green tonight --report-dir drift --fail-on regression"]
    for call in calls:
        assert set(re.findall(r"--[a-z-]+", call)) <= _options("compare"), call


def test_the_example_runs_with_options_the_run_command_has() -> None:
    calls = _invocations("run")
    assert calls
    for call in calls:
        assert set(re.findall(r"--[a-z-]+", call)) <= _options("run"), call


def test_the_example_diffs_the_spec_against_the_live_document() -> None:
    calls = _invocations("diff")
    assert len(calls) == 1
    assert "https://api.sandbox.monite.com/openapi.json?version=${MONITE_API_VERSION}" in calls[0]
    assert "--fail-on may-break" in calls[0]
