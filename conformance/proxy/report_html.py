"""report.html of the proxied traffic: one self-contained page (no network), every text redacted
and escaped, from a Jinja2 template. Shares the run report's styles, coverage matrix and exchange
view (`conformance.report.html`, `templates/macros.html.j2`)."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from conformance.report.html import STYLE as RUN_REPORT_STYLE
from conformance.report.html import matrix_html
from conformance.report.templating import render
from conformance.report.matrix import FAILED, MISSING, NOT_DOCUMENTED, PASSED, Cell, Matrix

_VERDICT = {"clean": "No contract violations.", "violations": "Contract violations."}


def render_html(summary: dict[str, Any], matrix: Matrix) -> str:
    """The page, from `conformance/report/templates/proxy_report.html.j2`."""
    sections = [
        {"anchor": "monite-violations", "title": "Violations", "items": summary["violations"],
         "note": _violations_note(summary)},
        {"anchor": "monite-observations", "title": "Observations", "items": summary["observations"],
         "note": _OBSERVATIONS_NOTE},
    ]
    page = render("proxy_report.html.j2", style=Markup(RUN_REPORT_STYLE), meta=summary["proxy"],
                  counts=summary["counts"], exit_code=summary["exit_code"],
                  verdict=_VERDICT.get(summary["verdict"], summary["verdict"]), matrix=Markup(_matrix(matrix)),
                  sections=sections, unmatched=summary["unmatched_requests"], outside=summary["outside_api"],
                  problems=summary["problems"])
    return page.replace("<!DOCTYPE html><html", "<!DOCTYPE html>\n<html", 1) + "\n"


def _matrix(matrix: Matrix) -> str:
    used = sum(1 for row in matrix.rows if row.tests)
    return matrix_html(
        matrix, heading="What the service used", notes=[f"{used} of {len(matrix.rows)} operations used."],
        legend=((PASSED, "answered, no rule broken"), (FAILED, "answered in an exchange that broke a rule"),
                (MISSING, "documented, never answered"), (NOT_DOCUMENTED, "not documented for this operation")),
        cell_note=lambda cell: (f", {cell.count} responses" if cell.count else "")
        + (f"; {_rules_title(cell)}" if cell.tests else ""),
        undocumented_title=_rules_title, count_header="exchanges")


def _rules_title(cell: Cell) -> str:
    return "rules broken: " + ", ".join(cell.tests) if cell.tests else ""


_OBSERVATIONS_NOTE = ("Where the upstream differs from a choice the project made where the docs are silent "
                      "(docs/design.md, A<n>): reported, never counted, because the upstream is not our emulator.")


def _violations_note(summary: dict[str, Any]) -> str:
    dropped = summary["counts"]["not_recorded"]
    return f"{dropped} more were counted but not recorded in detail." if dropped else ""
