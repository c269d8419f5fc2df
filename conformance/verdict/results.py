"""What happened in the run, test by test: outcome, operations touched, statuses seen, evidence.

Filled on the pytest controller from test reports (which carry the recorder's data, also
from xdist workers); everything the summaries, the matrix and the console show comes from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from conformance.findings import Finding, TestEvidence, evidence_of, has_evidence
from conformance.redaction import redact
from conformance.openapi.catalog import Catalog

MAX_FAILURE_CHARS = 6000
MAX_OBSERVATIONS = 50  # per test
# Outcomes that decide a run; the order is also the precedence when phases disagree.
FAILING = ("error", "failed")


@dataclass
class TestRecord:
    __test__ = False  # not a pytest test class, despite the name
    nodeid: str
    kind: str = "other"  # property | scenario | other
    outcome: str = "passed"  # passed failed error skipped accepted xfailed xpassed
    duration: float = 0.0
    operations: list[str] = field(default_factory=list)  # declared, or named by the test id
    calls: dict[tuple[str, int], int] = field(default_factory=dict)
    unmatched: dict[str, int] = field(default_factory=dict)
    reason: str = ""  # first line of the failure, skip reason or accepted reason
    failure_text: str = ""
    failure_phase: str = ""
    exchanges: list[dict[str, Any]] = field(default_factory=list)
    failed_checks: list[dict[str, str]] = field(default_factory=list)  # schemathesis: check and title
    accepted_reason: str = ""
    observations: list[dict[str, Any]] = field(default_factory=list)  # Finding.as_dict() of each
    cleanup_failures: list[str] = field(default_factory=list)
    changed_existing: list[str] = field(default_factory=list)  # with --allow-changes-to-existing
    waited_seconds: float = 0.0  # waiting for send slots under the rate limit
    waits_on_429: int = 0
    paced_requests: int = 0  # requests sent under pacing (retries included)
    peak_in_flight: int = 0  # most paced requests in flight at once, so far in the run
    advertised_limit: float | None = None  # the rate limit the target advertised (requests/s)
    unreachable: bool = False

    def touched(self) -> set[str]:
        """Operations this test is about: declared ones and those it called."""
        return set(self.operations) | {op for op, _ in self.calls}

    def blame(self, catalog: Catalog) -> tuple[str | None, int | None]:
        """The operation (and status) a failure is about: the last request's, else the declared one."""
        for exchange in reversed(self.exchanges):
            op = catalog.match(exchange.get("method", ""), exchange.get("url", ""))
            if op is not None:
                return op.operation_id, int(exchange.get("status_code") or 0) or None
        return (self.operations[0] if self.operations else None), None

    def failing_operation(self, catalog: Catalog) -> str | None:
        return self.blame(catalog)[0]


