"""What a diff produces: findings (one per rule that fired at one place) and their totals.

A change is a `conformance.findings.Finding`: the catalogue's rule (its id and `level`) broken at
an `operation` ("GET /ledger_accounts"), at a `location` in it ("response 200 /data/items/name"),
with what the rule expects (its statement) and what changed from OLD to NEW (`observed`, the
message every format shows).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conformance.diff.catalogue import LEVELS, RULES, SEVERITY, level_of
from conformance.findings import Finding


def change(rule: str, operation: str, location: str, message: str) -> Finding:
    """The finding of a rule in the catalogue (an unknown id is a programming error: KeyError)."""
    entry = RULES[rule]
    return Finding(entry, operation, expected=entry.statement, observed=message, location=location)


def change_key(finding: Finding) -> tuple[str, str, str]:
    """Where a change sits in the report's order, and what makes it one: operation, location, rule."""
    return (finding.operation or "", finding.location, finding.rule.id)


def change_dict(finding: Finding) -> dict[str, str]:
    """A change as `--format json` lists it."""
    return {"operation": finding.operation or "", "rule": finding.rule.id, "level": level_of(finding.rule),
            "location": finding.location, "message": finding.observed}


@dataclass
class DiffResult:
    """The changes in stable order (operation, location, rule) and every operation compared.

    A rule that fires twice at one place is one change (the first message is kept).
    """

    changes: list[Finding]
    operations: list[str]

    def __post_init__(self) -> None:
        unique: dict[tuple[str, str, str], Finding] = {}
        for finding in self.changes:
            unique.setdefault(change_key(finding), finding)
        self.changes = [unique[key] for key in sorted(unique)]
        self.operations = sorted(set(self.operations))

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(LEVELS, 0)
        for finding in self.changes:
            counts[level_of(finding.rule)] += 1
        return counts

    def at_or_above(self, threshold: str) -> list[Finding]:
        """Changes at `threshold` (a level, or "any") or worse."""
        if threshold == "any":
            return list(self.changes)
        floor = SEVERITY[threshold]
        return [finding for finding in self.changes if SEVERITY[level_of(finding.rule)] >= floor]

    def of_level(self, level: str) -> list[Finding]:
        return [finding for finding in self.changes if finding.rule.level == level]

    def as_dict(self) -> dict[str, Any]:
        """`--format json`: exactly `{"changes": [...], "counts": {...}}`."""
        return {"changes": [change_dict(finding) for finding in self.changes], "counts": self.counts()}
