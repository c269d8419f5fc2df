"""The differences between two runs, each a `conformance.findings.Finding` of a compare rule.

Every kind of difference is one rule of the catalogue `COMPARE_RULES` (its id is the kind), and
one small producer over the two summaries (`PRODUCERS`). A difference is a Finding: the rule, the
operation it is about (`operations`: all of them, for a test about several), what it says
(`observed`), the response `status` and the `location` (the test id, JSON path, header or
observation) it concerns. A regression is `documented` (it fails the default `--fail-on`, as the
failing test failed its run); every other kind is a `probe`: reported, and failing only with
`--fail-on any`.

Verdicts come from `tests` (and `failures` for the status a failed test got); statuses per
operation from the coverage matrix (`operations`) and, when present, the observed contract
(`observed`); fields, types, nullability and headers only from the observed contract, and only
for an operation and status both runs saw (a status that appeared is one difference, not one per field).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from conformance.compare.about import operations_of
from conformance.compare.runs import Run
from conformance.findings import Finding, Rule
from conformance.report.observations import split_profile_entry
from conformance.openapi.contract import documented_contract
from conformance.openapi.versions import base_version

GOOD, BAD = {"passed"}, {"failed", "error"}

# kind -> what it means (README and the reports list them in this order)
KINDS: dict[str, str] = {
    "regression": "a test passed in BASE and failed in NEW",
    "fixed": "a test failed in BASE and passed in NEW",
    "outcome-changed": "a test's outcome changed otherwise (skipped, accepted, xfail)",
    "test-added": "a test ran in NEW only",
    "test-removed": "a test ran in BASE only",
    "status-appeared": "an operation answered a status in NEW that it did not in BASE",
    "status-vanished": "an operation answered a status in BASE that it did not in NEW",
    "field-appeared": "a response field seen in NEW only (same operation and status)",
    "field-vanished": "a response field seen in BASE only (same operation and status)",
    "type-changed": "a response field was seen with other JSON types",
    "nullable-changed": "a response field was null in one run only, where a contract does not allow null",
    "header-appeared": "a response header seen in NEW only (same operation and status)",
    "header-vanished": "a response header seen in BASE only (same operation and status)",
    "observation-appeared": "an observation reported in NEW only",
    "observation-vanished": "an observation reported in BASE only",
    "observation-changed": "the same observation says something else",
    "profile-changed": "the target chose otherwise where the docs are silent or disagree (target profile)",
}
REGRESSION_KINDS = frozenset({"regression"})
_ORDER = {kind: index for index, kind in enumerate(KINDS)}
SOURCE = "monite-conformance compare (conformance/compare/differences.py)"
COMPARE_RULES: dict[str, Rule] = {
    kind: Rule(kind, "documented" if kind in REGRESSION_KINDS else "probe", statement, SOURCE)
    for kind, statement in KINDS.items()}


def difference(operation: str, kind: str, detail: str, status: str | None = None, subject: str | None = None,
               operations: tuple[str, ...] = ()) -> Finding:
    """A difference of `kind` (a rule of the catalogue: an unknown kind is a KeyError): about
    `operation` (operationId; the most telling of `operations`, every one a test is about), saying
    `detail`, at a response `status` and a `subject` (test id, JSON path, header, observation)."""
    return Finding(COMPARE_RULES[kind], operation, observed=detail, status=status, location=subject or "",
                   operations=operations)


def kind_of(found: Finding) -> str:
    """The kind of a difference: its rule's id."""
    return found.rule.id


def about_operations(found: Finding) -> tuple[str, ...]:
    """Every operation the difference is about (at least its operation, when it has one)."""
    return found.operations or ((found.operation,) if found.operation else ())


def difference_dict(found: Finding) -> dict[str, Any]:
    """A difference as compare.json lists it."""
    out: dict[str, Any] = {"operation": found.operation or "", "operations": list(about_operations(found)),
                           "kind": kind_of(found), "detail": found.observed}
    if found.status is not None:
        out["status"] = found.status
    if found.location:
        out["subject"] = found.location
    return out


def compare_runs(base: Run, new: Run) -> list[Finding]:
    """Every difference, in a stable order (operation, kind, status, subject)."""
    found: list[Finding] = []
    for producer in PRODUCERS:
        found.extend(producer(base.summary, new.summary))
    return sorted(found, key=lambda d: (d.operation or "", _ORDER[kind_of(d)], d.status or "", d.location,
                                        d.observed))


