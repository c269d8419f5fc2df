"""`--format html`: one self-contained page (inline CSS, no script, no external resource), from
the Jinja2 template `conformance/report/templates/diff_report.html.j2`."""

from __future__ import annotations

from conformance.diff.model import DiffResult
from conformance.diff.catalogue import LEVELS, level_of
from conformance.report.templating import render


def to_html(result: DiffResult, old: str, new: str, fail_on: str) -> str:
    counts = result.counts()
    failing = set(result.at_or_above(fail_on))
    rows = [{"level": level, "fails": finding in failing, "operation": finding.operation or "",
             "location": finding.location, "rule": finding.rule.id, "message": finding.observed}
            for level in LEVELS for finding in result.changes if level_of(finding.rule) == level]
    page = render("diff_report.html.j2", old=old, new=new, fail_on=fail_on, operations=len(result.operations),
                  counts=[(level, counts[level]) for level in LEVELS], rows=rows)
    return page.replace("<!DOCTYPE html><html", "<!DOCTYPE html>\n<html", 1) + "\n"
