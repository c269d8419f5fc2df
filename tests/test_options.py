"""One table of run options (issue 21 item 4): `conformance.options.RUN_OPTIONS` gives RunConfig's
fields, the `run` command's options, the pytest options and the argv of a child run, and what
each of those gives back is the configuration it was made from."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from conformance.commands.run_options import command
from conformance.config import RunConfig
from conformance.config_file import FileConfig
from conformance.options import CONFIG, FAIL_ON_DIFFERENCE, NO_CONFIG, RUN_OPTIONS, child_argv, pytest_argv
from conformance.pytest_plugin.plugin import resolve_from_options

pytest_plugins = ["pytester"]

REPO = Path(__file__).resolve().parents[1]
NOT_OPTIONS = {"config_file", "expected"}  # where file values came from, what the file accepts
# Every option away from its default, so a lost or mangled option shows.
CHANGED: dict[str, Any] = {
    "target": "asgi:tests.faults.cli_faults:tax_rate_total_as_string", "api_version": "2023-09-01",
    "profile": "full", "suite": "scenario", "only": ("tax-rates", "getLedgerAccount"), "skip": ("auth",),
    "report_dir": Path("/tmp/somewhere"), "seed": 7, "workers": 3, "baseline": Path("/tmp/accepted.yaml"),
    "allow_production": True, "rate_limit": 2.5, "allow_changes_to_existing": True, "require_complete": True,
    "lifecycle_entity_id": "0b9b5c3e-6f0e-4a52-9d3e-1c2b3a4d5e6f", "skip_rate_limit_probe": True,
    "min_coverage": (("statuses", 90.0), ("fields", 12.5)), "record": True,
}


def _app(body: Any) -> typer.Typer:
    app = typer.Typer(add_completion=False)
    app.callback()(lambda: None)  # a group, as the real app: argv starts with "run"
    app.command("run")(command(body, "run"))
    return app


def test_run_config_has_one_field_per_option_and_nothing_else() -> None:
    fields = {field.name for field in dataclasses.fields(RunConfig)} - NOT_OPTIONS
    assert fields == {option.name for option in RUN_OPTIONS}
    assert set(CHANGED) == {option.name for option in RUN_OPTIONS if option.cli}


def test_the_run_command_has_exactly_the_table_s_flags() -> None:
    run = typer.main.get_command(_app(lambda given: 0)).commands["run"]  # type: ignore[attr-defined]
    names = {name for param in run.params for name in (*param.opts, *param.secondary_opts)} - {"--help"}
    flags = [option for option in (*RUN_OPTIONS, FAIL_ON_DIFFERENCE, CONFIG) if option.cli]
    expected = ({option.flag for option in flags} | {NO_CONFIG.flag}
                | {"--no-" + option.flag[2:] for option in flags if option.kind == "bool"})
    assert names == expected
    assert not {"--token", "--client-secret", "--entity-id"} & names  # credentials stay off the command line


def test_a_child_s_argv_gives_back_the_configuration_it_was_made_from(tmp_path: Path) -> None:
    original = RunConfig.resolve(env={"MONITE_TOKEN": "tok-never-in-argv", "MONITE_ENTITY_ID": "e"}, **CHANGED)
    seen: dict[str, Any] = {}
    app = _app(lambda given: seen.update(given) or 0)
    result = CliRunner().invoke(app, child_argv(original.option_values(), None), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert seen.pop("no_config") is True and seen.pop("config") is None and not seen.pop("fail_on_difference")
    seen["api_version"] = seen["api_version"][0]
    again = RunConfig.resolve(env={"MONITE_TOKEN": "tok-never-in-argv", "MONITE_ENTITY_ID": "e"}, **seen)
    assert again == original
    assert not any("tok-never-in-argv" in arg for arg in child_argv(original.option_values(), None))


def test_pytest_options_give_back_the_configuration_they_were_made_from(pytester: pytest.Pytester) -> None:
    original = RunConfig.resolve(env={}, **CHANGED)
    config = pytester.parseconfig(*pytest_argv(original.option_values(), None))
    assert resolve_from_options(config) == dataclasses.replace(original, token=None, client_id=None)


def test_the_run_s_own_pytest_session_takes_the_configuration_it_resolved(pytester: pytest.Pytester) -> None:
    """`monite-conformance run` hands its RunConfig to pytest: the session does not resolve it again."""
    from conformance.pytest_plugin.plugin import ResolvedRun

    resolved = RunConfig.resolve(env={}, seed=3)
    config = pytester.parseconfig("--monite-seed=4")
    config.pluginmanager.register(ResolvedRun(resolved))
    assert resolve_from_options(config) is resolved


def test_a_config_file_travels_to_the_child_and_to_pytest(tmp_path: Path) -> None:
    file = tmp_path / "monite-conformance.toml"
    values = RunConfig.resolve(env={}, file=FileConfig(path=file)).option_values()
    assert f"--config={file}" in child_argv(values, file) and "--no-config" not in child_argv(values, file)
    assert f"--monite-config={file}" in pytest_argv(values, file)


def test_no_import_circle_between_run_and_differential() -> None:
    def imports(path: Path) -> set[str]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        return {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}

    commands = REPO / "conformance" / "commands"
    assert "conformance.commands.run" not in imports(commands / "differential.py")