# --- verdicts of tests ------------------------------------------------------------------------
def _tests(summary: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {test["id"]: test for test in summary.get("tests", []) if isinstance(test, dict) and "id" in test}


def _failures(summary: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["test"]: f for f in summary.get("failures", []) if isinstance(f, dict) and "test" in f}


def _about(test_id: str, base: dict[str, Any], new: dict[str, Any]) -> tuple[str, ...]:
    """The operations test `test_id` is about, from both runs (`conformance.compare.about`)."""
    entries = [tests[test_id] for tests in (_tests(base), _tests(new)) if test_id in tests]
    failures = [failed[test_id] for failed in (_failures(new), _failures(base)) if test_id in failed]
    return operations_of(test_id, entries, failures)


def _test_difference(test_id: str, base: dict[str, Any], new: dict[str, Any], kind: str, detail: str,
                     status: str | None, first: dict[str, Any] | None = None) -> Finding:
    """A difference about a test, naming its operations; `first`: the failure whose operation leads."""
    about = _about(test_id, base, new)
    if first and first.get("operation") in about:
        about = (str(first["operation"]), *(op for op in about if op != first["operation"]))
    return difference(about[0] if about else "", kind, detail, status, test_id, about)


def _failure_status(failure: dict[str, Any] | None) -> str | None:
    exchange = (failure or {}).get("exchange") or {}
    status = exchange.get("status_code")
    return str(status) if status is not None else None


def _first_line(text: Any) -> str:
    text = str(text or "").strip()
    return text.splitlines()[0][:300] if text else ""


def verdicts(base: dict[str, Any], new: dict[str, Any]) -> Iterator[Finding]:
    before, after = _tests(base), _tests(new)
    failed_before, failed_after = _failures(base), _failures(new)
    for test_id in sorted(set(before) & set(after)):
        was, now = before[test_id].get("outcome"), after[test_id].get("outcome")
        if was == now:
            continue
        if was in GOOD and now in BAD:
            failure = failed_after.get(test_id)
            status = _failure_status(failure)
            reason = _first_line((failure or {}).get("reason"))
            yield _test_difference(test_id, base, new, "regression",
                                   f"{test_id}: {was} → {now}" + (f" (answered {status})" if status else "")
                                   + (f": {reason}" if reason else ""), status, failure)
        elif was in BAD and now in GOOD:
            failure = failed_before.get(test_id)
            yield _test_difference(test_id, base, new, "fixed", f"{test_id}: {was} → {now}",
                                   _failure_status(failure), failure)
        else:
            yield _test_difference(test_id, base, new, "outcome-changed", f"{test_id}: {was} → {now}", None,
                                   failed_after.get(test_id))
    for test_id in sorted(set(after) - set(before)):
        yield _test_difference(test_id, base, new, "test-added",
                               f"{test_id} ({after[test_id].get('outcome')}) runs in NEW only", None,
                               failed_after.get(test_id))
    for test_id in sorted(set(before) - set(after)):
        yield _test_difference(test_id, base, new, "test-removed",
                               f"{test_id} ({before[test_id].get('outcome')}) ran in BASE only", None,
                               failed_before.get(test_id))


# --- statuses per operation -------------------------------------------------------------------
def _statuses(summary: dict[str, Any]) -> dict[str, dict[str, int]]:
    """operationId -> {status: responses seen} (matrix cells with responses, plus observed statuses)."""
    seen: dict[str, dict[str, int]] = {}
    for operation, row in summary.get("operations", {}).items():
        if not isinstance(row, dict):
            continue
        cells = {**(row.get("statuses") or {}), **(row.get("undocumented_statuses") or {})}
        for status, cell in cells.items():
            count = cell.get("responses", 0) if isinstance(cell, dict) else 0
            if count:
                seen.setdefault(operation, {})[str(status)] = count
    for operation, statuses in (summary.get("observed") or {}).items():
        for status in statuses:
            seen.setdefault(operation, {}).setdefault(str(status), 0)
    return seen


def statuses(base: dict[str, Any], new: dict[str, Any]) -> Iterator[Finding]:
    before, after = _statuses(base), _statuses(new)
    for operation in sorted(set(before) | set(after)):
        was, now = before.get(operation, {}), after.get(operation, {})
        for status in sorted(set(now) - set(was)):
            yield difference(operation, "status-appeared", f"{operation} answered {status} in NEW"
                             + (f" ({now[status]} responses)" if now[status] else "") + ", not in BASE", status)
        for status in sorted(set(was) - set(now)):
            yield difference(operation, "status-vanished", f"{operation} answered {status} in BASE"
                             + (f" ({was[status]} responses)" if was[status] else "") + ", not in NEW", status)


# --- the observed contract: fields, types, nullability, headers -------------------------------
def _both_observed(base: dict[str, Any], new: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    before, after = base.get("observed"), new.get("observed")
    if not isinstance(before, dict) or not isinstance(after, dict):
        return
    for operation in sorted(set(before) & set(after)):
        for status in sorted(set(before[operation]) & set(after[operation])):
            yield operation, str(status), before[operation][status], after[operation][status]


def fields(base: dict[str, Any], new: dict[str, Any]) -> Iterator[Finding]:
    for operation, status, was, now in _both_observed(base, new):
        old_fields, new_fields = was.get("fields") or {}, now.get("fields") or {}
        for path in sorted(set(new_fields) - set(old_fields)):
            yield difference(operation, "field-appeared",
                             f"{operation} {status}: {path} ({_types(new_fields[path])}) in NEW only", status, path)
        for path in sorted(set(old_fields) - set(new_fields)):
            yield difference(operation, "field-vanished",
                             f"{operation} {status}: {path} ({_types(old_fields[path])}) in BASE only", status, path)
        for path in sorted(set(old_fields) & set(new_fields)):
            old_types, new_types = sorted(old_fields[path].get("types") or []), sorted(new_fields[path].get("types") or [])
            if old_types != new_types:
                yield difference(operation, "type-changed", f"{operation} {status}: {path} was "
                                 f"{_types(old_fields[path])}, is {_types(new_fields[path])}", status, path)
            old_null, new_null = bool(old_fields[path].get("null_seen")), bool(new_fields[path].get("null_seen"))
            if old_null != new_null and not _null_allowed_in_both(base, new, operation, status, path):
                yield difference(operation, "nullable-changed", f"{operation} {status}: {path} was null "
                                 f"{'in BASE only' if old_null else 'in NEW only'}", status, path)


def _null_allowed_in_both(base: dict[str, Any], new: dict[str, Any], operation: str, status: str, path: str) -> bool:
    """Whether both runs' contracts let the field be null: then null in one run only is the
    data the runs met (an account created without a name), not a change of contract."""
    return all(documented_contract(str((summary.get("run") or {}).get("api_version") or base_version()))
               .allows_null(operation, status, path) for summary in (base, new))


def _types(field: dict[str, Any]) -> str:
    return "|".join(sorted(field.get("types") or [])) or "no type"


def headers(base: dict[str, Any], new: dict[str, Any]) -> Iterator[Finding]:
    for operation, status, was, now in _both_observed(base, new):
        old_headers = {str(h).lower() for h in was.get("headers") or []}
        new_headers = {str(h).lower() for h in now.get("headers") or []}
        for header in sorted(new_headers - old_headers):
            yield difference(operation, "header-appeared", f"{operation} {status}: header {header} in NEW only",
                             status, header)
        for header in sorted(old_headers - new_headers):
            yield difference(operation, "header-vanished", f"{operation} {status}: header {header} in BASE only",
                             status, header)


# --- observations -----------------------------------------------------------------------------
def _observations(summary: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    out = {}
    for obs in summary.get("observations", []):
        if isinstance(obs, dict):
            out[(str(obs.get("test", "")), str(obs.get("rule", "")))] = obs
    return out


def observations(base: dict[str, Any], new: dict[str, Any]) -> Iterator[Finding]:
    before, after = _observations(base), _observations(new)

    def of_observation(key: tuple[str, str], obs: dict[str, Any], kind: str, detail: str) -> Finding:
        found = _test_difference(key[0], base, new, kind, detail, None, obs)
        subject = f"{key[1]} @ {key[0]}" if key[1] else key[0]
        return difference(found.operation or "", kind, detail, None, subject, found.operations)

    for key in sorted(set(after) - set(before)):
        yield of_observation(key, after[key], "observation-appeared", _first_line(after[key].get("message")))
    for key in sorted(set(before) - set(after)):
        yield of_observation(key, before[key], "observation-vanished", _first_line(before[key].get("message")))
    for key in sorted(set(before) & set(after)):
        if before[key].get("message") != after[key].get("message"):
            yield of_observation(key, after[key], "observation-changed",
                                 f"was: {_first_line(before[key].get('message'))} — now: "
                                 f"{_first_line(after[key].get('message'))}")


# --- target profile ----------------------------------------------------------------------------
def profile(base: dict[str, Any], new: dict[str, Any]) -> Iterator[Finding]:
    """An assumption or probe both runs observed, answered otherwise ("A7 (a path id …): 404 → 422")."""
    before, after = base.get("target_profile") or {}, new.get("target_profile") or {}
    for rule in sorted(set(before) & set(after)):
        if before[rule] != after[rule]:
            topic, was = split_profile_entry(before[rule])
            _, now = split_profile_entry(after[rule])
            yield difference("", "profile-changed", f"{rule}{f' ({topic})' if topic else ''}: {was} → {now}",
                             None, rule)


PRODUCERS: tuple[Callable[[dict[str, Any], dict[str, Any]], Iterable[Finding]], ...] = (
    verdicts, statuses, fields, headers, observations, profile)


def counts(differences: list[Finding]) -> dict[str, int]:
    out = {kind: 0 for kind in KINDS}
    for found in differences:
        out[kind_of(found)] += 1
    out["total"] = len(differences)
    return out
