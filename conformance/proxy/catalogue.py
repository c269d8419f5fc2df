"""The proxy's rules: a stable id, the side it judges, what it requires, and where that is written.

Like oasdiff's rule ids, an id never changes meaning, so a CI job can grep for it and a
report reader can look it up in the README ("Check your service's traffic"). Each is a
`conformance.findings.Rule` with its `side`; one broken by one exchange is a `Finding`, with
what was expected, what came back and the source.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from conformance.checks.catalogue import ERROR_BODY_SHAPE, VERSION_ECHOED
from conformance.findings import Finding, Rule, Side

__all__ = ["ALL_RULES", "BY_ID", "Side", "record", "violation"]


def _rule(rule_id: str, side: Side, statement: str, source: str) -> Rule:
    return Rule(rule_id, "documented", statement, source, side=side)


_SPEC_PATHS = "spec/monite-accounting.yaml paths (each operation cites its docs page in x-source)"

UNKNOWN_PATH = _rule(
    "request.unknown-path", "request",
    "A request under /v1 to one of the accounting resources uses a path the docs document", _SPEC_PATHS)
METHOD_NOT_DOCUMENTED = _rule(
    "request.method-not-documented", "request",
    "A request uses a method the docs document for its path", _SPEC_PATHS)
MISSING_VERSION = _rule(
    "request.missing-version", "request",
    "Every request carries x-monite-version", "docs: api/concepts/versioning")
MISSING_ENTITY_ID = _rule(
    "request.missing-entity-id", "request",
    "Every accounting request carries x-monite-entity-id (a uuid)",
    "seed 003 (x-monite-entity-id required); seeds 000, 001, 004")
MISSING_AUTHORIZATION = _rule(
    "request.missing-authorization", "request",
    "A request to an operation that needs a token carries Authorization: Bearer <token>",
    "all seeds; docs: api/concepts/authentication")
INVALID_HEADER = _rule(
    "request.invalid-header", "request",
    "x-monite-version is a date YYYY-MM-DD and x-monite-entity-id a uuid",
    "seed 003 (`string<date>`, `string<uuid>`)")
LIMIT_OUT_OF_RANGE = _rule(
    "request.limit-out-of-range", "request",
    "limit is an integer 1 <= limit <= 250", "seed 003 (`Required range: 1 <= x <= 250`)")
UNKNOWN_QUERY_PARAMETER = _rule(
    "request.unknown-query-parameter", "request",
    "A request sends only the query parameters the docs document for its operation", _SPEC_PATHS)
INVALID_QUERY_PARAMETER = _rule(
    "request.invalid-query-parameter", "request",
    "A query parameter has the documented type, format and values", _SPEC_PATHS)
MISSING_PARAMETER = _rule(
    "request.missing-parameter", "request",
    "A request sends every query parameter the docs mark required", _SPEC_PATHS)
LIMIT_NOT_RESENT = _rule(
    "request.limit-not-resent", "request",
    "A non-default limit is sent again with every page's pagination_token: unlike the other "
    "parameters it is not taken from the token",
    "seed 003 (pagination_token)")
INVALID_BODY = _rule(
    "request.invalid-body", "request",
    "A request body is JSON matching the operation's documented body schema", _SPEC_PATHS)

STATUS_UNDOCUMENTED = _rule(
    "response.status-undocumented", "response",
    "The upstream answers with a status the docs document for the operation", _SPEC_PATHS)
BODY_SCHEMA = _rule(
    "response.body-schema", "response",
    "A success body matches the documented response schema", _SPEC_PATHS)
ERROR_BODY = _rule(
    "response.error-body", "response", ERROR_BODY_SHAPE.statement, ERROR_BODY_SHAPE.source)
VERSION_NOT_ECHOED = _rule(
    "response.version-not-echoed", "response", VERSION_ECHOED.statement, VERSION_ECHOED.source)

ALL_RULES = (UNKNOWN_PATH, METHOD_NOT_DOCUMENTED, MISSING_VERSION, MISSING_ENTITY_ID, MISSING_AUTHORIZATION,
             INVALID_HEADER, LIMIT_OUT_OF_RANGE, UNKNOWN_QUERY_PARAMETER, INVALID_QUERY_PARAMETER,
             MISSING_PARAMETER, LIMIT_NOT_RESENT, INVALID_BODY,
             STATUS_UNDOCUMENTED, BODY_SCHEMA, ERROR_BODY, VERSION_NOT_ECHOED)
BY_ID = {rule.id: rule for rule in ALL_RULES}


def violation(rule: Rule, operation: str | None, expected: str, observed: str, *,
              source: str | None = None, assumption: str | None = None) -> Finding:
    """`rule` broken: documented unless `assumption` names the A<n> it rests on; `source` a more
    precise citation than the rule's (a parameter's x-source)."""
    cited = replace(rule, source=source or rule.source, kind="assumption" if assumption else rule.kind)
    return Finding(cited, operation, expected=expected, observed=observed, assumption=assumption)


def record(found: Finding) -> dict[str, Any]:
    """A violation as the proxy's reports list it."""
    return {"rule": found.rule.id, "side": found.rule.side, "kind": found.rule.kind,
            "assumption": found.assumption, "operation": found.operation, "expected": found.expected,
            "observed": found.observed, "source": found.rule.source}
