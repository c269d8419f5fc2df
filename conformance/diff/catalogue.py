"""The diff's rule catalogue: every change `diff` can report, with its stable id, level and meaning.

This module is data: `RULES` maps each id to a `conformance.findings.Rule` (the one rule type),
whose `level` is the diff's severity and whose `statement` says what changed. Every diff rule
is of kind `documented`: it is written down (oasdiff's rule list, or this table), it judges two
documents rather than a target, so the emulator-or-elsewhere distinction of `assumption` and
`probe` has nothing to apply to; how much a change counts is its `level` against `--fail-on`.
A rule's `source` says whose id it is (`OASDIFF_SOURCE` or `OUR_SOURCE`, `from_oasdiff`).

Ids are oasdiff's where oasdiff has the same check (looked up in oasdiff's
`checker/localizations_src/en/messages.yaml` and its rule list), else ours, named in oasdiff's
style. Levels are judged from a client's point of view:

- `breaking`: a client written against OLD can fail against NEW;
- `may-break`: some clients fail (exhaustive enums, strict parsers, ignored defaults ...);
- `non-breaking`: every client written against OLD keeps working.

A request is what the client sends (narrowing it breaks), a response what it reads (widening
it breaks), so schema rules exist once per side with mirrored levels. What a client sends that
the contract no longer has (a parameter, a request property, the request body) is `may-break`
everywhere: clients still send it, and the server may ignore it or refuse it. Security and
lifecycle rules are judged the same way: a way of calling that stops being accepted breaks;
a deprecation or sunset announcement breaks no client by itself.
"""

from __future__ import annotations

from conformance.findings import Level, Rule

BREAKING: Level = "breaking"
MAY_BREAK: Level = "may-break"
NON_BREAKING: Level = "non-breaking"
LEVELS: tuple[Level, ...] = (BREAKING, MAY_BREAK, NON_BREAKING)  # worst first
SEVERITY: dict[str, int] = {BREAKING: 2, MAY_BREAK: 1, NON_BREAKING: 0}

# Where a schema sits decides which side's levels apply and the id's prefix.
REQUEST_PARAMETER, REQUEST_PROPERTY, RESPONSE_PROPERTY = "request-parameter", "request-property", "response-property"
SCHEMA_KINDS = (REQUEST_PARAMETER, REQUEST_PROPERTY, RESPONSE_PROPERTY)
OASDIFF_SOURCE = "oasdiff rule (checker/localizations_src/en/messages.yaml)"
OUR_SOURCE = "monite-conformance diff rule table (conformance/diff/catalogue.py)"


def diff_rule(rule_id: str, level: str, statement: str, from_oasdiff: bool) -> Rule:
    """A catalogue entry: a documented rule with the diff's `level`, sourced to oasdiff or to us."""
    return Rule(rule_id, "documented", statement, OASDIFF_SOURCE if from_oasdiff else OUR_SOURCE,
                level=_level(level))


def _level(level: str) -> Level:
    for known in LEVELS:
        if level == known:
            return known
    raise ValueError(f"unknown level {level!r}")


def from_oasdiff(rule: Rule) -> bool:
    """Whether the rule's id is oasdiff's (else it is ours, named in oasdiff's style)."""
    return rule.source == OASDIFF_SOURCE


def level_of(rule: Rule) -> str:
    """The diff level of a catalogue rule (every one has one)."""
    assert rule.level is not None, rule.id
    return rule.level


