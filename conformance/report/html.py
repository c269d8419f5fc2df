"""HTML for the top of report.html: the coverage matrix, then failures, deviations, observations.

pytest-html places these fragments at the head of its summary; every text is redacted and
escaped here, so nothing a target answered can inject markup or leak a credential.
"""

from __future__ import annotations

from html import escape
from typing import Any

from conformance.redaction import redact
from conformance.report.incomplete import describe
from conformance.report.observations import by_rule
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
    "failures": "Conformance failures.",
    "unreachable": "Target unreachable or credentials rejected.",
    "interrupted": "The run was interrupted; results are partial.",
    "error": "The run itself failed.",
}


def render_sections(summary: dict[str, Any], matrix: Matrix) -> list[str]:
    return [STYLE, _verdict(summary), _matrix(matrix, summary), _failures(summary), _incomplete(summary),
            _accepted(summary), _cleanup(summary), _observations(summary), _unmatched(summary)]


def _text(value: Any) -> str:
    return escape(redact(str(value)))


def _verdict(summary: dict[str, Any]) -> str:
    counts, run = summary["counts"], summary["run"]
    could_not_run = describe(summary.get("incomplete"))
    return (f'<div class="monite-section" id="monite-verdict"><p class="monite-verdict">'
            f'{_text(_VERDICT.get(summary["verdict"], summary["verdict"]))}'
            + (f' <span class="monite-incomplete">— {_text(could_not_run)}</span>' if could_not_run else "")
            + '</p>'
            f'<p>{counts["passed"]} passed, {counts["failed"]} failed, {counts["error"]} errors, '
            f'{counts["accepted"]} accepted deviations, {counts["skipped"]} skipped, '
            f'{counts["observations"]} observations. Target {_text(run["target"])}, API version '
            f'{_text(run["api_version"])}, profile {_text(run["profile"])}, seed {_text(run["seed"])}.</p>'
            f'{_ALLOWED if run.get("allow_changes_to_existing") else ""}{_changed(summary)}</div>')


_ALLOWED = ('<p class="monite-allowed"><strong>--allow-changes-to-existing</strong>: this run was allowed to '
            'change resources it did not create.</p>')


def _changed(summary: dict[str, Any]) -> str:
    if not summary.get("changed_existing"):
        return ""
    items = "".join(f"<li>{_text(item['what'])} <small><code>{_text(item['test'])}</code></small></li>"
                    for item in summary["changed_existing"])
    return f'<details id="monite-changed-existing"><summary>Changed on the target</summary><ul>{items}</ul></details>'



def _matrix(matrix: Matrix, summary: dict[str, Any]) -> str:
    exercised, documented = matrix.coverage()
    head = "".join(f"<th>{escape(key)}</th>" for key in matrix.columns)
    rows = []
    for row in matrix.rows:
        op = row.operation
        cells = "".join(_cell(row.cells[key], key) for key in matrix.columns)
        extra = ", ".join(f'<span title="{_tests_title(cell)}">{status} ({cell.count}×)</span>'
                          for status, cell in row.undocumented.items())
        rows.append(
            f'<tr data-operation="{escape(op.operation_id)}" data-result="{escape(row.result)}">'
            f'<td class="op"><b>{escape(op.operation_id)}</b><br><small>{escape(op.label)}</small></td>'
            f'<td class="m-{escape(row.result)}">{escape(row.result)}</td>{cells}'
            f'<td class="m-undocumented">{extra}</td></tr>')
    legend = "".join(f'<span class="m-{state}">{_MARK[state] or "&nbsp;"} {label}</span>' for state, label in (
        (PASSED, "exercised, passed"), (FAILED, "exercised in a failed test"), (ACCEPTED, "accepted deviation"),
        (SEEN, "seen in skipped tests only"), (MISSING, "documented, not exercised"),
        (NOT_DOCUMENTED, "not documented for this operation")))
    return (
        '<div class="monite-section" id="monite-coverage"><h2>Coverage matrix</h2>'
        f'<p>{exercised} of {documented} documented operation × status pairs exercised; '
        f'{summary["coverage"]["operations_exercised"]} of {summary["coverage"]["operations"]} operations.</p>'
        f'<p class="monite-legend">{legend}</p>'
        f'<table id="monite-matrix"><thead><tr><th>operation</th><th>result</th>{head}'
        f'<th>undocumented statuses seen</th></tr></thead><tbody>{"".join(rows)}</tbody></table></div>')


