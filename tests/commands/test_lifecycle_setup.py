"""The setup a QA engineer gives for the lifecycle on a sandbox (issue 16): options, their checks, the report.

- MONITE_LIFECYCLE_ENTITY_ID / --lifecycle-entity-id names an entity of its own (a uuid, neither
  MONITE_ENTITY_ID nor MONITE_OTHER_ENTITY_ID), else one line and exit 2;
- MONITE_SKIP_RATE_LIMIT_PROBE / --skip-rate-limit-probe switches the 429 probe off;
- summary.json's `sandbox` section says which documented success statuses were not exercised and
  why, what --allow-changes-to-existing would enable, and what the probe cost.
"""

from __future__ import annotations

import pytest

from conformance.commands.run import pytest_args
from conformance.options import child_argv
from conformance.config import RunConfig
from conformance.errors import ConfigError
from conformance.report.matrix import build_matrix
from conformance.report.sandbox import WHY_NOT_EXERCISED, markdown, probe_cost, sandbox_section
from conformance.safety.guard import NOT_SENT
from conformance.openapi.catalog import spec_catalog
from conformance.verdict.results import RunResults, TestRecord

REMOTE = {"MONITE_BASE_URL": "https://api.sandbox.monite.com/v1", "MONITE_TOKEN": "t",
          "MONITE_ENTITY_ID": "9d2b4c8f-2087-4738-ba91-7359683c49a4"}
LIFECYCLE = "b7e1d2c3-4a5f-4e6d-8c7b-9a0f1e2d3c4b"


def test_the_lifecycle_entity_comes_from_the_environment_or_the_option() -> None:
    assert RunConfig.resolve(env={**REMOTE, "MONITE_LIFECYCLE_ENTITY_ID": LIFECYCLE}).lifecycle_entity_id == LIFECYCLE
    assert RunConfig.resolve(env=REMOTE, lifecycle_entity_id=LIFECYCLE).lifecycle_entity_id == LIFECYCLE
    assert RunConfig.resolve(env=REMOTE).lifecycle_entity_id is None


@pytest.mark.parametrize(("value", "message"), [
    ("not-a-uuid", "must be an entity id"),
    (REMOTE["MONITE_ENTITY_ID"], "must name an entity of its own"),
])
def test_a_lifecycle_entity_that_cannot_be_one_is_refused(value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        RunConfig.resolve(env={**REMOTE, "MONITE_LIFECYCLE_ENTITY_ID": value})


def test_the_probe_is_on_unless_switched_off() -> None:
    assert RunConfig.resolve(env=REMOTE).rate_limit_probe is True
    assert RunConfig.resolve(env={**REMOTE, "MONITE_SKIP_RATE_LIMIT_PROBE": "1"}).rate_limit_probe is False
    assert RunConfig.resolve(env=REMOTE, skip_rate_limit_probe=True).rate_limit_probe is False


def test_the_cli_hands_both_to_pytest(tmp_path) -> None:
    config = RunConfig.resolve(env=REMOTE, lifecycle_entity_id=LIFECYCLE, skip_rate_limit_probe=True,
                               report_dir=tmp_path)
    args = pytest_args(config)
    assert f"--monite-lifecycle-entity-id={LIFECYCLE}" in args
    assert "--monite-skip-rate-limit-probe" in args
    again = child_argv(config.option_values(), None)
    assert "--skip-rate-limit-probe" in again and f"--lifecycle-entity-id={LIFECYCLE}" in again


def _results(*records: TestRecord) -> RunResults:
    results = RunResults()
    results.tests = {rec.nodeid: rec for rec in records}
    return results


def test_the_report_names_each_success_status_not_exercised_with_its_reason() -> None:
    catalog = spec_catalog()
    seen = TestRecord("t::lifecycle", calls={("createAccountingConnection", 201): 2,
                                             ("disconnectAccountingConnection", 200): 1})
    withheld = TestRecord("t::push", outcome="skipped", reason=f"{NOT_SENT} (POST on x)")
    probe = probe_cost([("monite_rate_limit_probe", '{"requests": 64, "seconds": 1.5, "answered_429": true}')])
    section = sandbox_section(build_matrix(catalog, _results(seen, withheld)), _results(seen, withheld),
                              {"pushSyncedRecord": 3}, True, probe, True)
    unseen = {(item["operation"], item["status"]): item["reason"] for item in section["not_exercised"]}
    assert ("createAccountingConnection", "201") not in unseen
    assert unseen[("syncAccountingConnection", "202")] == WHY_NOT_EXERCISED[("syncAccountingConnection", "202")]
    assert all(unseen.values())
    documented = sum(1 for op in catalog.operations for key in op.statuses if key.startswith("2"))
    assert section["success_statuses"] == {"documented": documented, "exercised": 2}
    assert section["allow_changes_to_existing_would_enable"] == {
        "tests": [{"test": "t::push", "reason": withheld.reason}], "generated_cases": {"pushSyncedRecord": 3}}
    assert section["rate_limit_probe"] == {"ran": True, "requests": 64, "seconds": 1.5, "answered_429": True}
    text = "\n".join(markdown(section))
    assert "2/" in text and "64 requests in 1.5 s" in text and "`push`" in text


def test_without_the_lifecycle_entity_the_report_says_what_to_set() -> None:
    catalog = spec_catalog()
    section = sandbox_section(build_matrix(catalog, _results()), _results(), {}, False, None, False)
    unseen = {(item["operation"], item["status"]): item["reason"] for item in section["not_exercised"]}
    assert "MONITE_LIFECYCLE_ENTITY_ID" in unseen[("createAccountingConnection", "201")]
    assert section["rate_limit_probe"] == {"ran": False, "reason": "switched off (--skip-rate-limit-probe)"}


def test_a_success_answered_with_another_status_says_which() -> None:
    """A docs-legal target answering POST /ledger_accounts with 200 (the docs give no success status)."""
    catalog = spec_catalog()
    seen = TestRecord("t::ledger", calls={("createLedgerAccount", 200): 1})
    section = sandbox_section(build_matrix(catalog, _results(seen)), _results(seen), {}, True, None, True)
    unseen = {(item["operation"], item["status"]): item["reason"] for item in section["not_exercised"]}
    assert "answered success with 200 instead" in unseen[("createLedgerAccount", "201")]
