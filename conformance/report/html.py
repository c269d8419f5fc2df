"""HTML for the top of report.html: the coverage matrix, then failures, deviations, observations.

pytest-html places these fragments at the head of its summary. The markup is in Jinja2 templates
(`conformance/report/templates/`, one environment in `templating.py`): every text is redacted
and escaped there, so nothing a target answered can inject markup or leak a credential.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markupsafe import Markup

from conformance.report.coverage import coverage_html
from conformance.report.incomplete import describe
from conformance.report.observations import by_rule
from conformance.report.templating import render
from conformance.report.matrix import (ACCEPTED, FAILED, MISSING, NOT_DOCUMENTED, PASSED, SEEN, Cell,
                                       Matrix)

STYLE = """
<style>
.monite-section { color: #222; }
#monite-matrix { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 12px; }
#monite-matrix th, #monite-matrix td { border: 1px solid #ccc; padding: 3px 6px; text-align: center; }
#monite-matrix td.op { text-align: left; white-space: nowrap; }
#monite-matrix td.op small { color: #666; }
.m-passed { background: #d4edda; } .m-failed { background: #f8d7da; font-weight: bold; }
.m-accepted { background: #fff3cd; } .m-seen { background: #e2e3e5; }
.m-not-exercised { background: #fff; color: #999; } .m-not-documented { background: #f4f4f4; color: #ccc; }
.m-undocumented { color: #8a6d3b; text-align: left !important; }
.monite-section pre { white-space: pre-wrap; background: #f7f7f7; padding: 6px; border: 1px solid #ddd; }
.monite-legend span { display: inline-block; padding: 1px 6px; margin-right: 4px; border: 1px solid #ccc; }
.monite-verdict { font-size: 16px; font-weight: bold; }
.monite-incomplete { color: #8a6d3b; }
#monite-observations-by-rule { border-collapse: collapse; font-size: 12px; }
#monite-observations-by-rule td, #monite-observations-by-rule th { border: 1px solid #ccc; padding: 3px 6px;
  vertical-align: top; text-align: left; }
#monite-observations-by-rule pre { margin: 0 0 4px; font-size: 11px; }
</style>
"""
_MARK = {PASSED: "✓", FAILED: "✗", ACCEPTED: "!", SEEN: "○", MISSING: "–", NOT_DOCUMENTED: ""}
_VERDICT = {
    "conforms": "The target conforms.",
    "incomplete": "Incomplete: checks could not run, and the run requires completeness (--require-complete).",
    "under-coverage": "Coverage below --min-coverage (no failure).",
    "failures": "Conformance failures.",
    "unreachable": "Target unreachable or credentials rejected.",
    "interrupted": "The run was interrupted; results are partial.",
    "error": "The run itself failed.",
}


def render_sections(summary: dict[str, Any], matrix: Matrix) -> list[str]:
    """The fragments pytest-html puts at the head of report.html (`templates/run_sections.html.j2`)."""
    rows = summary.get("observations_by_rule") or by_rule(summary["observations"])
    evidence: dict[str, list[dict[str, Any]]] = {}
    for obs in summary["observations"]:
        evidence.setdefault(str(obs.get("rule", "")), []).append(obs)
    return [STYLE, render("run_sections.html.j2", s=summary, run=summary["run"], counts=summary["counts"],
                          verdict=_VERDICT.get(summary["verdict"], summary["verdict"]),
                          could_not_run=describe(summary.get("incomplete")),
                          incomplete=summary.get("incomplete") or {}, matrix=Markup(_matrix(matrix, summary)),
                          rows=rows, evidence=evidence), coverage_html(summary)]


def _matrix(matrix: Matrix, summary: dict[str, Any]) -> str:
    exercised, documented = matrix.coverage()
    return matrix_html(
        matrix, heading="Coverage matrix",
        notes=[f'{exercised} of {documented} documented operation × status pairs exercised; '
               f'{summary["coverage"]["operations_exercised"]} of {summary["coverage"]["operations"]} operations.'],
        legend=((PASSED, "exercised, passed"), (FAILED, "exercised in a failed test"), (ACCEPTED, "accepted deviation"),
                (SEEN, "seen in skipped tests only"), (MISSING, "documented, not exercised"),
                (NOT_DOCUMENTED, "not documented for this operation")),
        cell_note=lambda cell: f", {cell.count} responses; {_tests_title(cell)}" if cell.count else "",
        undocumented_title=_tests_title)


def matrix_html(matrix: Matrix, *, heading: str, notes: list[str], legend: tuple[tuple[str, str], ...],
                cell_note: Callable[[Cell], str], undocumented_title: Callable[[Cell], str],
                count_header: str = "") -> str:
    """The one coverage-matrix table (the run's report.html and the proxy's): every operation × every
    documented status; `cell_note` adds to a cell's title, `count_header` names a per-row count column."""
    rows = [{
        "operation": row.operation.operation_id, "label": row.operation.label, "result": row.result,
        "count": row.tests,
        "cells": [{"key": key, "state": row.cells[key].state, "mark": _MARK.get(row.cells[key].state, ""),
                   "title": "not documented" if row.cells[key].state == NOT_DOCUMENTED
                   else f"{key}: {row.cells[key].state}{cell_note(row.cells[key])}"} for key in matrix.columns],
        "undocumented": [{"status": status, "count": cell.count, "title": undocumented_title(cell)}
                         for status, cell in row.undocumented.items()],
    } for row in matrix.rows]
    view = {"heading": heading, "notes": notes, "columns": matrix.columns, "rows": rows,
            "count_header": count_header,
            "legend": [{"state": state, "mark": _MARK.get(state, ""), "label": label} for state, label in legend]}
    return render("matrix.html.j2", m=view, nbsp=Markup("&nbsp;"))


def _tests_title(cell: Cell) -> str:
    shown = cell.tests[:5] + ([f"+{len(cell.tests) - 5} more"] if len(cell.tests) > 5 else [])
    return "; ".join(shown)


def exchange_html(exchange: dict[str, Any] | None) -> str:
    """The request, the response and a curl command that reproduces it (all redacted)."""
    return render("exchange.html.j2", x=exchange) if exchange else ""
