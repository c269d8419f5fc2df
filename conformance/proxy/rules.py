"""The proxy's rules: a stable id, the side it judges, what it requires, and where that is written.

Like oasdiff's rule ids, an id never changes meaning, so a CI job can grep for it and a
report reader can look it up in the README ("Check your service's traffic"). A `Violation`
is one rule broken by one exchange, with what was expected, what came back and the source.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from conformance.checks.rules import ERROR_BODY_SHAPE, VERSION_ECHOED

Side = Literal["request", "response"]
Kind = Literal["documented", "assumption"]


@dataclass(frozen=True)
class ProxyRule:
    id: str
    side: Side
    statement: str
    source: str  # the default source; a violation may cite a more precise one (a parameter's x-source)


@dataclass(frozen=True)
class Violation:
    rule: str
    side: Side
    operation: str | None  # operation id, or "METHOD /path" when the request matched none
    expected: str
    observed: str
    source: str
    kind: Kind = "documented"
    assumption: str | None = None  # "A10" when kind is "assumption"

    def as_dict(self) -> dict[str, str | None]:
        return {"rule": self.rule, "side": self.side, "kind": self.kind, "assumption": self.assumption,
                "operation": self.operation, "expected": self.expected, "observed": self.observed,
                "source": self.source}


_SPEC_PATHS = "spec/monite-accounting.yaml paths (each operation cites its docs page in x-source)"

UNKNOWN_PATH = ProxyRule(
    "request.unknown-path", "request",
    "A request under /v1 to one of the accounting resources uses a path the docs document", _SPEC_PATHS)
METHOD_NOT_DOCUMENTED = ProxyRule(
    "request.method-not-documented", "request",
    "A request uses a method the docs document for its path", _SPEC_PATHS)
MISSING_VERSION = ProxyRule(
    "request.missing-version", "request",
    "Every request carries x-monite-version", "docs: api/concepts/versioning")
MISSING_ENTITY_ID = ProxyRule(
    "request.missing-entity-id", "request",
    "Every accounting request carries x-monite-entity-id (a uuid)",
    "seed 003 (x-monite-entity-id required); seeds 000, 001, 004")
MISSING_AUTHORIZATION = ProxyRule(
    "request.missing-authorization", "request",
    "A request to an operation that needs a token carries Authorization: Bearer <token>",
    "all seeds; docs: api/concepts/authentication")
INVALID_HEADER = ProxyRule(
    "request.invalid-header", "request",
    "x-monite-version is a date YYYY-MM-DD and x-monite-entity-id a uuid",
    "seed 003 (`string<date>`, `string<uuid>`)")
LIMIT_OUT_OF_RANGE = ProxyRule(
    "request.limit-out-of-range", "request",
    "limit is an integer 1 <= limit <= 250", "seed 003 (`Required range: 1 <= x <= 250`)")
UNKNOWN_QUERY_PARAMETER = ProxyRule(
    "request.unknown-query-parameter", "request",
    "A request sends only the query parameters the docs document for its operation", _SPEC_PATHS)
INVALID_QUERY_PARAMETER = ProxyRule(
    "request.invalid-query-parameter", "request",
    "A query parameter has the documented type, format and values", _SPEC_PATHS)
MISSING_PARAMETER = ProxyRule(
    "request.missing-parameter", "request",
    "A request sends every query parameter the docs mark required", _SPEC_PATHS)
LIMIT_NOT_RESENT = ProxyRule(
    "request.limit-not-resent", "request",
    "A non-default limit is sent again with every page's pagination_token: unlike the other "
    "parameters it is not taken from the token",
    "seed 003 (pagination_token)")
INVALID_BODY = ProxyRule(
    "request.invalid-body", "request",
    "A request body is JSON matching the operation's documented body schema", _SPEC_PATHS)

STATUS_UNDOCUMENTED = ProxyRule(
    "response.status-undocumented", "response",
    "The upstream answers with a status the docs document for the operation", _SPEC_PATHS)
BODY_SCHEMA = ProxyRule(
    "response.body-schema", "response",
    "A success body matches the documented response schema", _SPEC_PATHS)
ERROR_BODY = ProxyRule(
    "response.error-body", "response", ERROR_BODY_SHAPE.statement, ERROR_BODY_SHAPE.source)
VERSION_NOT_ECHOED = ProxyRule(
    "response.version-not-echoed", "response", VERSION_ECHOED.statement, VERSION_ECHOED.source)

ALL_RULES = (UNKNOWN_PATH, METHOD_NOT_DOCUMENTED, MISSING_VERSION, MISSING_ENTITY_ID, MISSING_AUTHORIZATION,
             INVALID_HEADER, LIMIT_OUT_OF_RANGE, UNKNOWN_QUERY_PARAMETER, INVALID_QUERY_PARAMETER,
             MISSING_PARAMETER, LIMIT_NOT_RESENT, INVALID_BODY,
             STATUS_UNDOCUMENTED, BODY_SCHEMA, ERROR_BODY, VERSION_NOT_ECHOED)
BY_ID = {rule.id: rule for rule in ALL_RULES}


def violation(rule: ProxyRule, operation: str | None, expected: str, observed: str, *,
              source: str | None = None, assumption: str | None = None) -> Violation:
    """`rule` broken: documented unless `assumption` names the A<n> it rests on."""
    return Violation(rule=rule.id, side=rule.side, operation=operation, expected=expected, observed=observed,
                     source=source or rule.source, kind="assumption" if assumption else "documented",
                     assumption=assumption)
