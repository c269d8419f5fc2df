"""summary.json (for machines) and summary.md (for a CI page) of the proxied traffic."""

from __future__ import annotations

from typing import Any

from conformance.proxy.recorder import Traffic
from conformance.proxy.catalogue import BY_ID
from conformance.redaction import redact
from conformance.report.matrix import FAILED, NOT_DOCUMENTED, PASSED, Matrix

SCHEMA_VERSION = 1
MAX_MD_ITEMS = 20
_MD_MARK = {PASSED: "✅", FAILED: "❌"}
_VERDICT_TEXT = {"clean": "✅ no violations", "violations": "❌ contract violations"}


def build_summary(meta: dict[str, Any], traffic: Traffic, matrix: Matrix, verdict: str, code: int) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "proxy",
        "verdict": verdict,
        "exit_code": code,
        "proxy": meta,
        "counts": {"exchanges": traffic.exchanges, "request_violations": traffic.counts["request"],
                   "response_violations": traffic.counts["response"], "observations": traffic.counts["observations"],
                   "not_recorded": traffic.not_recorded},
        "by_rule": {rule: {"count": count, "side": BY_ID[rule].side, "statement": BY_ID[rule].statement}
                    for rule, count in traffic.by_rule.items()},
        "operations": {row.operation.operation_id: {
            "method": row.operation.method,
            "path": row.operation.path,
            "result": row.result,
            "exchanges": row.tests,
            "statuses": {key: {"state": cell.state, "responses": cell.count, "rules_broken": cell.tests}
                         for key, cell in row.cells.items() if cell.state != NOT_DOCUMENTED},
            "undocumented_statuses": {str(status): {"state": cell.state, "responses": cell.count,
                                                    "rules_broken": cell.tests}
                                      for status, cell in row.undocumented.items()},
        } for row in matrix.rows},
        "violations": traffic.violations,
        "observations": traffic.observations,
        "unmatched_requests": traffic.unmatched,
        "outside_api": traffic.outside_api,
        "problems": traffic.problems,
    }


def render_markdown(summary: dict[str, Any], matrix: Matrix) -> str:
    meta, counts = summary["proxy"], summary["counts"]
    lines = [
        f"## Monite proxy: {_VERDICT_TEXT.get(summary['verdict'], summary['verdict'])}",
        "",
        f"Upstream `{meta['upstream']}` · fail on `{meta['fail_on']}` · spec `{meta['spec_sha256'][:12]}` · "
        f"since {meta['started_at']}",
        "",
        "| exchanges | request violations | response violations | observations |",
        "|---:|---:|---:|---:|",
        f"| {counts['exchanges']} | {counts['request_violations']} | {counts['response_violations']} | "
        f"{counts['observations']} |",
        "",
    ]
    for title, items in (("Violations", summary["violations"]), ("Observations", summary["observations"])):
        if not items:
            continue
        lines.append(f"### {title}")
        for item in items[:MAX_MD_ITEMS]:
            label = f" (assumption {item['assumption']})" if item.get("assumption") else ""
            lines.append(f"- **{item['operation'] or 'n/a'}** `{item['rule']}`{label}: "
                         f"expected {_md(item['expected'])}; got {_md(item['observed'])} — {_md(item['source'])}")
        if len(items) > MAX_MD_ITEMS:
            lines.append(f"- … and {len(items) - MAX_MD_ITEMS} more (see report.html)")
        lines.append("")
    lines += ["### Operations the service used", "", "| operation | result | statuses seen |", "|---|---|---|"]
    for row in matrix.rows:
        if not row.tests:
            continue
        seen = [f"{key}{_MD_MARK.get(cell.state, '')}" for key, cell in row.cells.items() if cell.count]
        seen += [f"{status}{_MD_MARK.get(cell.state, '')} (undocumented)" for status, cell in row.undocumented.items()]
        lines.append(f"| `{row.operation.operation_id}` | {row.result} | {' '.join(seen)} |")
    unused = [row.operation.operation_id for row in matrix.rows if not row.tests]
    lines += ["", f"Not used: {', '.join(unused) if unused else 'none'}.", ""]
    return redact("\n".join(lines))


def _md(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")[:300]