# Schema rules: suffix, level in a request, level in a response (None: the rule does not exist
# on that side), description, and the kinds whose id oasdiff has under the same name.
_P, _Q, _R = REQUEST_PARAMETER, REQUEST_PROPERTY, RESPONSE_PROPERTY
SCHEMA_MATRIX: tuple[tuple[str, str | None, str | None, str, frozenset[str]], ...] = (
    ("type-changed", BREAKING, BREAKING,
     "the type changed (request: narrowed or replaced; response: widened or replaced)", frozenset({_P, _Q, _R})),
    ("type-generalized", NON_BREAKING, None,
     "the accepted type was widened (e.g. integer to number, or the type restriction dropped)", frozenset({_P, _Q})),
    ("type-specialized", None, NON_BREAKING,
     "the returned type was narrowed (e.g. number to integer)", frozenset()),
    ("became-nullable", NON_BREAKING, BREAKING,
     "null became allowed (a response value a client dereferenced may now be null)", frozenset({_P, _Q, _R})),
    ("became-not-nullable", BREAKING, NON_BREAKING,
     "null is no longer allowed", frozenset({_P, _Q, _R})),
    ("format-added", MAY_BREAK, NON_BREAKING,
     "a format was added (request: input narrowed, e.g. `uuid`)", frozenset()),
    ("format-removed", NON_BREAKING, MAY_BREAK,
     "the format was dropped (response: values may no longer parse as before)", frozenset()),
    ("format-changed", MAY_BREAK, MAY_BREAK,
     "the format changed", frozenset()),
    ("enum-value-added", NON_BREAKING, MAY_BREAK,
     "enum values were added (response: clients with exhaustive enums may break)", frozenset({_P, _Q, _R})),
    ("enum-value-removed", BREAKING, NON_BREAKING,
     "enum values were removed (request: values clients send are refused)", frozenset({_P, _Q, _R})),
    ("became-enum", BREAKING, NON_BREAKING,
     "values were restricted to an enum", frozenset({_P, _Q})),
    ("enum-unset", NON_BREAKING, MAY_BREAK,
     "the enum restriction was dropped (response: any value may come back)", frozenset()),
    ("default-value-changed", MAY_BREAK, NON_BREAKING,
     "the default was added, removed or changed (request: clients that omit the value get other behaviour)",
     frozenset({_P, _Q, _R})),
    ("pattern-added", MAY_BREAK, NON_BREAKING, "a pattern was added", frozenset({_P, _Q, _R})),
    ("pattern-removed", NON_BREAKING, MAY_BREAK, "the pattern was removed", frozenset({_P, _Q, _R})),
    ("pattern-changed", MAY_BREAK, MAY_BREAK, "the pattern changed", frozenset({_P, _Q, _R})),
    ("max-decreased", BREAKING, NON_BREAKING, "maximum lowered (or set where there was none)", frozenset({_P, _Q})),
    ("max-increased", NON_BREAKING, MAY_BREAK, "maximum raised (or removed)", frozenset({_P, _Q, _R})),
    ("min-increased", BREAKING, NON_BREAKING, "minimum raised (or set where there was none)", frozenset({_P, _Q})),
    ("min-decreased", NON_BREAKING, MAY_BREAK, "minimum lowered (or removed)", frozenset({_P, _Q, _R})),
    ("max-length-decreased", BREAKING, NON_BREAKING, "maxLength lowered (or set)", frozenset({_P, _Q})),
    ("max-length-increased", NON_BREAKING, MAY_BREAK, "maxLength raised (or removed)", frozenset({_P, _Q, _R})),
    ("min-length-increased", BREAKING, NON_BREAKING, "minLength raised", frozenset({_P, _Q})),
    ("min-length-decreased", NON_BREAKING, MAY_BREAK, "minLength lowered (or removed)", frozenset({_P, _Q, _R})),
    ("max-items-decreased", BREAKING, NON_BREAKING, "maxItems lowered (or set)", frozenset({_P})),
    ("max-items-increased", NON_BREAKING, MAY_BREAK, "maxItems raised (or removed)", frozenset({_P})),
    ("min-items-increased", BREAKING, NON_BREAKING, "minItems raised", frozenset({_P, _Q})),
    ("min-items-decreased", NON_BREAKING, MAY_BREAK, "minItems lowered (or removed)", frozenset({_P, _Q, _R})),
    ("one-of-added", NON_BREAKING, MAY_BREAK,
     "a oneOf branch equal or similar to no old one was added (response: a shape clients never saw)",
     frozenset({_R})),
    ("one-of-removed", BREAKING, NON_BREAKING,
     "a oneOf branch equal or similar to no new one was removed (request: that shape is refused)",
     frozenset({_Q})),
    ("any-of-added", NON_BREAKING, MAY_BREAK,
     "an anyOf branch equal or similar to no old one was added", frozenset({_R})),
    ("any-of-removed", BREAKING, NON_BREAKING,
     "an anyOf branch equal or similar to no new one was removed", frozenset({_Q})),
    ("schema-changed", MAY_BREAK, MAY_BREAK,
     "another schema keyword changed (anyOf became oneOf, const, multipleOf, exclusive bounds, uniqueItems ...)",
     frozenset()),
)

