"""What a run on a target without the control plane could exercise, and what its 429 probe cost.

summary.json's `sandbox`: the documented success status of each operation the run saw or did not
see, each one not seen with the reason (one that needs the accounting system's authorization or
data the run cannot create, one the lifecycle entity would give, one only
`--allow-changes-to-existing` allows); the checks that opt-in would enable (tests skipped and
generated cases withheld because they would change what the run did not create); and the 429
probe's cost (requests, seconds), read from the probe test's `monite_rate_limit_probe` property.
"""

from __future__ import annotations

import json
from typing import Any

from conformance.report.matrix import MISSING, Matrix
from conformance.safety.guard import NOT_SENT
from conformance.suite.scenarios.catalogue import RATE_LIMIT_PROBE_PROPERTY as PROBE_PROPERTY
from conformance.verdict.results import RunResults


_AUTHORIZATION = ("a sync needs a connected connection: the run's own connection in the lifecycle entity stays "
                  "pending_auth until a person authorizes it at connection_url in the accounting system, and "
                  "the user's connected connection is synced only with --allow-changes-to-existing")
_LIFECYCLE = "needs an entity the run may connect and disconnect in: set MONITE_LIFECYCLE_ENTITY_ID"
# Why a documented success status may stay unseen on a target without the control plane.
WHY_NOT_EXERCISED: dict[tuple[str, str], str] = {
    ("syncAccountingConnection", "202"): _AUTHORIZATION,
    ("pushSyncedRecord", "200"): (
        "a push needs a synced record: in the lifecycle entity only a sync of an authorized connection creates "
        "one, and pushing the user's existing records changes them (--allow-changes-to-existing)"),
}
_NEEDS_LIFECYCLE = {("createAccountingConnection", "201"), ("disconnectAccountingConnection", "200")}
_NEEDS_DATA = {
    ("getSyncedRecord", "200"): "the entity has no synced record to read",
    ("getTaxRate", "200"): "the entity has no tax rate to read",
    ("getAccountingConnection", "200"): "no connection was listed or created to read",
}


def success_keys(matrix: Matrix) -> list[tuple[str, str]]:
    """(operation id, status) of every documented 2xx."""
    return [(row.operation.operation_id, key) for row in matrix.rows for key in row.operation.statuses
            if key.startswith("2")]


def why_not(operation_id: str, status: str, has_lifecycle_entity: bool, other_successes: list[int] = ()) -> str:
    key = (operation_id, status)
    if other_successes:
        shown = ", ".join(str(code) for code in other_successes)
        return f"the target answered success with {shown} instead (a status the spec does not list for it)"
    if key in WHY_NOT_EXERCISED:
        return WHY_NOT_EXERCISED[key]
    if key in _NEEDS_LIFECYCLE and not has_lifecycle_entity:
        return _LIFECYCLE
    return _NEEDS_DATA.get(key, "no test of this run got it (see the skipped tests)")


def sandbox_section(matrix: Matrix, results: RunResults, not_sent_cases: dict[str, int],
                    has_lifecycle_entity: bool, probe: dict[str, Any] | None,
                    probe_enabled: bool) -> dict[str, Any]:
    """summary.json's `sandbox` (see the module docstring)."""
    cells = {row.operation.operation_id: row.cells for row in matrix.rows}
    other = {row.operation.operation_id: [code for code in row.undocumented if 200 <= code < 300] for row in matrix.rows}
    keys = success_keys(matrix)
    missing = [(op, status) for op, status in keys if cells[op][status].state == MISSING]
    withheld = [{"test": rec.nodeid, "reason": rec.reason} for rec in results.tests.values()
                if rec.outcome == "skipped" and rec.reason.startswith(NOT_SENT)]
    return {
        "lifecycle_entity": has_lifecycle_entity,
        "success_statuses": {"documented": len(keys), "exercised": len(keys) - len(missing)},
        "not_exercised": [{"operation": op, "status": status,
                           "reason": why_not(op, status, has_lifecycle_entity, other[op])}
                          for op, status in missing],
        "allow_changes_to_existing_would_enable": {
            "tests": withheld,
            "generated_cases": {op: n for op, n in sorted(not_sent_cases.items()) if n},
        },
        "rate_limit_probe": probe if probe is not None else {
            "ran": False, "reason": "switched off (--skip-rate-limit-probe)" if not probe_enabled
            else "not run (a target with the control plane, or the probe test was not selected)"},
    }


def probe_cost(report_properties: list[tuple[str, Any]]) -> dict[str, Any] | None:
    """The probe's cost from a test report's properties, or None."""
    for name, value in report_properties:
        if name == PROBE_PROPERTY:
            return {"ran": True, **json.loads(str(value))}
    return None


def markdown(section: dict[str, Any]) -> list[str]:
    """summary.md lines: success statuses exercised, why the others were not, the probe's cost."""
    counts = section["success_statuses"]
    lines = [f"### Lifecycle on this target: {counts['exercised']}/{counts['documented']} documented success "
             f"statuses exercised" + ("" if section["lifecycle_entity"] else " (no MONITE_LIFECYCLE_ENTITY_ID)"), ""]
    for item in section["not_exercised"]:
        lines.append(f"- not exercised `{item['operation']}` {item['status']}: {_md(item['reason'])}")
    enabled = section["allow_changes_to_existing_would_enable"]
    if enabled["tests"] or enabled["generated_cases"]:
        lines.append(f"- `--allow-changes-to-existing` (a throwaway entity only) would also run "
                     f"{len(enabled['tests'])} tests"
                     + (": " + ", ".join(f"`{t['test'].split('::')[-1]}`" for t in enabled["tests"][:10])
                        if enabled["tests"] else "")
                     + (f"; generated cases of " + ", ".join(f"`{op}` {n}" for op, n in enabled["generated_cases"].items())
                        if enabled["generated_cases"] else ""))
    probe = section["rate_limit_probe"]
    if probe.get("ran"):
        lines.append(f"- 429 probe: {probe.get('requests')} requests in {probe.get('seconds')} s (advertised limit "
                     f"{probe.get('advertised_limit')}/s from {probe.get('limit_source')}; 429 seen: "
                     f"{'yes' if probe.get('answered_429') else 'no'}, waited {probe.get('waited_seconds')} s)")
    else:
        lines.append(f"- 429 probe: {_md(str(probe.get('reason')))}")
    return lines + [""]


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")[:300]
