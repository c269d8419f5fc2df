"""The ground floor of every judgement: one `Rule`, one `Finding`, one record of what a test saw.

Every producer of a verdict speaks these types: the Monite schemathesis checks
(`conformance.checks`), the scenarios' expectations (`conformance.expectations.kinds`), the property
tests' excused failures (`conformance.verdict.assumptions`), the proxy's request and response
checks (`conformance.proxy`), the contract diff's changes (`conformance.diff`) and the differences
between two runs (`conformance.compare`). Catalogues of rules (`checks/catalogue.py`, `proxy/catalogue.py`,
`suite/scenarios/catalogue.py`, `diff/catalogue.py`) hold `Rule` instances; reports read `Finding`s and `TestEvidence`.

A rule's kind says how a broken rule counts (docs/design.md, "Assumptions"):

- `documented`: the docs or a seed say so; broken -> a failure on every target;
- `assumption`: the docs are silent and docs/design.md chose (A1..); broken -> a failure where
  the target is ours (assumptions bind), an *observation* elsewhere;
- `probe`: where the docs disagree with each other; always an observation, never a failure.

A `level` is the contract diff's (oasdiff's) severity of a change, for rules that judge changes.

This module imports nothing of the project but `conformance.redaction`: every layer may use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

from conformance.redaction import redact

Kind = Literal["documented", "assumption", "probe"]
Level = Literal["breaking", "may-break", "non-breaking"]
Side = Literal["request", "response"]
KINDS: tuple[Kind, ...] = ("documented", "assumption", "probe")
ASSUMPTIONS_SOURCE = "docs/design.md (Assumptions)"
# The junit XML property under which an observation is written (one JSON object per property).
OBSERVATION_PROPERTY = "monite_observation"
MAX_MESSAGE_CHARS = 2000


@dataclass(frozen=True)
class Rule:
    """One rule: a stable id, how a break counts (`kind`), what must hold and where it is written.

    `id` is an assumption's id (A8), a probe's name, a Monite check's name
    (`monite_version_echoed`), a proxy rule id (`request.missing-version`) or a documented
    scenario rule's source ("seed 003"). `side` is set for the proxy's rules (whose traffic a
    rule judges: the service's requests or the upstream's responses); `level` for diff rules.
    """

    id: str
    kind: Kind
    statement: str
    source: str
    level: Level | None = None
    side: Side | None = None

    def citation(self) -> str:
        """How a message names the rule: its source and statement, or the assumption's id."""
        if self.kind == "assumption":
            return f"assumption {self.id}: {self.statement}"
        if self.kind == "probe":
            return f"observation ({self.source}): {self.statement}"
        return f"{self.source}: {self.statement}"

    def fails(self, assumptions_bind: bool) -> bool:
        """Whether a break of this rule fails the test (True) or is only observed (False)."""
        return self.kind == "documented" or (self.kind == "assumption" and assumptions_bind)

    def violated(self, observed: str) -> RuleViolated:
        """The error a Monite check raises: the rule, its source, what the response did instead."""
        return RuleViolated(redact(f"{self.statement} [{self.source}]. Observed: {observed}"), self.id,
                            Finding(self, observed=redact(observed)))

    def finding(self, operation: str | None = None, *, expected: str = "", observed: str = "",
                request: str = "", curl: str = "", choice: str = "") -> Finding:
        """This rule broken once (every text redacted)."""
        return Finding(self, operation, expected=redact(expected or self.statement), observed=redact(observed),
                       request=redact(request), curl=redact(curl), choice=redact(choice))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Rule:
        kind = next((known for known in KINDS if known == data.get("kind")), "documented")
        return cls(id=str(data.get("id", "")), kind=kind,
                   statement=str(data.get("statement", "")), source=str(data.get("source", "")),
                   level=data.get("level"), side=data.get("side"))


def documented(source: str, statement: str) -> Rule:
    """A rule the docs state; `source` is 'seed NNN' or 'docs: <page>' (or an RFC); it is also its id."""
    return Rule(source, "documented", statement, source)


def assumption(assumption_id: str, statement: str, source: str = ASSUMPTIONS_SOURCE) -> Rule:
    """A choice where the docs are silent: by its id in docs/design.md (A1..), or another `source`."""
    return Rule(assumption_id, "assumption", statement, source)


def probe(probe_id: str, source: str, statement: str) -> Rule:
    """A point where the docs disagree: the target's answer is reported, never judged."""
    return Rule(probe_id, "probe", statement, source)


class RuleViolated(AssertionError):
    """A Monite check's failure: the rule's `check` name and the `finding`, for the verdict."""

    def __init__(self, message: str, check: str, finding: Finding | None = None) -> None:
        super().__init__(message)
        self.check = check
        self.finding = finding


