"""The scenarios are honest: each group fails against a bug made for it, and only there.

- every scenario passes (none skipped) against the clean emulator;
- each numbered group fails against its broken variant (tests/faults/scenario_faults.py),
  in the test meant to catch it, with a failure that cites its source;
- a broken *assumption* fails on the emulator but, on a target without a control plane, is
  reported as a `monite_observation` and the test passes;
- on a remote target (a base URL without a control plane) everything the scenarios create is
  removed afterwards, also when a scenario fails.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conformance.target.targets import EMULATOR_ENTITY_ID, EMULATOR_OTHER_ENTITY_ID, serve_emulator
from monite_emulator.app import create_app
from tests.faults.run_suite import run_suite
from tests.faults.scenario_faults import GROUP_VARIANTS, break_partial_patch, hide_control_plane
from tests.junit_cases import read_cases

FAULTS = "asgi:tests.faults.scenario_faults:"
LIFECYCLE_ENTITY_ID = "b7e1d2c3-4a5f-4e6d-8c7b-9a0f1e2d3c4b"
# Only the scenarios: the property tests are neither needed nor collected (faster, and decoupled).
SCENARIOS = ("-m", "scenario", "--ignore-glob=*/suite/property*")
# How a failure message cites its rule (conformance.expectations.kinds.Rule.citation).
CITATION = re.compile(r"(seeds? \d{3}|docs: [a-z]|assumption [\w-]+|RFC \d+)")


def test_every_scenario_passes_against_the_clean_emulator() -> None:
    result = run_suite("emulator", *SCENARIOS)
    assert result.returncode == 0 and not result.failed, result.output[-3000:]
    assert not result.skipped, f"on the emulator no scenario may skip: {sorted(result.skipped)[:5]}"
    groups = {name.split("::")[0].rsplit(".", 1)[-1] for name in result.passed}
    assert groups == set(GROUP_VARIANTS), f"groups that ran: {sorted(groups)}"


VARIANT_CASES = [(group, variant, catching) for group, pairs in sorted(GROUP_VARIANTS.items())
                 for variant, catching in pairs]


@pytest.mark.parametrize(("group", "variant", "catching_test"), VARIANT_CASES,
                         ids=[f"{group}-{variant}" for group, variant, _ in VARIANT_CASES])
def test_group_catches_its_broken_variant(group: str, variant: str, catching_test: str) -> None:
    result = run_suite(FAULTS + variant, *SCENARIOS, "-k", group)
    assert result.failed, f"{group} passed against {variant}:\n{result.output[-2000:]}"
    strays = [name for name in result.failed if f".{group}::" not in name]
    assert not strays, f"only {group} was selected, yet {strays} failed"
    caught = {name: message for name, message in result.failed.items() if f"::{catching_test}" in name}
    assert caught, f"{variant} was not caught by {catching_test}; failures: {sorted(result.failed)}"
    assert any(CITATION.search(message) for message in caught.values()), \
        f"the failure does not cite its source: {next(iter(caught.values()))[:500]}"


def test_broken_assumption_fails_on_the_emulator() -> None:
    result = run_suite(FAULTS + "limit_416", *SCENARIOS, "-k", "test_03_limit_bounds")
    failed = [name for name in result.failed if "test_limits_out_of_range_are_refused" in name]
    assert failed, result.output[-2000:]
    assert all("assumption A13" in result.failed[name] for name in failed)


def test_broken_assumption_is_an_observation_without_control_plane(tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    result = run_suite(FAULTS + "without_control_plane_limit_416", *SCENARIOS, "-k", "test_03_limit_bounds",
                       f"--junitxml={junit}")
    assert result.returncode == 0, result.output[-2000:]
    cases = read_cases(junit)
    refused = [case for name, case in cases.items() if "test_limits_out_of_range_are_refused" in name]
    assert refused and all(case.outcome == "passed" for case in refused)
    rules_seen = {observation["rule"] for case in refused for observation in case.observations}
    assert {"A13", "limit-range-416"} <= rules_seen, rules_seen
    assert all({"rule", "source", "message"} <= set(o) for case in cases.values() for o in case.observations)
    assert "MoniteObservation" in result.output


def test_clean_target_without_control_plane_has_no_assumption_observations(tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    result = run_suite(FAULTS + "without_control_plane", *SCENARIOS, f"--junitxml={junit}")
    assert result.returncode == 0, result.output[-3000:]
    observed = {o["rule"] for case in read_cases(junit).values() for o in case.observations}
    # Only probes of docs disagreements (reported on every target, whichever side it takes):
    # the concepts page's limit range and page size, the published document against the seeds (D1-D6).
    assert observed <= {"limit-range-416", "default-page-size", "D1", "D2", "D3", "D4", "D5", "D6"}, \
        f"false alarms: {observed}"


def test_nothing_is_left_behind_on_a_remote_target(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    app = break_partial_patch(create_app())  # so test_partial_patch fails after creating its account
    settings = app.state.settings
    monkeypatch.setenv("MONITE_CLIENT_ID", settings.client_id)
    monkeypatch.setenv("MONITE_CLIENT_SECRET", settings.client_secret)
    monkeypatch.setenv("MONITE_ENTITY_ID", EMULATOR_ENTITY_ID)
    monkeypatch.setenv("MONITE_OTHER_ENTITY_ID", EMULATOR_OTHER_ENTITY_ID)
    monkeypatch.setenv("MONITE_LIFECYCLE_ENTITY_ID", LIFECYCLE_ENTITY_ID)  # where test_01 connects
    monkeypatch.delenv("MONITE_TOKEN", raising=False)
    junit = tmp_path / "junit.xml"
    with serve_emulator(hide_control_plane(app)) as origin:
        result = run_suite(origin, *SCENARIOS, "-k", "test_01 or test_02 or test_04 or test_08 or test_10",
                           f"--junitxml={junit}")
    outcomes = {name.rsplit("::", 1)[-1]: case.outcome for name, case in read_cases(junit).items()}
    assert outcomes.get("test_partial_patch") == "failure", result.output[-3000:]
    assert outcomes.get("test_only_one_active_connection") == "passed", result.output[-3000:]
    for entity in (EMULATOR_ENTITY_ID, EMULATOR_OTHER_ENTITY_ID, LIFECYCLE_ENTITY_ID):
        state = app.state.emulator.state(entity)
        left = [account for account in state.get("ledger_accounts", []) if not account.get("is_external")]
        assert not left, f"{len(left)} ledger accounts left on {entity}: {[a.get('name') for a in left][:5]}"
        active = [c for c in state.get("connections", []) if c.get("status") != "disconnected"]
        assert not active, f"connections left active on {entity}: {active}"
