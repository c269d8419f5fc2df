"""Documented rules fail a run; assumptions fail only where the target is ours; probes never fail.

The rule type is the one of `conformance.findings` (re-exported here with its helpers, which
the scenarios' catalogue uses). Every assertion of the scenarios names the rule it checks:

- `documented(source, statement)`: the docs or a seed say so. Broken -> assertion failure,
  whatever the target.
- `assumption(id, statement)`: the docs are silent and docs/design.md made a choice (A1..).
  Broken on a target with the emulator's control plane -> failure (the emulator must honour
  its own choices); broken elsewhere -> an *observation*: the test passes and the mismatch is
  reported, because the real API may legitimately have chosen otherwise.
- `probe(id, source, statement)`: where the docs disagree with each other; what the target
  does is always reported as an observation and never fails.

An observation is a `Finding` recorded in the test's evidence (`conformance.evidence.observer`,
the same channel the property tests' excused check failures take) and a `MoniteObservation`
warning; the plugin writes it into junit XML as a `monite_observation` property and the
reports group it by rule.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from typing import Any

import httpx

from conformance.evidence import observer
from conformance.findings import (ASSUMPTIONS_SOURCE, OBSERVATION_PROPERTY, Finding, Kind, Rule, assumption,
                                  documented, probe)
from conformance.http.exchange import Exchange
from conformance.redaction import redact
from conformance.openapi.catalog import spec_catalog

__all__ = ["ASSUMPTIONS_SOURCE", "OBSERVATION_KEY", "Expectations", "MoniteObservation", "Rule", "RuleKind",
           "assumption", "documented", "observation", "probe"]

OBSERVATION_KEY = OBSERVATION_PROPERTY
RuleKind = Kind


class MoniteObservation(UserWarning):
    """The target differs from an assumption, or answered a probe of a docs disagreement."""


MAX_CHOICE_CHARS = 160


def observation(rule: Rule, message: str, exchange: str = "", choice: str | None = None) -> Finding:
    """`rule` observed broken: `message` says what came back; `exchange` is a described
    exchange (`Exchange.describe`: request line, response body, curl) or just a request line.
    `choice` is what the target did, short and stable; by default the exchange's status (and the
    fields a body lacked)."""
    request, curl, status = _parts(exchange)
    operation = None
    method, _, rest = request.partition(" ")
    if rest:
        matched = spec_catalog().match(method, rest.split(" -> ", 1)[0])
        operation = matched.operation_id if matched is not None else None
    if choice is None:
        missing = sorted(set(re.findall(r"""['"]([^'"]+)['"] is a required property""", message)))
        choice = f"{status} without {', '.join(missing)}".strip() if missing else status
    return rule.finding(operation, observed=message, request=request, curl=curl, choice=choice)


def _parts(exchange: str) -> tuple[str, str, str]:
    """(request line, curl, status) of a described exchange."""
    lines = exchange.splitlines()
    request = lines[0].strip() if lines else ""
    curl = next((line.removeprefix("reproduce: ").strip() for line in lines if line.startswith("reproduce:")), "")
    found = re.search(r" -> (\d{3})\b", request)
    return request, curl, found.group(1) if found else ""


Message = str | Callable[[], str]


class Expectations:
    """The checks of one test: fails, or records an observation, as the rule's kind says.

    `assumptions_bind` is True when the target is the emulator (it has the control plane);
    `context` describes the last exchange for failure messages (e.g. `MoniteClient.last`).
    `node` (the test item) is accepted for the callers that pass it; observations travel in the
    test's evidence, not on the node.
    """

    def __init__(self, node: object = None, *, assumptions_bind: bool,
                 context: Callable[[], str] | None = None) -> None:
        self.node = node
        self.assumptions_bind = assumptions_bind
        self.context = context or (lambda: "")
        self.observations: list[Finding] = []

    def expect(self, condition: Any, rule: Rule, message: Message,
               response: httpx.Response | None = None) -> bool:
        """Check `condition` under `rule`; returns it (False only when it became an observation)."""
        __tracebackhide__ = True
        if condition:
            return True
        text = message() if callable(message) else message
        exchange = Exchange.from_response(response).describe() if response is not None else self.context()
        if not rule.fails(self.assumptions_bind):
            self._record(observation(rule, text, exchange), stacklevel=3)
            return False
        raise AssertionError(redact(f"{rule.citation()}\n{text}\n{exchange}".rstrip()))

    def observe(self, rule: Rule, message: str, stacklevel: int = 2) -> None:
        """Report what the target did about `rule`, without failing the test; the message's last
        clause (after its last ';') is taken as the target's choice ("the target follows ...")."""
        stated = message.splitlines()[0].rsplit(";", 1)[-1].strip() if message.strip() else ""
        self._record(observation(rule, message, self.context(), choice=stated[:MAX_CHOICE_CHARS]),
                     stacklevel=stacklevel + 1)

    def _record(self, finding: Finding, stacklevel: int) -> None:
        self.observations.append(finding)
        observer.observation(finding)
        warnings.warn(MoniteObservation(finding.message), stacklevel=stacklevel)
