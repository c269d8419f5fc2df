"""The spec against Monite's published OpenAPI document (issue 16, item 1).

The published document is a documented source: what it states for the accounting operations
the spec encodes as documented contract, and every remaining difference is listed with its
reason in spec/published-differences.yaml (tests/spec/published.py reads both documents as
items). The copy lives in ../shared/docs/published-openapi/ beside the project, never in it: in
a user's clone the comparison is skipped, with the reason.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from conformance.diff.normalize import MISSING
from conformance.openapi.files import load_spec
from tests.spec import published as pub

FOUND = pub.published_document()
needs_published = pytest.mark.skipif(
    FOUND is None, reason=f"Monite's published document is not in {pub.PUBLISHED_DIR} (a user's clone does not have it; "
                          "set MONITE_PUBLISHED_OPENAPI to a folder holding it)")
GOAL = 0.98


def _published() -> dict[str, Any]:
    assert FOUND is not None
    return FOUND[1]


def _unexplained(spec: dict[str, Any]) -> list[str]:
    comparison = pub.compare(_published(), spec)
    return [d.describe() for d in pub.unexplained(comparison, pub.listed_differences())]


@needs_published
def test_every_difference_from_the_published_document_is_listed_with_its_reason() -> None:
    assert _unexplained(load_spec()) == []


@needs_published
def test_the_spec_encodes_the_published_document() -> None:
    comparison = pub.compare(_published(), load_spec())
    assert comparison.share() >= GOAL, f"{len(comparison.encoded)}/{len(comparison.published)}"
    # A response item the published document states and the spec does not encode is a
    # contradiction unless another docs page disagrees (a listed D<n>, a probe): what a client
    # reads must fail where the published document says so.
    listed = pub.listed_differences()
    contradictions = [d.describe() for d in comparison.differences
                      if d.published is not MISSING and " | response " in d.item
                      and not any(entry.explains(d) and entry.disagreement for entry in listed)]
    assert contradictions == []


@needs_published
def test_every_listed_difference_still_explains_one() -> None:
    comparison = pub.compare(_published(), load_spec())
    stale = [entry.match for entry in pub.listed_differences()
             if not any(entry.explains(d) for d in comparison.differences)]
    assert stale == []


def test_every_listed_difference_has_a_reason_and_a_known_disagreement() -> None:
    known = pub.design_disagreements()
    for entry in pub.listed_differences():
        assert entry.side in ("published", "spec", "both"), entry.match
        assert len(entry.reason) > 40, entry.match
        assert entry.disagreement is None or entry.disagreement in known, entry.match


def test_every_disagreement_names_both_sources() -> None:
    rows = pub.design_disagreements()
    assert set(rows) >= {"D1", "D2", "D3", "D4", "D5", "D6"}
    for row in rows.values():
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert len(cells) == 5 and all(cells), row  # id, what, published, the other source, the checks


# -- the comparison finds what breaks it -----------------------------------------------------------

def _broken(change: Any) -> dict[str, Any]:
    spec = copy.deepcopy(load_spec())
    change(spec["components"])
    return spec


@needs_published
def test_a_dropped_published_requirement_listed_without_a_disagreement_is_a_contradiction(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Listing a reason is not enough for a response requirement: only a docs disagreement is."""
    spec = _broken(lambda c: c["schemas"]["SyncRecord"]["required"].remove("sync_status"))
    listed = [*pub.listed_differences(),
              pub.Listed(("* | response 200 */sync_status | required",), "published", "a reason " * 10, None)]
    monkeypatch.setattr(pub, "listed_differences", lambda: listed)
    monkeypatch.setattr(pub, "published_document", lambda: FOUND)
    monkeypatch.setitem(globals(), "load_spec", lambda: spec)
    with pytest.raises(AssertionError, match="sync_status"):
        test_the_spec_encodes_the_published_document()


@needs_published
@pytest.mark.parametrize(("change", "expected"), [
    (lambda c: c["schemas"]["AccountingConnection"]["required"].remove("connection_url"),
     "GET /accounting_connections/{} | response 200 /connection_url | required: published true, spec (not stated)"),
    (lambda c: c["schemas"]["SyncRecord"]["required"].remove("sync_status"),
     "GET /accounting_synced_records/{} | response 200 /sync_status | required: published true, spec (not stated)"),
    (lambda c: c["parameters"]["LedgerAccountId"]["schema"].pop("format"),
     'GET /ledger_accounts/{} | path parameter ledger_account_id | format: published "uuid", spec (not stated)'),
    (lambda c: c["schemas"]["SyncRecord"]["properties"]["provider"].update(enum=["codat", None]),
     'GET /accounting_synced_records/{} | response 200 /provider | enum: published ["codat", "railz"], spec ["codat"]'),
    (lambda c: c["parameters"]["Limit"]["schema"].update(maximum=100),
     "GET /ledger_accounts | query parameter limit | maximum: published 250.0, spec 100.0"),
    (lambda c: c["schemas"]["LedgerAccount"]["properties"]["is_bank_account"].update(type="string"),
     'GET /ledger_accounts/{} | response 200 /is_bank_account | type: published ["boolean"], spec ["string"]'),
], ids=["required", "required-record", "path-uuid", "enum", "bound", "type"])
def test_the_comparison_finds_an_unlisted_difference(change: Any, expected: str) -> None:
    assert expected in _unexplained(_broken(change))


def test_items_of_a_minimal_document() -> None:
    doc = {"openapi": "3.1.0", "paths": {"/ledger_accounts/{id}": {"get": {
        "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}],
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
            "type": "object", "required": ["id"],
            "properties": {"id": {"type": "string"}, "name": {"anyOf": [{"type": "string"}, {"type": "null"}]}}}}}}}}}}}
    assert pub.items(doc) == {
        "GET /ledger_accounts/{} | operation | present": True,
        "GET /ledger_accounts/{} | path parameter id | present": True,
        "GET /ledger_accounts/{} | path parameter id | required": True,
        "GET /ledger_accounts/{} | path parameter id | type": ["string"],
        "GET /ledger_accounts/{} | path parameter id | format": "uuid",
        "GET /ledger_accounts/{} | response 200 | present": True,
        "GET /ledger_accounts/{} | response 200 | type": ["object"],
        "GET /ledger_accounts/{} | response 200 /id | present": True,
        "GET /ledger_accounts/{} | response 200 /id | required": True,
        "GET /ledger_accounts/{} | response 200 /id | type": ["string"],
        "GET /ledger_accounts/{} | response 200 /name | present": True,
        "GET /ledger_accounts/{} | response 200 /name | type": ["string"],
        "GET /ledger_accounts/{} | response 200 /name | nullable": True,
    }


def test_a_listed_difference_explains_only_its_side() -> None:
    entry = pub.Listed(("X | response 200 /a | required",), "published", "a reason long enough to say why it is so", None)
    assert entry.explains(pub.Difference("X | response 200 /a | required", True, MISSING))
    assert not entry.explains(pub.Difference("X | response 200 /a | required", MISSING, True))
