"""The matrix of what the service used: every operation of the spec × every documented status.

Built on the run report's data model (`conformance.report.matrix`), with the proxy's
meaning: a cell is *failed* when an exchange answered with that status broke a rule
(request or response side), *passed* when every such exchange was clean, *not-exercised*
when the service never got that status. The "tests" of a cell are the rule ids broken there.
"""

from __future__ import annotations

from conformance.openapi.contract import documented_key
from conformance.proxy.recorder import Traffic
from conformance.report.matrix import FAILED, MISSING, NOT_DOCUMENTED, PASSED, Cell, Matrix, Row
from conformance.openapi.catalog import Catalog


def traffic_matrix(catalog: Catalog, traffic: Traffic) -> Matrix:
    rows = []
    for op in catalog.operations:
        cells = {key: Cell(MISSING if key in op.statuses else NOT_DOCUMENTED) for key in catalog.status_columns()}
        undocumented: dict[int, Cell] = {}
        violated = traffic.violated.get(op.operation_id, {})
        seen = traffic.statuses.get(op.operation_id, {})
        for status, count in seen.items():
            key = documented_key(op, status)
            cell = cells[key] if key is not None else undocumented.setdefault(status, Cell(PASSED))
            broken = violated.get(status, [])
            if broken:
                cell.state = FAILED
            elif cell.state in (MISSING, NOT_DOCUMENTED):
                cell.state = PASSED
            cell.count += count
            cell.tests = sorted(set(cell.tests) | set(broken))
        result = FAILED if violated else PASSED if seen else MISSING
        rows.append(Row(operation=op, cells=cells, undocumented=dict(sorted(undocumented.items())),
                        result=result, tests=sum(seen.values())))
    return Matrix(columns=catalog.status_columns(), rows=rows)
