"""Every deployment by name: the docs-legal variants, one choice each, and all of them at once."""

from __future__ import annotations

from tests.deployments.sandbox import Variant
from tests.deployments.variants import ASSUMPTIONS, PACED, VARIANTS, all_at_once

DEPLOYMENTS: dict[str, Variant] = {**VARIANTS, "all_at_once": all_at_once, **PACED}


def observation_groups(name: str) -> list[tuple[str, ...]]:
    """What a run against deployment `name` should observe: per departed choice, the assumption
    ids of which at least one must be named by an observation (empty: nothing to observe)."""
    if name == "all_at_once":
        return [ids for ids in ASSUMPTIONS.values() if ids]
    ids = ASSUMPTIONS[name]
    return [ids] if ids else []


DEPARTS_FROM: dict[str, tuple[str, ...]] = {
    name: tuple(sorted({a for group in observation_groups(name) for a in group}, key=lambda a: int(a[1:])))
    for name in DEPLOYMENTS
}


# Documented success statuses a docs-legal variant answers with another one (the docs give none):
# a run against it cannot see them, and says so (summary.json `sandbox.not_exercised`).
_OTHER_SUCCESS = {"ledger_create_200": {("createLedgerAccount", "201")},
                  "delete_200_with_body": {("deleteLedgerAccount", "204")}}


def success_replaced(name: str) -> set[tuple[str, str]]:
    if name == "all_at_once":
        return set().union(*_OTHER_SUCCESS.values())
    return set(_OTHER_SUCCESS.get(name, set()))
