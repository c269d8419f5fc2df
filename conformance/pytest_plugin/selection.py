"""Which operations a test is about, and whether `--only` / `--skip` keep it.

Property tests name their operation in a parameter `operation_id` (test id
"test_coverage[listLedgerAccounts]") or, schemathesis-style, as "[GET /ledger_accounts]". Scenarios
may declare theirs with `@pytest.mark.operations("getTaxRate", ...)`; a scenario that declares
none is matched by its module name and test id against the spec's tags, written with
underscores (tag `tax-rates` ↔ `test_next_then_prev_round_trip[tax_rates-limit=1]`).
A property test about no single operation (the stateful one walks them all) is left out
whenever --only or --skip narrows the run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

import pytest

from conformance.openapi.catalog import Catalog

OPERATIONS_MARKER = "operations"


@dataclass(frozen=True)
class TestScope:
    __test__ = False  # not a pytest test class, despite the name
    kind: str  # property | scenario | other
    operations: frozenset[str]
    tags: frozenset[str]  # tags of its operations, or those its module name carries


def scope_of(item: pytest.Item, catalog: Catalog) -> TestScope:
    kind = ("property" if item.get_closest_marker("property")
            else "scenario" if item.get_closest_marker("scenario") else "other")
    operations: set[str] = set()
    for marker in item.iter_markers(OPERATIONS_MARKER):
        operations.update(str(arg) for arg in marker.args)
    callspec = getattr(item, "callspec", None)
    if callspec is not None and isinstance(callspec.params.get("operation_id"), str):
        operations.add(callspec.params["operation_id"])
    named = catalog.from_test_id(item.nodeid)
    if named is not None:
        operations.add(named.operation_id)
    operations &= set(catalog.by_id)
    if operations:
        tags = {tag for op in operations for tag in catalog.by_id[op].tags}
    else:
        path, _, name = item.nodeid.partition("::")
        words = f"{PurePath(path).stem}::{name}"
        tags = {tag for tag in catalog.tags if tag.replace("-", "_") in words}
    return TestScope(kind=kind, operations=frozenset(operations), tags=frozenset(tags))


def matches(scope: TestScope, operations: set[str], catalog: Catalog) -> bool:
    """Whether a test is about any of `operations` (by operation, or by module tag if it has none)."""
    if scope.operations:
        return bool(scope.operations & operations)
    wanted_tags = {tag for op in operations for tag in catalog.by_id[op].tags}
    return bool(scope.tags & wanted_tags)


def keep(scope: TestScope, suite: str, only: set[str] | None, skip: set[str], catalog: Catalog) -> bool:
    """The CLI's selection rule: --suite by marker, --only keeps tests about a chosen operation,
    --skip drops tests about a skipped one."""
    if suite != "all" and scope.kind != suite:
        return False
    if (only is not None or skip) and scope.kind == "property" and not scope.operations:
        return False  # it walks every operation (the stateful test): not one a selection can keep
    if only is not None and not matches(scope, only, catalog):
        return False
    return not (skip and matches(scope, skip, catalog))

