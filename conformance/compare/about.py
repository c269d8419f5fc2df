"""Which operations a test is about, read from what two runs' summaries say of it.

A difference about a test (`regression`, `test-added`, `outcome-changed`, an observation ...)
names the operations it concerns, so that every difference can be read per operation, also for
a test that ran in one run only or was skipped in one. The evidence, strongest first:

1. the operation its failure was blamed on (`failures[].operation`);
2. the operation its id names: a property test's `[POST /ledger_accounts]` or `[createLedgerAccount]`
   (`Catalog.from_test_id`, against the whole spec: an operation absent in one API version is
   still that operation);
3. the operations its skip reason names (`operation absent in API version …: POST
   /ledger_accounts (createLedgerAccount)`);
4. the operations the test declared or called in either run (`tests[].operations`: the
   scenarios' `@pytest.mark.operations` marks and every operation they sent a request to), without
   the token request a test makes only because it happened to be the first to need a token;
5. failing all of these, the operations whose tag its module or parameters name
   (`test_04_sorting.py::test_sorted_across_pages[ledger_accounts-…]` → tag `ledger-accounts`),
   as `--only`/`--skip` select scenarios that declare no operation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import PurePath
from typing import Any

from conformance.openapi.catalog import Catalog, spec_catalog

_NAMED_IN_REASON = re.compile(r"\(([A-Za-z_][A-Za-z0-9_]*)\)")
TOKEN_PATH = "/auth/token"


@lru_cache(maxsize=1)
def _catalog() -> Catalog:
    return spec_catalog()


def _tokens(catalog: Catalog) -> frozenset[str]:
    return frozenset(op.operation_id for op in catalog.operations if op.path == TOKEN_PATH)


def operations_of(test_id: str, entries: Iterable[dict[str, Any]], failures: Iterable[dict[str, Any]],
                  catalog: Catalog | None = None) -> tuple[str, ...]:
    """The operations test `test_id` is about, the most telling first (see the module docstring).

    `entries` are the test's `tests[]` entries in the runs that have it, `failures` its
    `failures[]` entries."""
    catalog = catalog or _catalog()
    entries, failures = list(entries), list(failures)
    ordered: list[str] = []

    def add(names: Iterable[str]) -> None:
        for name in names:
            if name and name not in ordered:
                ordered.append(name)

    add(str(f["operation"]) for f in failures if f.get("operation"))
    named = catalog.from_test_id(test_id)
    if named is not None:
        add([named.operation_id])
    for entry in entries:
        add(name for name in _NAMED_IN_REASON.findall(str(entry.get("reason") or "")) if name in catalog.by_id)
    touched: list[str] = sorted({str(op) for entry in entries for op in entry.get("operations") or ()})
    tokens = _tokens(catalog)
    add(touched if not ordered and set(touched) <= tokens else [op for op in touched if op not in tokens])
    if not ordered:
        add(sorted(_by_tags(test_id, catalog)))
    return tuple(ordered)


def _by_tags(test_id: str, catalog: Catalog) -> set[str]:
    path, _, name = test_id.partition("::")
    words = f"{PurePath(path).stem}::{name}"
    tags = {tag for tag in catalog.tags if tag.replace("-", "_") in words}
    return {op.operation_id for op in catalog.operations if tags & set(op.tags)}
