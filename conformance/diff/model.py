"""What a diff produces: changes (one per rule that fired at one place) and their totals."""

from __future__ import annotations

from dataclasses import dataclass, field

from conformance.diff.rules import LEVELS, RULES, SEVERITY


@dataclass(frozen=True, order=True)
class Change:
    """One rule that fired: `operation` ("GET /ledger_accounts"), `location` ("response 200 /data/items/name")."""

    operation: str
    location: str
    rule: str
    level: str = field(compare=False)
    message: str = field(compare=False)

    @classmethod
    def of(cls, rule: str, operation: str, location: str, message: str) -> Change:
        """A change of a rule in the table (an unknown id is a programming error: KeyError)."""
        return cls(operation=operation, location=location, rule=rule, level=RULES[rule].level, message=message)

    def as_dict(self) -> dict[str, str]:
        return {"operation": self.operation, "rule": self.rule, "level": self.level,
                "location": self.location, "message": self.message}


@dataclass
class DiffResult:
    """The changes in stable order (operation, location, rule) and every operation compared."""

    changes: list[Change]
    operations: list[str]

    def __post_init__(self) -> None:
        self.changes = sorted(set(self.changes))
        self.operations = sorted(set(self.operations))

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(LEVELS, 0)
        for change in self.changes:
            counts[change.level] += 1
        return counts

    def at_or_above(self, threshold: str) -> list[Change]:
        """Changes at `threshold` (a level, or "any") or worse."""
        if threshold == "any":
            return list(self.changes)
        floor = SEVERITY[threshold]
        return [change for change in self.changes if SEVERITY[change.level] >= floor]
