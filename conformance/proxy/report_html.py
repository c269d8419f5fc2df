"""report.html of the proxied traffic: one self-contained page (no network), every text redacted
and escaped. Reuses the run report's styles and exchange view (`conformance.report.html`)."""

from __future__ import annotations

from html import escape
from typing import Any

from conformance.redaction import redact
from conformance.report.html import STYLE as RUN_REPORT_STYLE
from conformance.report.html import exchange_html
from conformance.report.matrix import FAILED, MISSING, NOT_DOCUMENTED, PASSED, Cell, Matrix

_PROBLEMS = "Problems of the proxy (the service got a 502/504 or a cut answer)"
_MARK = {PASSED: "✓", FAILED: "✗", MISSING: "–", NOT_DOCUMENTED: ""}
_VERDICT = {"clean": "No contract violations.", "violations": "Contract violations."}


def render_html(summary: dict[str, Any], matrix: Matrix) -> str:
    meta = summary["proxy"]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>Monite proxy report</title>{RUN_REPORT_STYLE}'
        '<style>body { font-family: sans-serif; margin: 1em 2em; } .kind { color: #8a6d3b; }</style></head>'
        f'<body><h1>Monite proxy report</h1>{_verdict(summary, meta)}{_matrix(matrix)}'
        f'{_items("monite-violations", "Violations", summary["violations"], _violations_note(summary))}'
        f'{_items("monite-observations", "Observations", summary["observations"], _OBSERVATIONS_NOTE)}'
        f'{_labels("monite-unmatched", "Requests under /v1 that match no operation", summary["unmatched_requests"])}'
        f'{_labels("monite-outside", "Requests outside /v1 (passed through, not judged)", summary["outside_api"])}'
        f'{_labels("monite-problems", _PROBLEMS, summary["problems"])}'
        '</body></html>\n')


def _text(value: Any) -> str:
    return escape(redact(str(value)))


def _verdict(summary: dict[str, Any], meta: dict[str, Any]) -> str:
    counts = summary["counts"]
    return (f'<div class="monite-section" id="monite-verdict"><p class="monite-verdict">'
            f'{_text(_VERDICT.get(summary["verdict"], summary["verdict"]))}</p>'
            f'<p>{counts["exchanges"]} exchanges, {counts["request_violations"]} request violations, '
            f'{counts["response_violations"]} response violations, {counts["observations"]} observations '
            f'(exit code {summary["exit_code"]} with --fail-on {_text(meta["fail_on"])}).</p>'
            f'<p>Upstream {_text(meta["upstream"])}{" (the emulator)" if meta["upstream_is_emulator"] else ""}, '
            f'proxy {_text(meta["listen"])}, since {_text(meta["started_at"])}, written {_text(meta["written_at"])}, '
            f'spec SHA-256 {_text(meta["spec_sha256"][:12])}.</p></div>')


def _matrix(matrix: Matrix) -> str:
    head = "".join(f"<th>{escape(key)}</th>" for key in matrix.columns)
    rows = []
    for row in matrix.rows:
        op = row.operation
        cells = "".join(_cell(row.cells[key], key) for key in matrix.columns)
        extra = ", ".join(f'<span title="{_rules_title(cell)}">{status} ({cell.count}×)</span>'
                          for status, cell in row.undocumented.items())
        rows.append(
            f'<tr data-operation="{escape(op.operation_id)}" data-result="{escape(row.result)}">'
            f'<td class="op"><b>{escape(op.operation_id)}</b><br><small>{escape(op.label)}</small></td>'
            f'<td class="m-{escape(row.result)}">{escape(row.result)}</td><td>{row.tests}</td>{cells}'
            f'<td class="m-undocumented">{extra}</td></tr>')
    legend = "".join(f'<span class="m-{state}">{_MARK[state] or "&nbsp;"} {label}</span>' for state, label in (
        (PASSED, "answered, no rule broken"), (FAILED, "answered in an exchange that broke a rule"),
        (MISSING, "documented, never answered"), (NOT_DOCUMENTED, "not documented for this operation")))
    used = sum(1 for row in matrix.rows if row.tests)
    return ('<div class="monite-section" id="monite-coverage"><h2>What the service used</h2>'
            f'<p>{used} of {len(matrix.rows)} operations used.</p><p class="monite-legend">{legend}</p>'
            f'<table id="monite-matrix"><thead><tr><th>operation</th><th>result</th><th>exchanges</th>{head}'
            f'<th>undocumented statuses seen</th></tr></thead><tbody>{"".join(rows)}</tbody></table></div>')


def _cell(cell: Cell, key: str) -> str:
    title = "not documented" if cell.state == NOT_DOCUMENTED else (
        f"{key}: {cell.state}" + (f", {cell.count} responses" if cell.count else "")
        + (f"; {_rules_title(cell)}" if cell.tests else ""))
    return f'<td class="m-{cell.state}" data-status="{escape(key)}" title="{title}">{_MARK.get(cell.state, "")}</td>'


def _rules_title(cell: Cell) -> str:
    return escape(redact("rules broken: " + ", ".join(cell.tests)) if cell.tests else "", quote=True)


_OBSERVATIONS_NOTE = ("Where the upstream differs from a choice the project made where the docs are silent "
                      "(docs/design.md, A<n>): reported, never counted, because the upstream is not our emulator.")


def _violations_note(summary: dict[str, Any]) -> str:
    dropped = summary["counts"]["not_recorded"]
    return f"{dropped} more were counted but not recorded in detail." if dropped else ""


def _items(anchor: str, title: str, items: list[dict[str, Any]], note: str) -> str:
    if not items:
        return ""
    rendered = []
    for item in items:
        kind = f' <span class="kind">assumption {_text(item["assumption"])}</span>' if item.get("assumption") else ""
        rendered.append(
            f'<li data-rule="{_text(item["rule"])}"><b>{_text(item["operation"] or "n/a")}</b> '
            f'<code>{_text(item["rule"])}</code> ({_text(item["side"])}){kind}<br>'
            f'expected: {_text(item["expected"])}<br>got: {_text(item["observed"])}<br>'
            f'<small>source: {_text(item["source"])}</small>{exchange_html(item.get("exchange"))}</li>')
    return (f'<div class="monite-section" id="{anchor}"><h2>{escape(title)} ({len(items)})</h2>'
            + (f"<p>{escape(note)}</p>" if note else "") + f'<ol>{"".join(rendered)}</ol></div>')


def _labels(anchor: str, title: str, labels: dict[str, int]) -> str:
    if not labels:
        return ""
    items = "".join(f"<li>{_text(label)} ({count}×)</li>" for label, count in labels.items())
    return (f'<div class="monite-section" id="{anchor}"><details><summary>{escape(title)} ({len(labels)})'
            f'</summary><ul>{items}</ul></details></div>')