def _cell(cell: Cell, key: str) -> str:
    title = "not documented" if cell.state == NOT_DOCUMENTED else (
        f"{key}: {cell.state}" + (f", {cell.count} responses; {_tests_title(cell)}" if cell.count else ""))
    return f'<td class="m-{cell.state}" data-status="{escape(key)}" title="{title}">{_MARK[cell.state]}</td>'


def _tests_title(cell: Cell) -> str:
    shown = cell.tests[:5] + ([f"+{len(cell.tests) - 5} more"] if len(cell.tests) > 5 else [])
    return escape(redact("; ".join(shown)), quote=True)


def _failures(summary: dict[str, Any]) -> str:
    if not summary["failures"]:
        return ""
    items = []
    for failure in summary["failures"]:
        items.append(
            f'<li><b>{_text(failure["operation"] or "n/a")}</b> <code>{_text(failure["test"])}</code> '
            f'({_text(failure["outcome"])} in {_text(failure["phase"])}): {_text(failure["reason"])}'
            f'{exchange_html(failure["exchange"])}</li>')
    return (f'<div class="monite-section" id="monite-failures"><h2>Failures ({len(items)})</h2>'
            f'<ol>{"".join(items)}</ol><p>Full details in the results table below.</p></div>')


def exchange_html(exchange: dict[str, Any] | None) -> str:
    """The request, the response and a curl command that reproduces it (all redacted)."""
    if not exchange:
        return ""
    request_headers = "\n".join(f"{k}: {v}" for k, v in exchange.get("request_headers", {}).items())
    response_headers = "\n".join(f"{k}: {v}" for k, v in exchange.get("response_headers", {}).items())
    return (
        '<details class="monite-exchange"><summary>request, response, curl</summary>'
        f'<p>Request</p><pre>{_text(exchange.get("method"))} {_text(exchange.get("url"))}\n'
        f'{_text(request_headers)}\n\n{_text(exchange.get("request_body", ""))}</pre>'
        f'<p>Response</p><pre>{_text(exchange.get("status_code"))}\n{_text(response_headers)}\n\n'
        f'{_text(exchange.get("response_body", ""))}</pre>'
        f'<p>Reproduce</p><pre>{_text(exchange.get("curl", ""))}</pre></details>')


def _incomplete(summary: dict[str, Any]) -> str:
    incomplete = summary.get("incomplete") or {}
    if not describe(incomplete):
        return ""
    rows = "".join(f"<tr><td>{n}</td><td>{_text(reason)}</td></tr>" for reason, n in incomplete.get("reasons", {}).items())
    cases = incomplete.get("not_sent_cases") or {}
    listed = ", ".join(f"{_text(op)} {n}" for op, n in cases.items())
    return ('<div class="monite-section" id="monite-incomplete"><h2>Checks that could not run</h2>'
            '<p>Skipped tests are not passes: these checks did not run against the target.</p>'
            + (f'<table><thead><tr><th>skipped tests</th><th>why</th></tr></thead><tbody>{rows}</tbody></table>'
               if rows else "")
            + (f'<p>Generated cases not sent (they would change data the run did not create): {listed}</p>'
               if listed else "") + '</div>')