_STRUCTURAL: tuple[tuple[str, str, str, bool], ...] = (
    # operations
    ("endpoint-added", NON_BREAKING, "an operation was added", True),
    ("api-removed-without-deprecation", BREAKING, "an operation was removed (its path keeps other operations)", True),
    ("api-removed-with-deprecation", MAY_BREAK, "an operation that was deprecated was removed", True),
    ("api-path-removed-without-deprecation", BREAKING, "a path was removed with all its operations", True),
    ("api-path-removed-with-deprecation", MAY_BREAK, "a path whose operation was deprecated was removed", True),
    ("api-removed-before-sunset", BREAKING,
     "an operation was removed before the sunset date it announced (judged on NEW's date)", True),
    ("api-path-removed-before-sunset", BREAKING,
     "a path was removed before the sunset date its operation announced (judged on NEW's date)", True),
    ("endpoint-deprecated", NON_BREAKING, "an operation was deprecated with a sunset date", True),
    ("api-deprecated-sunset-missing", NON_BREAKING,
     "an operation was deprecated without a sunset date (`deprecated`, a `Deprecation` header, no readable "
     "`x-sunset` or `Sunset` header date): clients cannot plan the migration", True),
    ("endpoint-reactivated", NON_BREAKING, "an operation is no longer deprecated", True),
    ("api-sunset-date-changed-too-small", MAY_BREAK,
     "an operation's sunset date was moved earlier: clients planning on the old date may be cut off", True),
    # security (conformance.diff.security)
    ("api-security-added", BREAKING,
     "the operation's own security no longer accepts a way of calling it did (a requirement where there was "
     "none, a scheme or scope added, an alternative dropped)", True),
    ("api-security-removed", NON_BREAKING,
     "the operation's own security accepts a way of calling it did not (a requirement or scope dropped)", True),
    ("api-global-security-added", BREAKING,
     "as api-security-added, for an operation that takes the document's `security`", True),
    ("api-global-security-removed", NON_BREAKING,
     "as api-security-removed, for an operation that takes the document's `security`", True),
    ("api-security-component-type-changed", BREAKING,
     "a security scheme the operation uses changed type or how it is sent (http bearer → apiKey, header renamed)",
     True),
    ("api-security-component-flow-changed", BREAKING,
     "an OAuth flow of a scheme the operation uses was removed or moved (token or authorization URL, "
     "OpenID Connect URL)", False),
    ("api-security-component-flow-added", NON_BREAKING,
     "a scheme the operation uses offers another OAuth flow", False),
    # parameters
    ("new-required-request-parameter", BREAKING, "a required parameter was added", True),
    ("new-optional-request-parameter", NON_BREAKING, "an optional parameter was added", True),
    ("request-parameter-removed", MAY_BREAK,
     "a parameter was removed (clients still send it; the server may ignore or refuse it)", True),
    ("request-parameter-removed-before-sunset", MAY_BREAK,
     "a parameter was removed before the sunset date it announced (`x-sunset`; as request-parameter-removed, "
     "clients still send it)", True),
    ("request-parameter-deprecated", NON_BREAKING, "a parameter was deprecated with a sunset date (`x-sunset`)", True),
    ("request-parameter-deprecated-sunset-missing", NON_BREAKING,
     "a parameter was deprecated without a sunset date", True),
    ("request-parameter-reactivated", NON_BREAKING, "a parameter is no longer deprecated", True),
    ("request-parameter-became-required", BREAKING, "an optional parameter became required", True),
    ("request-parameter-became-optional", NON_BREAKING, "a required parameter became optional", True),
    # request body
    ("request-body-added-required", BREAKING, "a required request body was added", True),
    ("request-body-added-optional", NON_BREAKING, "an optional request body was added", True),
    ("request-body-removed", MAY_BREAK,
     "the request body was removed (clients still send it; the server may ignore or refuse it)", True),
    ("request-body-became-required", BREAKING, "the request body became required", True),
    ("request-body-became-optional", NON_BREAKING, "the request body became optional", True),
    ("request-body-media-type-added", NON_BREAKING, "the request body accepts another media type", True),
    ("request-body-media-type-removed", BREAKING, "a media type of the request body was removed", True),
    # request body properties
    ("new-required-request-property", BREAKING, "a required request property was added", True),
    ("new-optional-request-property", NON_BREAKING, "an optional request property was added", True),
    ("request-property-removed", MAY_BREAK,
     "a request property was removed (clients still send it; the server may ignore or refuse it)", True),
    ("request-property-became-required", BREAKING, "a request property became required", True),
    ("request-property-became-optional", NON_BREAKING, "a request property became optional", True),
    # responses
    ("response-success-status-added", MAY_BREAK,
     "a success status was added (clients may not expect it)", True),
    ("response-success-status-removed", BREAKING, "a success status was removed", True),
    ("response-non-success-status-added", NON_BREAKING, "an error status was documented", True),
    ("response-non-success-status-removed", NON_BREAKING,
     "an error status is no longer documented", True),
    ("response-media-type-added", NON_BREAKING, "a response media type was added", True),
    ("response-media-type-removed", BREAKING, "a response media type was removed", True),
    ("response-header-added", NON_BREAKING, "a response header was documented", True),
    ("required-response-header-removed", BREAKING, "a required response header was removed", True),
    ("optional-response-header-removed", MAY_BREAK, "an optional response header was removed", True),
    # response body properties
    ("response-optional-property-added", NON_BREAKING, "an optional response property was added", True),
    ("response-required-property-added", NON_BREAKING, "a required response property was added", True),
    ("response-optional-property-removed", MAY_BREAK,
     "an optional response property was removed (clients that read it lose the value)", True),
    ("response-required-property-removed", BREAKING, "a required response property was removed", True),
    ("response-property-became-optional", BREAKING,
     "a response property became optional (clients rely on it being present)", True),
    ("response-property-became-required", NON_BREAKING, "a response property became required", True),
)


def _build() -> dict[str, Rule]:
    table: dict[str, Rule] = {}
    for suffix, request_level, response_level, description, oasdiff_kinds in SCHEMA_MATRIX:
        for kind in SCHEMA_KINDS:
            level = response_level if kind == RESPONSE_PROPERTY else request_level
            if level is None:
                continue
            rule_id = f"{kind}-{suffix}"
            table[rule_id] = diff_rule(rule_id, level, f"{kind.replace('-', ' ')}: {description}",
                                       kind in oasdiff_kinds)
    for rule_id, level, description, oasdiff_id in _STRUCTURAL:
        if rule_id in table:
            raise ValueError(f"duplicate rule id {rule_id}")
        table[rule_id] = diff_rule(rule_id, level, description, oasdiff_id)
    return dict(sorted(table.items()))


RULES: dict[str, Rule] = _build()


def schema_rule_id(kind: str, suffix: str) -> str:
    """The id of a schema rule for a kind (`request-parameter`, ...), checked against the table."""
    rule_id = f"{kind}-{suffix}"
    if rule_id not in RULES:
        raise KeyError(f"no rule {rule_id}")
    return rule_id