@dataclass(frozen=True)
class Finding:
    """One rule broken by one exchange: what was expected, what came back, and the evidence.

    `request` is the request line with its status ("GET /v1/x -> 404"), `curl` a command that
    sends it again (credentials as `$MONITE_TOKEN`); `choice` is what the target did in a short,
    stable form ("404"), for the target profile of an assumption or probe. All redacted.
    `assumption` names the A<n> a documented check's expectation rested on, when only that
    choice was broken (the proxy's status rule: A10's 204).

    Findings about two documents or two runs (`diff`, `compare`) have no request: `location` is
    where in the operation the rule broke (a diff's "response 200 /data/name", a compare's
    test id, JSON path, header or observation), `status` the response status a compare
    difference is about, `operations` every operation a finding about a whole test concerns
    (the most telling one first, and also in `operation`).
    """

    rule: Rule
    operation: str | None = None
    expected: str = ""
    observed: str = ""
    request: str = ""
    curl: str = ""
    choice: str = ""
    assumption: str | None = None
    location: str = ""
    status: str | None = None
    operations: tuple[str, ...] = ()

    @property
    def message(self) -> str:
        """One paragraph for junit XML and the per-observation list: citation, what came back, request."""
        text = f"{self.rule.citation()} -- {self.observed}"
        if self.request and self.request not in text:
            text += f"\n{self.request}"
        return redact(text.rstrip())[:MAX_MESSAGE_CHARS]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: the record `summary.json` lists under `observations` (plus the test id)."""
        return {"rule": self.rule.id, "kind": self.rule.kind, "source": self.rule.source,
                "statement": self.rule.statement, "operation": self.operation, "expected": self.expected,
                "observed": self.observed, "request": self.request, "curl": self.curl, "choice": self.choice,
                "message": self.message,
                **({"side": self.rule.side} if self.rule.side else {}),
                **({"assumption": self.assumption} if self.assumption else {}),
                **({"level": self.rule.level} if self.rule.level else {}),
                **({"location": self.location} if self.location else {}),
                **({"status": self.status} if self.status is not None else {}),
                **({"operations": list(self.operations)} if self.operations else {})}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        """Back from `as_dict` (a record that predates the fields keeps its message as `observed`)."""
        rule = Rule.from_dict({"id": data.get("rule", ""), "kind": data.get("kind", "assumption"),
                               "statement": data.get("statement", ""), "source": data.get("source", ""),
                               "level": data.get("level"), "side": data.get("side")})
        return cls(rule, data.get("operation"), expected=str(data.get("expected", "")),
                   observed=str(data.get("observed", data.get("message", ""))),
                   request=str(data.get("request", "")), curl=str(data.get("curl", "")),
                   choice=str(data.get("choice", "")), assumption=data.get("assumption"),
                   location=str(data.get("location", "")), status=data.get("status"),
                   operations=tuple(str(op) for op in data.get("operations") or ()))


@dataclass
class TestEvidence:
    """What one test phase saw and what it is about: the one record a pytest report carries.

    Attached by the pytest plugin (`conformance.pytest_plugin`) and the report plugin, read by
    `conformance.verdict.results`. It travels from xdist workers as plain data (`as_dict`), so
    every field is JSON-ready.
    """

    __test__ = False  # not a pytest test class, despite the name

    kind: str = "other"  # property | scenario | other
    operations: list[str] = field(default_factory=list)  # declared, or named by the test id
    tags: list[str] = field(default_factory=list)
    calls: list[list[Any]] = field(default_factory=list)  # [operation id, status, count]
    unmatched: dict[str, int] = field(default_factory=dict)  # "METHOD /path -> status" -> count
    exchanges: list[dict[str, Any]] = field(default_factory=list)  # the last ones, for a failure
    check_failures: list[dict[str, str]] = field(default_factory=list)  # schemathesis: check, title, message
    not_sent: dict[str, int] = field(default_factory=dict)  # operation id -> generated cases withheld
    observations: list[dict[str, Any]] = field(default_factory=list)  # Finding.as_dict() of each
    observed: dict[str, Any] = field(default_factory=dict)  # the observed contract (report plugin)
    sent: dict[str, Any] = field(default_factory=dict)  # documented parameters and enum values sent (report plugin)
    cleanup_failures: list[str] = field(default_factory=list)
    changed_existing: list[str] = field(default_factory=list)  # with --allow-changes-to-existing
    waited_seconds: float = 0.0  # waiting for send slots under the rate limit
    waits_on_429: int = 0
    paced_requests: int = 0  # requests this test sent under pacing
    peak_in_flight: int = 0  # most paced requests in flight at once (the process, so far)
    advertised_limit: float | None = None  # the limit the target advertised, which pacing followed
    unreachable: bool = False  # the target could not be reached or refused the credentials
    accepted: str | None = None  # the baseline's reason, when a failure was accepted
    crash: str | None = None  # the failure's one-line message, redacted

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TestEvidence:
        names = {item.name for item in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in names})


# The one attribute a pytest report carries for the suite: TestEvidence as plain data.
EVIDENCE_ATTRIBUTE = "monite_evidence"


def evidence_of(report: object) -> TestEvidence:
    """The evidence a report carries (an empty record when none was attached)."""
    data = getattr(report, EVIDENCE_ATTRIBUTE, None)
    return TestEvidence.from_dict(data) if isinstance(data, Mapping) else TestEvidence()


def attach(report: object, evidence: TestEvidence) -> None:
    """Put `evidence` on `report` as plain data (what xdist can send to the controller)."""
    setattr(report, EVIDENCE_ATTRIBUTE, evidence.as_dict())


def has_evidence(report: object) -> bool:
    return isinstance(getattr(report, EVIDENCE_ATTRIBUTE, None), Mapping)

