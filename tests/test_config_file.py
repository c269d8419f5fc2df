"""The configuration file (issue 20 item 2): found from the working directory upward, flags over the
file over the environment, `${ENV}` credentials, per-operation overrides, the file named in every
report; a bad file is one line naming the file and the key, exit 2. (The proxy driven by a file:
tests/proxy/test_proxy_config.py.)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance import config_file
from conformance.cli import main
from conformance.config import RunConfig
from conformance.errors import ConfigError
from tests.cli_support import run_cli
from tests.diff.builders import get_ledger, ok, query

BROKEN = "asgi:tests.faults.cli_faults:tax_rate_total_as_string"  # a tax rate's total sent as a string
BROKEN_TEST = "test_each_tax_rate_by_id_matches_the_list"


def _write(folder: Path, text: str, name: str = "monite-conformance.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# --- finding and reading the file --------------------------------------------------------------

def test_the_nearest_file_upward_wins_and_a_pyproject_needs_the_table(tmp_path: Path) -> None:
    deep = tmp_path / "service" / "tests"
    deep.mkdir(parents=True)
    _write(tmp_path, 'profile = "full"\n')
    _write(tmp_path / "service", '[project]\nname = "x"\n', "pyproject.toml")  # no table: passed over
    assert config_file.load(start=deep, env={}).path == (tmp_path / "monite-conformance.toml").resolve()
    _write(tmp_path / "service", '[tool.monite-conformance]\nprofile = "quick"\nseed = 3\n', "pyproject.toml")
    found = config_file.load(start=deep, env={})
    assert found.path == (tmp_path / "service" / "pyproject.toml").resolve()
    assert found.run == {"profile": "quick", "seed": 3}


def test_no_file_and_no_config_read_nothing(tmp_path: Path) -> None:
    assert config_file.load(start=tmp_path, env={}).path is None
    _write(tmp_path, 'seed = 3\n')
    assert config_file.load(start=tmp_path, env={}, disabled=True).run == {}


def test_flags_override_the_file_and_the_file_overrides_the_environment(tmp_path: Path) -> None:
    file = config_file.load(_write(tmp_path, 'seed = 7\nprofile = "full"\nrate-limit = 5\n'), env={})
    env = {"MONITE_SEED": "5", "MONITE_PROFILE": "quick", "MONITE_API_VERSION": "2023-09-01"}
    config = RunConfig.resolve(env=env, file=file, seed=9)
    assert (config.seed, config.profile, config.rate_limit) == (9, "full", 5.0)  # flag, file, file
    assert config.api_version == "2023-09-01"  # not in the file: the environment's
    assert config.config_file == (tmp_path / "monite-conformance.toml").resolve()


def test_credentials_come_from_env_references_and_are_never_written(tmp_path: Path) -> None:
    text = ('target = "https://sandbox.example.test/v1"\ntoken = "${SANDBOX_TOKEN}"\n'
            'entity-id = "${SANDBOX_ENTITY}"\nbaseline = "accepted.yaml"\n')
    env = {"SANDBOX_TOKEN": "tok-from-env", "SANDBOX_ENTITY": "9d2b4c8f-2087-4738-ba91-7359683c49a4"}
    config = RunConfig.resolve(env={}, file=config_file.load(_write(tmp_path, text), env=env))
    assert config.token == "tok-from-env" and config.entity_id == env["SANDBOX_ENTITY"]
    assert config.baseline == tmp_path.resolve() / "accepted.yaml"  # relative to the file, not the cwd
    with pytest.raises(ConfigError, match=r"monite-conformance.toml: client-secret: a secret is never written"):
        config_file.load(_write(tmp_path, 'client-secret = "s3cr3t"\n'), env={})


def test_per_operation_overrides_skip_and_accept(tmp_path: Path) -> None:
    text = ('skip = ["auth"]\n[operations.getTaxRate]\nskip = true\n'
            '[[operations.listTaxRates.expected]]\nmatch = "416"\nreason = "ACC-123"\n')
    file = config_file.load(_write(tmp_path, text), env={})
    assert file.run["skip"] == ("auth", "getTaxRate")
    assert file.expected == ({"operation": "listTaxRates", "match": "416", "reason": "ACC-123"},)


# --- a file drives a run, a differential's options, a diff ---------------------------------------

def test_a_file_drives_a_run_and_every_report_names_it(tmp_path: Path) -> None:
    """Target, selection, seed and an expected deviation from the file; the seed flag wins."""
    path = _write(tmp_path, f'target = "{BROKEN}"\nsuite = "scenario"\nonly = ["tax-rates"]\nseed = 11\n'
                            f'report-dir = "out"\n[[operations.getTaxRate.expected]]\n'
                            f'test = "*{BROKEN_TEST}*"\nreason = "total as a string: known, ticket ACC-9"\n')
    run = run_cli("run", "--seed", "12", cwd=tmp_path, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr  # the one failure is accepted by the file
    run.report_dir = tmp_path / "out"
    summary = run.summary()
    assert summary["run"]["config_file"] == str(path.resolve())
    assert summary["run"]["target"] == BROKEN and summary["run"]["seed"] == 12 and summary["run"]["suite"] == "scenario"
    assert [item["reason"] for item in summary["accepted"]] == ["total as a string: known, ticket ACC-9"]
    assert str(path.resolve()) in run.text("summary.md") and str(path.resolve()) in run.text("report.html")
    assert f"configuration {path.resolve()}" in run.stdout


def test_a_file_with_two_api_versions_is_a_differential_run_checked_before_anything_runs(tmp_path: Path) -> None:
    _write(tmp_path, 'api-version = ["2024-05-25", "2024-05-25"]\n')
    run = run_cli("run", cwd=tmp_path)
    assert run.returncode == 2 and "two different API versions" in run.stderr, run.stdout + run.stderr
    assert not (tmp_path / "reports").exists()


def test_a_file_drives_a_diff(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                              capsys: pytest.CaptureFixture[str]) -> None:
    old = get_ledger([query("limit", {"type": "integer", "maximum": 250})], responses=ok({"type": "object"}))
    new = get_ledger([query("limit", {"type": "integer", "maximum": 250})],
                     responses={**ok({"type": "object"}), "409": {"description": "conflict"}})  # non-breaking only
    (tmp_path / "old.json").write_text(json.dumps(old))
    (tmp_path / "new.json").write_text(json.dumps(new))
    _write(tmp_path, '[diff]\nformat = "json"\nfail-on = "any"\n')
    monkeypatch.chdir(tmp_path)
    for args, code in (((), 1), (("--fail-on", "breaking"), 0)):  # the file's fail-on, then the flag's
        with pytest.raises(SystemExit) as stop:
            main(["diff", "old.json", "new.json", *args])
        out = capsys.readouterr().out
        assert stop.value.code == code and json.loads(out)["changes"], out


# --- bad files: one line, the file, the key, exit 2 ----------------------------------------------

@pytest.mark.parametrize("text, fragments", [
    ('targt = "emulator"\n', ["targt: unknown key"]),
    ('target = "ftp://example.invalid"\n', ["target: must be 'emulator'"]),
    ('seed = "soon"\n', ["seed: must be an integer, got 'soon'"]),
    ('profile = "slow"\n', ["profile: must be one of quick, full"]),
    ('workers = 0\n', ["workers: must be at least 1"]),
    ('api-version = ["2023-09-01", "2024-05-25", "2025-06-23"]\n', ["api-version: one date, or two"]),
    ('token = "abc"\n', ["token: a secret is never written in the file"]),
    ('[proxy]\nfail-on = "never"\n', ["proxy.fail-on: must be one of request, response, any"]),
    ('[diff]\nfromat = "json"\n', ["diff.fromat: unknown key"]),
    ('[operations.getTaxRate]\nskip = "yes"\n', ["operations.getTaxRate.skip: must be true or false"]),
    ('[[operations.getTaxRate.expected]]\nmatch = "416"\n', ["operations.getTaxRate.expected[1]: needs a reason"]),
    ('[operations.noSuchOperation]\nskip = true\n', ["operations:", "noSuchOperation"]),
    ('seed = \n', ["not valid TOML"]),
], ids=lambda value: value.split("=")[0].strip() if isinstance(value, str) else None)
def test_a_bad_file_is_one_line_naming_the_file_and_the_key_exit_2(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        text: str, fragments: list[str]) -> None:
    path = _write(tmp_path, text)
    monkeypatch.chdir(tmp_path)
    commands = [["run"], ["diff", "spec", "spec"], ["proxy", "--upstream", "http://127.0.0.1:9/v1"]]
    if "operations:" in fragments:  # which operation ids exist is a run's question only
        commands = commands[:1]
    for command in commands:
        with pytest.raises(SystemExit) as stop:
            main(command)
        err = capsys.readouterr().err
        lines = [line for line in err.splitlines() if line.strip()]
        assert stop.value.code == 2 and len(lines) == 1, (command, err)
        assert str(path.resolve()) in lines[0] or str(path) in lines[0], lines[0]
        assert all(fragment in lines[0] for fragment in fragments), lines[0]
    assert not (tmp_path / "reports").exists()


def test_a_named_file_that_is_missing_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["run", "--config", str(tmp_path / "nope.toml")])
    assert stop.value.code == 2 and "nope.toml: configuration file not found" in capsys.readouterr().err
