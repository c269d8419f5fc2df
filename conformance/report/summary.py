"""summary.json (for machines) and summary.md (for a PR comment), from the run's results."""

from __future__ import annotations

from typing import Any

from conformance.redaction import redact
from conformance.report.formats import JSON, Format
from conformance.report.incomplete import describe
from conformance.report.observations import by_rule, profile
from conformance.report.sandbox import markdown as sandbox_markdown
from conformance.report.sarif_run import FILENAME as SARIF_FILENAME, render_sarif
from conformance.report.matrix import ACCEPTED, FAILED, MISSING, NOT_DOCUMENTED, PASSED, SEEN, Matrix
from conformance.openapi.catalog import Catalog
from conformance.verdict.results import RunResults

SCHEMA_VERSION = 1
_MD_MARK = {PASSED: "✅", FAILED: "❌", ACCEPTED: "⚠️", SEEN: "👁", MISSING: "·"}
_VERDICT_TEXT = {
    "conforms": "✅ the target conforms",
    "incomplete": "⚠️ incomplete: checks could not run (--require-complete)",
    "under-coverage": "⚠️ coverage below --min-coverage",
    "failures": "❌ conformance failures",
    "unreachable": "⛔ target unreachable or credentials rejected",
    "interrupted": "⏹ interrupted",
    "error": "💥 the run itself failed",
}


def build_summary(meta: dict[str, Any], results: RunResults, matrix: Matrix, catalog: Catalog,
                  verdict: str, stale: list[str], observed: dict[str, Any] | None = None,
                  incomplete: dict[str, Any] | None = None) -> dict[str, Any]:
    exercised, documented = matrix.coverage()
    observations = [{"test": rec.nodeid, **obs} for rec, obs in results.observations()]
    grouped = by_rule(observations)
    return {
        "schema_version": SCHEMA_VERSION,
        "verdict": verdict,
        "run": meta,
        "counts": results.counts(),
        # Checks that could not run: skipped tests by reason, generated cases not sent.
        "incomplete": incomplete or {"complete": True, "count": 0, "reasons": {}, "not_sent_cases": {}},
        "coverage": {"documented_pairs": documented, "exercised_pairs": exercised,
                     "operations": len(matrix.rows),
                     "operations_exercised": sum(1 for row in matrix.rows if row.result != MISSING)},
        "operations": {row.operation.operation_id: {
            "method": row.operation.method,
            "path": row.operation.path,
            "tags": list(row.operation.tags),
            "result": row.result,
            "tests": row.tests,
            "duration_seconds": round(sum(rec.duration for rec in results.tests.values()
                                          if row.operation.operation_id in rec.touched()), 3),
            "statuses": {key: {"state": cell.state, "responses": cell.count}
                         for key, cell in row.cells.items() if cell.state != NOT_DOCUMENTED},
            "undocumented_statuses": {str(status): {"state": cell.state, "responses": cell.count,
                                                    "tests": cell.tests[:5]}
                                      for status, cell in row.undocumented.items()},
        } for row in matrix.rows},
        "failures": [_failure(rec, catalog) for rec in results.failures()],
        "accepted": [{"test": rec.nodeid, "operation": rec.failing_operation(catalog),
                      "reason": rec.accepted_reason, "failure": rec.failure_text}
                     for rec in results.accepted()],
        "stale_baseline_entries": stale,
        "observations": observations,
        # The same, one row per assumption or probe (conformance.report.observations).
        "observations_by_rule": grouped,
        # What the target chose where it differs from the emulator: {"A7": "<topic> → <choice>"}.
        "target_profile": profile(grouped),
        "cleanup_failures": [{"test": rec.nodeid, "what": what} for rec in results.tests.values()
                             for what in rec.cleanup_failures],
        # Time spent under the rate limit: waiting for send slots (pacing) and for 429s to pass.
        # Also: requests sent paced, the most in flight at once, the limit the target advertised.
        "pacing": {"waited_seconds": round(sum(rec.waited_seconds for rec in results.tests.values()), 1),
                   "waits_on_429": sum(rec.waits_on_429 for rec in results.tests.values()),
                   "requests": sum(rec.paced_requests for rec in results.tests.values()),
                   "peak_in_flight": max((rec.peak_in_flight for rec in results.tests.values()), default=0),
                   "advertised_limit": next((rec.advertised_limit for rec in reversed(list(results.tests.values()))
                                             if rec.advertised_limit is not None), None)},
        # Only with --allow-changes-to-existing: what the run changed that it did not create.
        "changed_existing": [{"test": rec.nodeid, "what": what} for rec in results.tests.values()
                             for what in rec.changed_existing],
        "unmatched_requests": _unmatched(results),
        # What the target answered per operation and status (conformance.report.observed).
        "observed": observed or {},
        "tests": [{"id": rec.nodeid, "kind": rec.kind, "outcome": rec.outcome,
                   "duration_seconds": round(rec.duration, 3), "operations": sorted(rec.touched()),
                   **({"reason": rec.reason} if rec.reason else {})}
                  for rec in results.tests.values()],
    }


