"""The coverage matrix: every operation of the spec × every status code it documents.

A cell says whether the run saw that operation answer that status, and whether the tests
that saw it passed. A failed test counts against the operation (and status) its failure is
about, the last request it sent; its other calls got the answers it needed. Statuses an operation answered without documenting them are listed
beside its row, so a gap in the spec shows up as plainly as a gap in the suite.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from conformance.openapi.catalog import Catalog, Operation, documented_key
from conformance.verdict.results import FAILING, RunResults

# Cell states, from worst to best news; a cell takes the worst state among the tests that saw it.
FAILED, ACCEPTED, PASSED, SEEN, MISSING, NOT_DOCUMENTED = (
    "failed", "accepted", "passed", "seen", "not-exercised", "not-documented")
_RANK = {FAILED: 0, ACCEPTED: 1, PASSED: 2, SEEN: 3}


@dataclass
class Cell:
    state: str
    count: int = 0  # responses seen with this status
    tests: list[str] = field(default_factory=list)


@dataclass
class Row:
    operation: Operation
    cells: dict[str, Cell]  # column key -> cell
    undocumented: dict[int, Cell]  # statuses seen but not documented
    result: str  # failed | accepted | passed | seen | not-exercised
    tests: int

    @property
    def documented_exercised(self) -> int:
        return sum(1 for key in self.operation.statuses if self.cells[key].state not in (MISSING,))


@dataclass
class Matrix:
    columns: list[str]
    rows: list[Row]

    def coverage(self) -> tuple[int, int]:
        """(documented operation×status pairs exercised, documented pairs in all)."""
        total = sum(len(row.operation.statuses) for row in self.rows)
        return sum(row.documented_exercised for row in self.rows), total


def build_matrix(catalog: Catalog, results: RunResults) -> Matrix:
    columns = catalog.status_columns()
    rows = []
    for op in catalog.operations:
        cells = {key: Cell(MISSING if key in op.statuses else NOT_DOCUMENTED) for key in columns}
        undocumented: dict[int, Cell] = {}
        touching = 0
        op_state: str | None = None
        for rec in results.tests.values():
            blamed_op, blamed_status = rec.blame(catalog) if rec.outcome in FAILING + ("accepted",) else (None, None)
            if op.operation_id in rec.touched():
                touching += 1
                op_state = _worse(op_state, _state_of(_outcome_for(rec.outcome, blamed_op == op.operation_id)))
            for (op_id, status), count in rec.calls.items():
                if op_id != op.operation_id:
                    continue
                key = documented_key(op, status)
                cell = cells[key] if key is not None else undocumented.setdefault(status, Cell(SEEN))
                about_this = blamed_op == op_id and blamed_status in (None, status)
                _add(cell, rec.nodeid, _outcome_for(rec.outcome, about_this), count)
        rows.append(Row(operation=op, cells=cells, undocumented=dict(sorted(undocumented.items())),
                        result=op_state or MISSING, tests=touching))
    return Matrix(columns=columns, rows=rows)


def _outcome_for(outcome: str, about_this: bool) -> str:
    """A failure counts against the operation and status it is about; elsewhere the test got
    past its calls, so they count as passed."""
    if outcome in FAILING + ("accepted",) and not about_this:
        return "passed"
    return outcome


def _state_of(outcome: str) -> str:
    if outcome in FAILING:
        return FAILED
    if outcome == "accepted":
        return ACCEPTED
    if outcome in ("passed", "xpassed"):
        return PASSED
    return SEEN


def _worse(current: str | None, new: str) -> str:
    if current is None or _RANK[new] < _RANK[current]:
        return new
    return current


def _add(cell: Cell, nodeid: str, outcome: str, count: int) -> None:
    state = _state_of(outcome)
    cell.state = state if cell.state in (MISSING, NOT_DOCUMENTED) else _worse(cell.state, state)
    cell.count += count
    if nodeid not in cell.tests:
        cell.tests.append(nodeid)
