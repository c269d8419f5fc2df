"""The guard that keeps a run's hands off the user's data on a target without the control plane."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from conformance.evidence import created
from conformance.safety import guard

BASE = "https://api.sandbox.monite.com/v1"
THEIRS = "0b7d8d43-1111-4c1e-9a43-4ab0e1c3f001"
OURS = "0b7d8d43-2222-4c1e-9a43-4ab0e1c3f002"


@pytest.fixture
def enforced() -> Iterator[None]:
    guard.enforce(True)
    yield
    guard.enforce(False)


def _created(resource_id: str) -> None:
    request = SimpleNamespace(headers={"x-monite-entity-id": "e"}, url=f"{BASE}/ledger_accounts")
    created.note("createLedgerAccount", 201, SimpleNamespace(request=request, content=f'{{"id": "{resource_id}"}}'.encode()))


@pytest.mark.parametrize(("method", "path"), [
    ("PATCH", f"/ledger_accounts/{THEIRS}"), ("DELETE", f"/ledger_accounts/{THEIRS}"),
    ("POST", f"/accounting_connections/{THEIRS}/disconnect"), ("POST", f"/accounting_connections/{THEIRS}/sync"),
    ("POST", f"/accounting_synced_records/{THEIRS}/push"), ("PUT", f"/ledger_accounts/{THEIRS}"),
])
def test_changes_to_what_the_run_did_not_create_are_refused(enforced: None, method: str, path: str) -> None:
    assert guard.refusal(method, BASE + path) is not None
    with pytest.raises(guard.ChangeRefused, match="would change data the run did not create"):
        guard.check(method, BASE + path)


@pytest.mark.parametrize(("method", "path"), [
    ("GET", f"/ledger_accounts/{THEIRS}"), ("HEAD", f"/accounting_connections/{THEIRS}"),
    ("POST", "/ledger_accounts"), ("POST", "/accounting_connections"), ("POST", "/auth/token"),
])
def test_reads_and_creations_are_sent(enforced: None, method: str, path: str) -> None:
    assert guard.refusal(method, BASE + path) is None


def test_what_the_run_created_may_be_changed(enforced: None) -> None:
    _created(OURS)
    assert guard.refusal("PATCH", f"{BASE}/ledger_accounts/{OURS}") is None
    assert guard.refusal("DELETE", f"{BASE}/ledger_accounts/{OURS}") is None
    assert guard.refusal("DELETE", f"{BASE}/ledger_accounts/{THEIRS}") is not None


def test_nothing_is_refused_where_the_rule_is_off() -> None:
    guard.enforce(False)
    assert guard.refusal("DELETE", f"{BASE}/ledger_accounts/{THEIRS}") is None
