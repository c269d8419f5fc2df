"""Group a run's failures by cause: which check, which answer, which request, which tests.

Reads a CLI run's summary.json. A property test's failure text is schemathesis' FailureGroup
(one `- <code> <check>` block per distinct failure, each with its `[status]` answer and curl);
a scenario's is its rule and the last exchange. The cause of a failure is (check, status,
method, path with ids as {id}); the digest lists each cause once, with the tests it failed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

_HEADING = re.compile(r"^\s*\|?\s{0,2}- ((?:ST\d{3} )?[A-Z][^\n]*)$", re.M)
_STATUS = re.compile(r"^\s*\|?\s*\[(\d{3})\] [^\n]*:$", re.M)
_CURL = re.compile(r"curl -X (\w+) .*?(https?://\S+)")
_BODY = re.compile(r"^\s*\|?\s*`(.*)`\s*$", re.M)
_OBSERVED = re.compile(r"(?:Observed: |Expected: )([^\n]*)")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


@dataclass
class Cause:
    check: str
    status: str
    method: str
    path: str
    example: str = ""  # one answer body / observed text
    expected: str = ""
    tests: list[str] = field(default_factory=list)


def _path(url: str) -> str:
    parts = urlsplit(url)
    path = _UUID.sub("{id}", parts.path)
    names = sorted({pair.split("=", 1)[0] for pair in parts.query.split("&") if pair})
    return path + (f"?{'&'.join(names)}" if names else "")


def _property_causes(text: str) -> list[tuple[str, str, str, str, str, str]]:
    """(check, status, method, path, example, expected) per distinct failure of a FailureGroup."""
    head = text.split("sub-exception")[0]
    spans = [(m.start(), m.group(1).strip()) for m in _HEADING.finditer(head)
             if re.match(r"(ST\d{3} |Custom check|Undocumented|Schema-|Response |Missing |Unsupported |API |Server )",
                         m.group(1))]
    causes = []
    for index, (start, check) in enumerate(spans):
        block = head[start:spans[index + 1][0] if index + 1 < len(spans) else len(head)]
        status = _STATUS.search(block)
        curl = _CURL.search(block)
        body = _BODY.search(block)
        observed = _OBSERVED.findall(block)
        causes.append((check, status.group(1) if status else "?", curl.group(1) if curl else "?",
                       _path(curl.group(2)) if curl else "?", (body.group(1) if body else "")[:200],
                       "; ".join(observed)[:300]))
    return causes


def causes_of(summary: dict[str, Any]) -> list[Cause]:
    grouped: dict[tuple[str, str, str, str], Cause] = {}
    for failure in summary.get("failures", []):
        test = failure["test"]
        details = failure.get("details") or ""
        found = _property_causes(details) if "FailureGroup" in details or "Schemathesis found" in details else []
        if not found:
            exchange = failure.get("exchange") or {}
            reason = (failure.get("reason") or "").splitlines()[0]
            found = [(reason[:200], str(exchange.get("status_code", "?")), str(exchange.get("method", "?")),
                      _path(str(exchange.get("url", ""))), str(exchange.get("response_body", ""))[:200], "")]
        for check, status, method, path, example, expected in found:
            key = (check, status, method, path)
            cause = grouped.setdefault(key, Cause(check, status, method, path, example, expected))
            if test not in cause.tests:
                cause.tests.append(test)
    return sorted(grouped.values(), key=lambda c: (-len(c.tests), c.check, c.path))


def markdown(summary: dict[str, Any]) -> str:
    lines = ["| tests | check | answer | request | example / observed |", "|---:|---|---|---|---|"]
    for cause in causes_of(summary):
        shown = (cause.expected or cause.example).replace("|", "\\|")
        tests = ", ".join(t.split("::")[-1] for t in cause.tests)
        lines.append(f"| {len(cause.tests)} | {cause.check} | {cause.status} | {cause.method} {cause.path} | "
                     f"{shown} — tests: {tests} |")
    return "\n".join(lines)