def _failure(rec: Any, catalog: Catalog) -> dict[str, Any]:
    return {
        "test": rec.nodeid,
        "operation": rec.failing_operation(catalog),
        "phase": rec.failure_phase,
        "outcome": rec.outcome,
        "reason": rec.reason,
        "exchange": rec.exchanges[-1] if rec.exchanges else None,
        "checks": rec.failed_checks,  # the schemathesis checks that failed (report.sarif's rules)
        "details": rec.failure_text,
    }


MAX_UNMATCHED = 50


def _unmatched(results: RunResults) -> dict[str, int]:
    """Requests to paths (or with methods) the spec does not have: the most frequent ones."""
    merged: dict[str, int] = {}
    for rec in results.tests.values():
        for label, count in rec.unmatched.items():
            merged[label] = merged.get(label, 0) + count
    return dict(sorted(merged.items(), key=lambda item: (-item[1], item[0]))[:MAX_UNMATCHED])


def render_markdown(summary: dict[str, Any], matrix: Matrix) -> str:
    """A short Markdown digest: verdict, counts, failures, coverage; for a PR comment."""
    run, counts, coverage = summary["run"], summary["counts"], summary["coverage"]
    could_not_run = describe(summary.get("incomplete"))
    lines = [
        f"## Monite conformance: {_VERDICT_TEXT.get(summary['verdict'], summary['verdict'])}"
        + (f" — {_md(could_not_run)}" if could_not_run else ""),
        "",
        f"Target `{run['target']}` · API `{run['api_version']}` · profile `{run['profile']}` · "
        f"suite `{run['suite']}` · seed `{run['seed']}` · spec `{run['spec_sha256'][:12]}` · "
        f"{run['duration_seconds']:.1f} s"
        + (" · **changes to existing resources allowed** (`--allow-changes-to-existing`)"
           if run.get("allow_changes_to_existing") else "")
        + (f" · configuration `{run['config_file']}`" if run.get("config_file") else ""),
        "",
        *([f"Paced under the rate limit: waited {summary['pacing']['waited_seconds']:.1f} s for send slots, "
           f"{summary['pacing']['waits_on_429']} times for a 429 to pass.", ""]
          if summary.get("pacing", {}).get("waited_seconds") or summary.get("pacing", {}).get("waits_on_429") else []),
        "| passed | failed | errors | accepted | skipped | observations |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {counts['passed']} | {counts['failed']} | {counts['error']} | {counts['accepted']} | "
        f"{counts['skipped']} | {counts['observations']} |",
        "",
    ]
    if summary["failures"]:
        lines.append("### Failures")
        for failure in summary["failures"][:20]:
            lines.append(f"- **{failure['operation'] or 'n/a'}** `{failure['test']}`: {_md(failure['reason'])}")
        if len(summary["failures"]) > 20:
            lines.append(f"- … and {len(summary['failures']) - 20} more (see report.html)")
        lines.append("")
    if summary.get("changed_existing"):
        lines.append("### Changed on the target (`--allow-changes-to-existing`)")
        for item in summary["changed_existing"]:
            lines.append(f"- {_md(item['what'])} (`{item['test']}`)")
        lines.append("")
    if could_not_run:
        lines += _incomplete_md(summary["incomplete"])
    if summary.get("observations_by_rule"):
        lines += _observations_md(summary)
    if summary["accepted"]:
        lines.append("### Accepted deviations (baseline)")
        for item in summary["accepted"]:
            lines.append(f"- `{item['test']}`: {_md(item['reason'])}")
        lines.append("")
    lines += [
        f"### Coverage: {coverage['exercised_pairs']}/{coverage['documented_pairs']} documented "
        f"operation × status pairs exercised",
        "",
        "| operation | result | documented statuses |",
        "|---|---|---|",
    ]
    for row in matrix.rows:
        statuses = " ".join(f"{key}{_MD_MARK.get(row.cells[key].state, '·')}" for key in row.operation.statuses)
        extra = "".join(f" · undocumented {status}" for status in row.undocumented)
        lines.append(f"| `{row.operation.operation_id}` | {row.result} | {statuses}{extra} |")
    lines += ["", "✅ passed · ❌ failed · ⚠️ accepted · 👁 seen in skipped tests only · `·` not exercised", ""]
    if summary.get("sandbox"):  # a remote run: what was exercised, what not and why, the 429 probe
        lines += ["", *sandbox_markdown(summary["sandbox"])]
    return redact("\n".join(lines))