def _accepted(summary: dict[str, Any]) -> str:
    if not summary["accepted"] and not summary["stale_baseline_entries"]:
        return ""
    items = "".join(f'<li><code>{_text(item["test"])}</code>: {_text(item["reason"])}</li>'
                    for item in summary["accepted"])
    stale = "".join(f"<li>{_text(entry)}</li>" for entry in summary["stale_baseline_entries"])
    return ('<div class="monite-section" id="monite-accepted"><h2>Accepted deviations (baseline)</h2>'
            f'<p>These failures match the baseline; they do not fail the run.</p><ul>{items}</ul>'
            + (f'<p>Baseline entries that matched nothing:</p><ul>{stale}</ul>' if stale else "") + '</div>')


def _cleanup(summary: dict[str, Any]) -> str:
    if not summary.get("cleanup_failures"):
        return ""
    items = "".join(f'<li>{_text(item["what"])} <small><code>{_text(item["test"])}</code></small></li>'
                    for item in summary["cleanup_failures"])
    return ('<div class="monite-section" id="monite-cleanup"><h2>Left on the target</h2>'
            f'<p>The run could not remove these; remove them by hand.</p><ul>{items}</ul></div>')


def _observations(summary: dict[str, Any]) -> str:
    """One row per assumption or probe: count, what the target chose and what the emulator does,
    up to three example requests, the tests; every observation's evidence folded under its row."""
    if not summary["observations"]:
        return ""
    rows = summary.get("observations_by_rule") or by_rule(summary["observations"])
    evidence: dict[str, list[dict[str, Any]]] = {}
    for obs in summary["observations"]:
        evidence.setdefault(str(obs.get("rule", "")), []).append(obs)
    body = []
    for row in rows:
        examples = "".join(f'<pre title="{_text(example["request"])}">{_text(example["curl"] or example["request"])}</pre>'
                           for example in row["examples"])
        tests = "".join(f"<li><code>{_text(test)}</code></li>" for test in row["tests"])
        more = row["tests_count"] - len(row["tests"])
        full = "".join(f'<li>{_text(obs.get("message", ""))} <small><code>{_text(obs.get("test", ""))}</code></small></li>'
                       for obs in evidence.get(row["rule"], []))
        body.append(
            f'<tr data-rule="{_text(row["rule"])}" data-kind="{_text(row["kind"])}">'
            f'<td><b>{_text(row["rule"])}</b><br><small>{_text(row["kind"])}</small></td>'
            f'<td>{row["count"]}</td><td>{_text(row["sentence"])}'
            f'<details><summary>all {row["count"]} observations</summary><ul>{full}</ul></details></td>'
            f'<td>{examples}</td><td><ul>{tests}</ul>{f"<small>+{more} more</small>" if more > 0 else ""}</td></tr>')
    profile = "".join(f"<li><b>{_text(rule)}</b>: {_text(choice)}</li>"
                      for rule, choice in (summary.get("target_profile") or {}).items())
    return ('<div class="monite-section" id="monite-observations">'
            f'<h2>Observations ({len(summary["observations"])} for {len(rows)} rules)</h2>'
            '<p>What the target did where the docs disagree, or where it differs from an assumption the docs do not dictate: reported, never a failure.</p>'
            '<table id="monite-observations-by-rule"><thead><tr><th>rule</th><th>seen</th>'
            '<th>what the target chose, what the emulator does</th><th>example requests</th><th>tests</th></tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>'
            + (f'<p>Target profile:</p><ul id="monite-target-profile">{profile}</ul>' if profile else "") + '</div>')


def _unmatched(summary: dict[str, Any]) -> str:
    if not summary["unmatched_requests"]:
        return ""
    items = "".join(f"<li>{_text(label)} ({count}×)</li>" for label, count in summary["unmatched_requests"].items())
    return ('<div class="monite-section" id="monite-unmatched"><details><summary>Requests to paths the spec '
            f'does not have ({len(summary["unmatched_requests"])})</summary><ul>{items}</ul></details></div>')
