"""What could not be checked: the skipped tests, grouped by why, and generated cases not sent.

A skipped test is a check that did not run (no data on the entity, no second entity, a change
the run may not make, a precondition only the control plane can arrange, an operation the API
version lacks): never a pass. summary.json's `incomplete`, the console's verdict line,
summary.md and report.html all say how many and why; `--require-complete` makes such a run
fail (`conformance.verdict.decision`).

Reasons are grouped by their text, shortened: the known reasons of the suite to a fixed label,
any other to its first clause with numbers as N ("/ledger_accounts has at most N items for
this entity"), so one cause is one line however many tests it hit.
"""

from __future__ import annotations

import re
from typing import Any

from conformance.safety.guard import NOT_SENT
from conformance.verdict.results import RunResults

NOT_SENT_LABEL = "not sent (would change data the run did not create)"
_ABSENT = re.compile(r"^operation absent in API version (\S+?):?(\s|$)")
# (start of a skip reason, the group it counts under)
_KNOWN = (
    (NOT_SENT, NOT_SENT_LABEL),
    ("needs a second entity", "no second entity (MONITE_OTHER_ENTITY_ID)"),
    ("needs the emulator's control plane", "needs the emulator's control plane"),
)
_CLAUSE_END = re.compile(r";\s|\s\(|:\s")
_NUMBER = re.compile(r"\b\d+\b")
MAX_LABEL = 100


def reason_group(reason: str) -> str:
    """The short label a skip reason is counted under."""
    text = " ".join(str(reason).split())
    for prefix, label in _KNOWN:
        if text.startswith(prefix):
            return label
    absent = _ABSENT.match(text)
    if absent:
        return f"operation absent in API version {absent.group(1)}"
    head = _CLAUSE_END.split(text, maxsplit=1)[0].strip() or "no reason given"
    head = _NUMBER.sub("N", head)
    return head if len(head) <= MAX_LABEL else head[: MAX_LABEL - 1] + "…"


def incomplete(results: RunResults, not_sent_cases: dict[str, int]) -> dict[str, Any]:
    """summary.json's `incomplete`: skipped tests by reason (most frequent first) and the
    generated cases not sent, per operation (also those of tests that ran)."""
    reasons: dict[str, int] = {}
    for rec in results.tests.values():
        if rec.outcome == "skipped":
            group = reason_group(rec.reason)
            reasons[group] = reasons.get(group, 0) + 1
    count = sum(reasons.values())
    cases = {op: n for op, n in sorted(not_sent_cases.items()) if n}
    return {
        "complete": count == 0 and not cases,
        "count": count,
        "reasons": dict(sorted(reasons.items(), key=lambda item: (-item[1], item[0]))),
        "not_sent_cases": cases,
    }


def describe(summary_incomplete: dict[str, Any] | None) -> str:
    """One line for the verdict: "41 checks could not run: 30 not sent (…), 11 no second entity";
    "" for a complete run."""
    if not summary_incomplete or summary_incomplete.get("complete", True):
        return ""
    parts = []
    count = int(summary_incomplete.get("count", 0))
    if count:
        reasons = ", ".join(f"{n} {label}" for label, n in summary_incomplete.get("reasons", {}).items())
        parts.append(f"{count} check{'s' if count != 1 else ''} could not run: {reasons}")
    cases = sum(summary_incomplete.get("not_sent_cases", {}).values())
    if cases:
        parts.append(f"{cases} generated case{'s' if cases != 1 else ''} not sent "
                     f"(would change data the run did not create)")
    return "; ".join(parts)
