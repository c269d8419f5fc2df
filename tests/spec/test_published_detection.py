"""What the published document requires fails on any target; what the docs disagree on never does.

Before issue 16 a response without `connection_url` or `sync_status` was only an observation off
the emulator (A31). The published document requires both, and no docs page disagrees (outside
the disconnect answer, D1), so they are documented now. The proof runs the shipped property
tests, as a user would, against the emulator seeded like a sandbox entity with its control plane
hidden (tests/deployments) and behind one broken variant that

- drops `connection_url` from the connection answers of GET (documented: must fail),
- drops `sync_status` from synced records (documented: must fail),
- drops `name` from ledger accounts (D2, the docs disagree: must be an observation naming both
  sources, never a failure).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from conformance.openapi.catalog import spec_catalog
from tests.deployments import registry
from tests.deployments.launcher import serve
from tests.deployments.runs import run_with_pytest
from tests.faults.rewrite import Answer, rewrite_responses

VARIANT = "published_fields_dropped"
DROPPED = {"/v1/accounting_connections": "connection_url", "/v1/accounting_synced_records": "sync_status",
           "/v1/ledger_accounts": "name"}
OPERATIONS = ("getAccountingConnection", "listAccountingConnections", "getSyncedRecord", "listSyncedRecords",
              "getLedgerAccount", "listLedgerAccounts")



def _operation_paths() -> dict[str, tuple[str, str]]:
    catalog = spec_catalog()
    return {op: (catalog.by_id[op].method.upper(), catalog.by_id[op].path) for op in OPERATIONS}


OPERATION_PATHS = _operation_paths()


def _strip(value: Any, field: str) -> Any:
    if isinstance(value, dict):
        if "data" in value and isinstance(value["data"], list):
            return {**value, "data": [_strip(item, field) for item in value["data"]]}
        return {k: v for k, v in value.items() if k != field}
    return value


def published_fields_dropped(app: FastAPI) -> Any:
    """GET answers without a field the published document requires (see the module docstring)."""

    def rewrite(answer: Answer) -> None:
        if answer.method != "GET" or answer.status != 200:
            return
        for prefix, field in DROPPED.items():
            rest = answer.path[len(prefix):]
            if answer.path.startswith(prefix) and rest.count("/") <= 1 and "/" not in rest[1:]:
                answer.set_json(_strip(answer.json(), field))
                return

    return rewrite_responses(app, rewrite)


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(registry.DEPLOYMENTS, VARIANT, published_fields_dropped)
        with serve(VARIANT) as served:
            workdir: Path = tmp_path_factory.mktemp("published-detection")
            return run_with_pytest(served, workdir, "-m", "property", "-k", "test_examples",
                                   f"--monite-only={','.join(OPERATIONS)}")


def _failures_about(outcome: Any, operation: str) -> dict[str, str]:
    method, path = OPERATION_PATHS[operation]
    return {test: text for test, text in outcome.failures.items() if f"[{method} {path}]" in test}


# The lists: on a target without control plane the examples phase reads the entity's own data
# there (a get by id of an example id is a 404). A get by id answers the same schema objects
# (tests/verdict/test_verdict_assumptions.py: a connection without connection_url is never excused).
@pytest.mark.parametrize(("operation", "field"), [
    ("listAccountingConnections", "connection_url"), ("listSyncedRecords", "sync_status")])
def test_a_missing_published_required_field_fails_without_the_control_plane(outcome: Any, operation: str,
                                                                            field: str) -> None:
    failures = _failures_about(outcome, operation)
    assert failures, f"{operation} without {field} passed on a target without control plane:\n{outcome.output[-3000:]}"
    assert any(field in text for text in failures.values()), failures


def test_a_field_the_docs_disagree_on_is_an_observation_naming_both(outcome: Any) -> None:
    assert not _failures_about(outcome, "getLedgerAccount") and not _failures_about(outcome, "listLedgerAccounts"), \
        outcome.failures
    d2 = [o for o in outcome.observations if str(o.get("rule", "")).startswith("D2")]
    assert d2, f"no D2 observation: {[o.get('rule') for o in outcome.observations]}"
    assert all("published OpenAPI" in str(o.get("source")) and "2025-10" in str(o.get("source")) for o in d2), d2