class RunResults:
    def __init__(self) -> None:
        self.tests: dict[str, TestRecord] = {}
        self.interrupted = False

    def record(self, report: pytest.TestReport, evidence: TestEvidence | None = None) -> None:
        """Fold one phase's report (and the evidence it carries) into its test's record."""
        evidence = evidence if evidence is not None else evidence_of(report)
        rec = self.tests.get(report.nodeid)
        if rec is None:
            rec = self.tests[report.nodeid] = TestRecord(nodeid=report.nodeid)
        if has_evidence(report):
            rec.kind = evidence.kind
            rec.operations = list(evidence.operations)
        rec.duration += float(report.duration or 0.0)
        for op, status, count in evidence.calls:
            rec.calls[(op, int(status))] = rec.calls.get((op, int(status)), 0) + int(count)
        for label, count in evidence.unmatched.items():
            rec.unmatched[label] = rec.unmatched.get(label, 0) + int(count)
        for entry in evidence.observations:  # the same observation twice in one test counts once
            observation = Finding.from_dict(entry).as_dict()
            if len(rec.observations) < MAX_OBSERVATIONS and observation not in rec.observations:
                rec.observations.append(observation)
        rec.cleanup_failures += [redact(str(what)) for what in evidence.cleanup_failures
                                 if redact(str(what)) not in rec.cleanup_failures]
        rec.changed_existing += [redact(str(what)) for what in evidence.changed_existing
                                 if redact(str(what)) not in rec.changed_existing]
        rec.waited_seconds += float(evidence.waited_seconds)
        rec.waits_on_429 += int(evidence.waits_on_429)
        rec.paced_requests += int(evidence.paced_requests)
        rec.peak_in_flight = max(rec.peak_in_flight, int(evidence.peak_in_flight))
        if evidence.advertised_limit is not None:
            rec.advertised_limit = float(evidence.advertised_limit)
        if evidence.unreachable:
            rec.unreachable = True
        self._outcome(rec, report, evidence)

    def _outcome(self, rec: TestRecord, report: pytest.TestReport, evidence: TestEvidence) -> None:
        if evidence.accepted is not None:
            rec.outcome, rec.accepted_reason, rec.reason = "accepted", evidence.accepted, evidence.accepted
            self._evidence(rec, report, evidence)
        elif report.failed:
            if rec.outcome not in FAILING:
                rec.outcome = "failed" if report.when == "call" else "error"
                self._evidence(rec, report, evidence)
        elif report.skipped and rec.outcome == "passed":
            if hasattr(report, "wasxfail"):
                rec.outcome, rec.reason = "xfailed", str(getattr(report, "wasxfail"))
            else:
                rec.outcome, rec.reason = "skipped", _skip_reason(report)
        elif report.when == "call" and hasattr(report, "wasxfail") and rec.outcome == "passed":
            rec.outcome = "xpassed"

    @staticmethod
    def _evidence(rec: TestRecord, report: pytest.TestReport, evidence: TestEvidence) -> None:
        text = redact(report.longreprtext or "")
        rec.failure_phase = report.when or ""
        rec.failure_text = text if len(text) <= MAX_FAILURE_CHARS else text[:MAX_FAILURE_CHARS] + "\n..."
        if not rec.reason:
            rec.reason = failure_headline(report, evidence.check_failures)
        if evidence.exchanges:
            rec.exchanges = list(evidence.exchanges)
        if evidence.check_failures:
            rec.failed_checks = [{"check": item.get("check", ""), "title": item.get("title", "")}
                                 for item in evidence.check_failures]

    def counts(self) -> dict[str, int]:
        names = ("passed", "failed", "error", "accepted", "skipped", "xfailed", "xpassed")
        counted = {name: 0 for name in names}
        for rec in self.tests.values():
            counted[rec.outcome] = counted.get(rec.outcome, 0) + 1
        counted["total"] = len(self.tests)
        counted["observations"] = sum(len(rec.observations) for rec in self.tests.values())
        return counted

    def failures(self) -> list[TestRecord]:
        return [rec for rec in self.tests.values() if rec.outcome in FAILING]

    def accepted(self) -> list[TestRecord]:
        return [rec for rec in self.tests.values() if rec.outcome == "accepted"]

    def observations(self) -> list[tuple[TestRecord, dict[str, Any]]]:
        return [(rec, obs) for rec in self.tests.values() for obs in rec.observations]

    @property
    def unreachable(self) -> bool:
        """Every failing test failed because the target could not be reached or refused us."""
        failing = self.failures()
        return bool(failing) and all(rec.unreachable for rec in failing)


def failure_headline(report: pytest.TestReport, findings: list[dict[str, str]]) -> str:
    """One line that says why a test failed (redacted): the titles and first details of the
    check failures schemathesis reported (structured, from the evidence), else the assertion."""
    if findings:
        parts = [f"{item['title']}: {_first_line(item.get('message', ''))}".rstrip(": ") for item in findings]
        return redact("; ".join(dict.fromkeys(parts)))[:300]
    crash = getattr(report.longrepr, "reprcrash", None)
    message = getattr(crash, "message", None) or report.longreprtext or ""
    lines = [line.strip() for line in str(message).splitlines()]
    lines = [line for line in lines if line and not set(line) <= set("-=_ ")]
    return redact(" — ".join(lines[:2]))[:300] if lines else "failed"


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return redact(str(longrepr[2])).removeprefix("Skipped: ")
    return redact(str(longrepr or ""))[:300]