def _observations_md(summary: dict[str, Any]) -> list[str]:
    """One row per assumption or probe the target answered otherwise, then the target profile."""
    rows = summary["observations_by_rule"]
    lines = [f"### Observations: {sum(row['count'] for row in rows)} for {len(rows)} "
             f"rule{'s' if len(rows) != 1 else ''} (reported, never a failure)", "",
             "| rule | seen | what the target chose, what the emulator does | e.g. | tests |",
             "|---|---:|---|---|---|"]
    for row in rows:
        examples = "<br>".join(f"`{_md(example['curl'] or example['request'], 1500)}`" for example in row["examples"])
        tests = ", ".join(f"`{_md(test)}`" for test in row["tests"][:3])
        more = row["tests_count"] - min(3, len(row["tests"]))
        lines.append(f"| {row['rule']} ({row['kind']}) | {row['count']} | {_md(row['sentence'], 600)} | "
                     f"{examples} | {tests}{f' +{more} more' if more > 0 else ''} |")
    lines += ["", "Target profile (where the target chose otherwise than the emulator; `compare` diffs it):", "",
              "| rule | about → the target's choice |", "|---|---|"]
    lines += [f"| {rule} | {_md(choice)} |" for rule, choice in summary.get("target_profile", {}).items()]
    lines.append("")
    return lines


def _incomplete_md(incomplete: dict[str, Any]) -> list[str]:
    lines = ["### Checks that could not run", ""]
    if incomplete.get("count"):
        lines += ["| skipped tests | why |", "|---:|---|"]
        lines += [f"| {n} | {_md(reason)} |" for reason, n in incomplete.get("reasons", {}).items()]
        lines.append("")
    cases = incomplete.get("not_sent_cases") or {}
    if cases:
        lines.append("Generated cases not sent (they would change data the run did not create): "
                     + ", ".join(f"`{op}` {n}" for op, n in cases.items()))
        lines.append("")
    return lines


def _md(text: str, limit: int = 300) -> str:
    return text.replace("|", "\\|").replace("\n", " ")[:limit]


# The run's own files (report.html and junit.xml are pytest-html's and pytest's).
RUN_FORMATS = (JSON, Format("summary.md", render_markdown), Format(SARIF_FILENAME, render_sarif))
