"""Documented rules fail a run; assumptions fail only where the target is ours; probes never fail.

Every assertion of the scenarios names the rule it checks:

- `documented(source, statement)`: the docs or a seed say so. Broken -> assertion failure,
  whatever the target.
- `assumption(id, statement)`: the docs are silent and docs/design.md made a choice (A1..).
  Broken on a target with the emulator's control plane -> failure (the emulator must honour
  its own choices); broken elsewhere -> an *observation*: the test passes and the mismatch is
  reported, because the real API may legitimately have chosen otherwise.
- `probe(id, source, statement)`: where the docs disagree with each other; what the target
  does is always reported as an observation and never fails.

An observation is a `MoniteObservation` warning and an entry in the test's `user_properties`
under the key `monite_observation`, with a JSON value `{"rule", "source", "message"}`; junit
XML and the CLI's report pick it up from there.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import httpx

from conformance.http.exchange import Exchange
from conformance.redaction import redact

OBSERVATION_KEY = "monite_observation"
ASSUMPTIONS_SOURCE = "docs/design.md (Assumptions)"

RuleKind = Literal["documented", "assumption", "probe"]


class MoniteObservation(UserWarning):
    """The target differs from an assumption, or answered a probe of a docs disagreement."""


@dataclass(frozen=True)
class Rule:
    kind: RuleKind
    id: str  # "seed 003", "docs: api/concepts/versioning", "A8", or a probe's name
    source: str
    statement: str

    def citation(self) -> str:
        if self.kind == "assumption":
            return f"assumption {self.id}: {self.statement}"
        if self.kind == "probe":
            return f"observation ({self.source}): {self.statement}"
        return f"{self.source}: {self.statement}"


def documented(source: str, statement: str) -> Rule:
    """A rule the docs state; `source` is 'seed NNN' or 'docs: <page>' (or an RFC)."""
    return Rule("documented", source, source, statement)


def assumption(assumption_id: str, statement: str, source: str = ASSUMPTIONS_SOURCE) -> Rule:
    """A choice where the docs are silent: by its id in docs/design.md (A1..), or another `source`."""
    return Rule("assumption", assumption_id, source, statement)


def probe(probe_id: str, source: str, statement: str) -> Rule:
    """A point where the docs disagree: the target's answer is reported, never judged."""
    return Rule("probe", probe_id, source, statement)


def observation(rule: Rule, message: str) -> dict[str, str]:
    """An observation's record: {"rule", "source", "message"} (redacted), as reports read it."""
    return {"rule": rule.id, "source": rule.source, "message": redact(f"{rule.citation()} -- {message}")}


class HasUserProperties(Protocol):
    user_properties: list[tuple[str, object]]


Message = str | Callable[[], str]


class Expectations:
    """The checks of one test: fails, or records an observation, as the rule's kind says.

    `assumptions_bind` is True when the target is the emulator (it has the control plane);
    `context` describes the last exchange for failure messages (e.g. `MoniteClient.last`).
    """

    def __init__(self, node: HasUserProperties, *, assumptions_bind: bool,
                 context: Callable[[], str] | None = None) -> None:
        self.node = node
        self.assumptions_bind = assumptions_bind
        self.context = context or (lambda: "")
        self.observations: list[dict[str, str]] = []

    def expect(self, condition: Any, rule: Rule, message: Message,
               response: httpx.Response | None = None) -> bool:
        """Check `condition` under `rule`; returns it (False only when it became an observation)."""
        __tracebackhide__ = True
        if condition:
            return True
        text = message() if callable(message) else message
        exchange = Exchange.from_response(response).describe() if response is not None else self.context()
        if rule.kind == "probe" or (rule.kind == "assumption" and not self.assumptions_bind):
            self.observe(rule, f"{text}\n{_brief(exchange)}".rstrip(), stacklevel=3)
            return False
        raise AssertionError(redact(f"{rule.citation()}\n{text}\n{exchange}".rstrip()))

    def observe(self, rule: Rule, message: str, stacklevel: int = 2) -> None:
        """Report what the target did about `rule`, without failing the test."""
        entry = observation(rule, message)
        self.observations.append(entry)
        self.node.user_properties.append((OBSERVATION_KEY, json.dumps(entry, ensure_ascii=False)))
        warnings.warn(MoniteObservation(entry["message"]), stacklevel=stacklevel)


def _brief(exchange: str) -> str:
    """The request line and the curl of a described exchange, without the response body."""
    lines = exchange.splitlines()
    return "\n".join(line for index, line in enumerate(lines) if index == 0 or line.startswith("reproduce:"))
