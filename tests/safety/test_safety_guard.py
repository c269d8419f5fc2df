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


# -- a resource that does not exist may be named ---------------------------------------------------

ENTITY, OTHER, STRANGER = "e-1", "e-2", "e-3"
RANDOM = "0b7d8d43-3333-4c1e-9a43-4ab0e1c3f003"


class Existing:
    """A fake target: which (resource URL, entity) pairs exist; records every GET it was asked."""

    def __init__(self, *pairs: tuple[str, str]) -> None:
        self.pairs = set(pairs)
        self.asked: list[tuple[str, str]] = []

    def __call__(self, resource_url: str, entity_id: str) -> bool:
        self.asked.append((resource_url, entity_id))
        return (resource_url, entity_id) in self.pairs


def test_a_change_naming_a_resource_that_exists_nowhere_is_sent() -> None:
    target = Existing((f"{BASE}/ledger_accounts/{THEIRS}", ENTITY))
    guard.enforce(True, target, (ENTITY, OTHER))
    try:
        assert guard.refusal("PATCH", f"{BASE}/ledger_accounts/{RANDOM}", ENTITY) is None
        # The sub-resource action is judged by the resource it names.
        assert guard.refusal("POST", f"{BASE}/accounting_connections/{RANDOM}/disconnect", ENTITY) is None
        assert (f"{BASE}/accounting_connections/{RANDOM}", OTHER) in target.asked
        assert guard.refusal("PATCH", f"{BASE}/ledger_accounts/{THEIRS}", ENTITY) is not None
    finally:
        guard.enforce(False)


def test_a_resource_of_the_other_entity_or_of_the_requests_entity_is_not_touched() -> None:
    target = Existing((f"{BASE}/ledger_accounts/{THEIRS}", OTHER), (f"{BASE}/ledger_accounts/{RANDOM}", STRANGER))
    guard.enforce(True, target, (ENTITY, OTHER))
    try:
        # Sent for the entity under test, but it exists for the second entity: refused.
        assert guard.refusal("DELETE", f"{BASE}/ledger_accounts/{THEIRS}", ENTITY) is not None
        # Absent for the run's entities, present for the entity the request names: refused.
        assert guard.refusal("DELETE", f"{BASE}/ledger_accounts/{RANDOM}", STRANGER) is not None
    finally:
        guard.enforce(False)


def test_each_resource_is_looked_up_once() -> None:
    target = Existing()
    guard.enforce(True, target, (ENTITY,))
    try:
        for _ in range(3):
            assert guard.refusal("PATCH", f"{BASE}/ledger_accounts/{RANDOM}", ENTITY) is None
        assert target.asked == [(f"{BASE}/ledger_accounts/{RANDOM}", ENTITY)]
    finally:
        guard.enforce(False)


# -- the lifecycle entity (MONITE_LIFECYCLE_ENTITY_ID) ------------------------------------------------

LIFECYCLE = "e-lifecycle"


def test_in_the_lifecycle_entity_only_what_the_run_created_may_change() -> None:
    """Its earlier connections (another run's, or the user's) are not the run's to disconnect."""
    earlier = f"{BASE}/accounting_connections/{THEIRS}"
    target = Existing((earlier, LIFECYCLE))
    guard.enforce(True, target, (ENTITY, OTHER, LIFECYCLE), always=(LIFECYCLE,))
    try:
        assert guard.refusal("POST", f"{earlier}/disconnect", LIFECYCLE) is not None
        assert guard.refusal("POST", f"{earlier}/sync", LIFECYCLE) is not None
        assert guard.refusal("POST", f"{BASE}/accounting_connections", LIFECYCLE) is None  # connecting is
        _created(OURS)
        assert guard.refusal("POST", f"{BASE}/accounting_connections/{OURS}/disconnect", LIFECYCLE) is None
    finally:
        guard.enforce(False)


def test_the_lifecycle_entity_stays_guarded_when_changes_to_existing_are_allowed() -> None:
    """--allow-changes-to-existing is for the user's throwaway entity, not for the lifecycle entity."""
    earlier = f"{BASE}/accounting_connections/{THEIRS}"
    target = Existing((earlier, LIFECYCLE), (earlier, ENTITY))
    guard.enforce(False, target, (ENTITY, LIFECYCLE), always=(LIFECYCLE,))
    try:
        assert guard.refusal("POST", f"{earlier}/disconnect", ENTITY) is None  # allowed there
        assert guard.refusal("POST", f"{earlier}/disconnect", LIFECYCLE) is not None
    finally:
        guard.enforce(False)
