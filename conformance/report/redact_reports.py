"""Redact test reports in place, before the console, junit.xml or pytest-html see them.

Runs where the test ran (it knows the secrets registered there, also on an xdist worker) and
again on the controller. A failure's text is kept as text plus its one-line crash message.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from conformance.findings import attach, evidence_of, has_evidence
from conformance.redaction import redact


class RedactedRepr:
    """A failure's text, already redacted; keeps the one-line crash message for -r and junit.

    Through xdist it travels as plain text plus the crash message in the report's evidence.
    """

    def __init__(self, text: str, crash_message: str | None) -> None:
        self.text = text
        self.reprcrash = SimpleNamespace(path="", lineno=0, message=crash_message) if crash_message else None

    def toterminal(self, out: Any) -> None:
        for line in self.text.splitlines():
            out.line(line)

    def __str__(self) -> str:
        return self.text


def redact_report(report: pytest.TestReport) -> None:
    """Mask secrets in everything a report carries into the console, junit.xml and report.html."""
    longrepr = report.longrepr
    if isinstance(longrepr, (tuple, list)) and len(longrepr) == 3:  # a skip: (path, line, reason)
        report.longrepr = (longrepr[0], longrepr[1], redact(str(longrepr[2])))
    elif longrepr is not None and not isinstance(longrepr, RedactedRepr):
        message = getattr(getattr(longrepr, "reprcrash", None), "message", None)
        evidence = evidence_of(report)
        if message is None:
            message = evidence.crash
        elif has_evidence(report):
            message = evidence.crash = redact(str(message))
            attach(report, evidence)
        else:
            message = redact(str(message))
        report.longrepr = RedactedRepr(redact(report.longreprtext), message)  # pytest's public text
    report.sections = [(title, redact(content)) for title, content in report.sections]
    report.user_properties = [(name, redact(value) if isinstance(value, str) else value)
                              for name, value in report.user_properties]
    if isinstance(getattr(report, "wasxfail", None), str):
        setattr(report, "wasxfail", redact(report.wasxfail))  # pytest's own xfail mark
