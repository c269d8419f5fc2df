"""Which check failures break only one of our assumptions, not Monite's documented contract.

A property-test check fails on what the strict contract says (the spec with our choices where
the docs are silent, `conformance.openapi.assumed`). On our emulator every such failure stands:
the emulator must honour its own choices. On any other target a failure whose only cause is
one of those choices is an *observation*, with the assumption's id and the evidence (issue 9):
the real API may legitimately have chosen otherwise. `excuse()` answers which rule that is, or
None when the documented contract is broken too. Each rule below names the docs' silence or
disagreement it rests on (facts: ../shared/docs/monite-accounting-facts.md).

Failures are named by schemathesis' stable failure codes (`Failure.code`, e.g. ST108) and, for
the Monite checks (ST901, custom), by the check's name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from conformance.expectations.formats import is_uuid
from conformance.expectations.kinds import Rule, assumption, probe
from conformance.openapi.assumed import DISPUTED, EXTENSION, assumption_ids
from conformance.openapi.contract import Contract, OperationContract

NO_JSON = object()
_REQUIRED_NAME = re.compile(r"""^["']([^"']+)["'] is a required property""")

# Schemathesis failure codes (schemathesis.core.failures / schemathesis.openapi.checks).
UNDEFINED_STATUS = "ST103"  # status_code_conformance
RESPONSE_SCHEMA = "ST108"  # response_schema_conformance (and header schemas)
ACCEPTED_NEGATIVE = "ST201"  # negative_data_rejection
REJECTED_POSITIVE = "ST202"  # positive_data_acceptance
UNSUPPORTED_METHOD = "ST204"  # unsupported_method
ALLOW_HEADER = "ST205"  # allow_header_conformance
CUSTOM = "ST901"  # a Monite check (conformance.checks), named by `check`

# Operations whose answer in some state has no documented status (their x-assumption): a second
# active connection (A5), sync or disconnect when not connected (A6), push (A15), deleting an
# external account (A10). A valid request refused there may be the target's choice of status.
STATE_STATUSES = frozenset({"A5", "A6", "A10", "A15"})

# The concepts page caps `limit` at 100 and answers 416 beyond; the endpoint reference allows 250.
CONCEPTS_LIMIT_MAX = 100

LIMIT_RANGE = probe(
    "limit-range-416", "docs: api/concepts/pagination-sorting-filtering",
    "the concepts page says limit is 1..100 and out-of-range values give 416; the endpoint reference "
    "(seed 003) says 1..250 and 422")
# Docs disagreement D4 (docs/design.md, "Monite's published document"): the seeds type path ids
# as plain strings (a non-uuid id is a valid request for an unknown resource: 404), Monite's
# published document gives them format uuid (a non-uuid id is invalid: 422).
PATH_ID = probe(
    "D4", "seeds 000, 001, 004 (`connection_id string Required`) vs published OpenAPI (2025-08-29 copy, "
          "API version 2024-05-25: path ids format uuid)",
    "a path id that is not a uuid: the seeds make it a valid request for an unknown resource (404), the "
    "published document an invalid one (422); either answer is docs-legal")
# Docs disagreement D1: the published document requires `connection_url` on every connection
# answer; seed 002's disconnect example leaves it out.
DISCONNECT_URL = probe(
    "D1", "published OpenAPI (API version 2024-05-25, copy of 2025-08-29: AccountingConnectionResponse requires "
          "connection_url) vs seed 002 (the disconnect example has no connection_url)",
    "whether the disconnect answer carries connection_url")
# Docs disagreement D2: the published document (2025-08-29 copy) requires a ledger account's
# `name`; its 2025-10 change and the ledger pages make it optional (facts: "How the contract
# changed over time"). The schema check reports a target without it (x-disputed-constraints);
# the scenarios report which side a target takes either way.
LEDGER_NAME = probe(
    "D2", "published OpenAPI (API version 2024-05-25, copy of 2025-08-29: LedgerAccountResponse requires name) "
          "vs facts: How the contract changed over time (2025-10: name optional)",
    "whether every ledger account has a name: required by the 2025-08 published document, optional since 2025-10")
WRONG_METHOD = assumption(
    "A9", "a wrong HTTP method gives 405 with Allow and an error body; the docs give no status "
          "for it (facts: Errors, undocumented: 405 for a wrong method)")
# Error bodies the docs do not document (facts: Errors, "Undocumented: 404 bodies for unknown
# ids on the accounting endpoints, 405 for a wrong method").
UNDOCUMENTED_BODIES: dict[int, Rule] = {
    404: assumption("A7", "a 404 has an ErrorSchemaResponse body; the docs do not document 404 bodies "
                          "for unknown ids on the accounting endpoints"),
    405: WRONG_METHOD,
}


@dataclass(frozen=True)
class Answer:
    """One request of a generated case and the target's answer, as plain data."""

    method: str
    path: str  # as sent, e.g. /v1/ledger_accounts/abc
    status: int
    body: Any = NO_JSON  # the decoded JSON body, or NO_JSON
    query: Mapping[str, Any] = field(default_factory=dict)
    path_parameters: Mapping[str, Any] = field(default_factory=dict)


def excuse(code: str, check: str, answer: Answer, contract: Contract, strict: Contract | None = None) -> Rule | None:
    """The assumption (or docs disagreement) that is all `answer` breaks for the failed check,
    or None: the documented `contract` is broken too, and the failure stands everywhere.
    `strict` (the contract with our choices) names which choices a body breaks."""
    if code in (UNSUPPORTED_METHOD, ALLOW_HEADER):
        return WRONG_METHOD
    if code == CUSTOM and check == "monite_error_body_shape":
        # Also on a method the path does not have (a 405 answers no documented operation).
        return UNDOCUMENTED_BODIES.get(answer.status)
    op = contract.match(answer.method, answer.path)
    if op is None:
        return None
    if code == UNDEFINED_STATUS:
        return undefined_status(op, answer)
    if code == RESPONSE_SCHEMA:
        return schema_deviation(op, answer, contract, strict)
    if code == REJECTED_POSITIVE:
        return rejected_valid_request(op, answer)
    return None


def status_assumption(op: OperationContract, status: int) -> Rule | None:
    """An undocumented status where every status of its class the spec gives is one of our
    choices (A10 DELETE 204, A16 push 200, A27 create 201): the docs never said, so a target
    answering another one of that class breaks only those choices."""
    same_class = [spec for key, spec in op.responses.items() if key[0] == str(status)[0]]
    if not same_class or not all(spec.assumption for spec in same_class):
        return None
    ids = sorted({str(spec.assumption) for spec in same_class})  # "A10" or "A10,A27"
    keys = ", ".join(spec.key for spec in same_class)
    return assumption(",".join(ids), f"the docs do not give the {str(status)[0]}xx status of {op.operation.label}; "
                                      f"the spec chose {keys}")


def undefined_status(op: OperationContract, answer: Answer) -> Rule | None:
    if answer.status == 416 and "limit" in op.query:
        return LIMIT_RANGE
    if answer.status in UNDOCUMENTED_BODIES and answer.status not in _statuses(op):
        return UNDOCUMENTED_BODIES[answer.status]
    return status_assumption(op, answer.status)


def schema_deviation(op: OperationContract, answer: Answer, contract: Contract,
                     strict: Contract | None) -> Rule | None:
    """A body the strict contract refuses: excused when the documented one accepts it (a field
    the docs do not require, A<n> from `x-assumed-constraints`; a field two docs pages disagree
    on, D<n> from `x-disputed-constraints`, a probe naming both), or when the docs do not
    document that error body at all (404, 405)."""
    if answer.status in UNDOCUMENTED_BODIES:
        return UNDOCUMENTED_BODIES[answer.status]
    spec = op.response_for(answer.status)
    if spec is None or spec.schema is None or answer.body is NO_JSON or spec.schema.errors(answer.body):
        return None
    missing, labels = _assumed_fields_missing(op, answer, strict) if strict is not None else ([], [])
    if not labels:  # no strict contract to ask: every choice the response schema holds
        ids = assumption_ids({"$ref": spec.schema.pointer}, contract.spec)
        labels = [(label, None) for label in ids]
    if not labels:
        return None
    shown = f" ({', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''})" if missing else ""
    ids = ", ".join(label for label, _ in labels)
    disputed = [(label, sources) for label, sources in labels if sources]
    if disputed and len(disputed) == len(labels):
        sources = "; ".join(f"{label}: {' vs '.join(found)}" for label, found in disputed)
        return probe(ids, sources, f"the {answer.status} body of {op.operation.label} lacks fields the docs "
                                   f"disagree on{shown}: one source requires them, another leaves them out")
    return assumption(ids, f"the {answer.status} body of {op.operation.label} lacks fields the docs do "
                           f"not require{shown}; only the emulator is held to them")


def _assumed_fields_missing(op: OperationContract, answer: Answer,
                            strict: Contract) -> tuple[list[str], list[tuple[str, tuple[str, ...] | None]]]:
    """Which fields the strict contract misses in the body, and the labels of the constraints
    that require them: (id, None) for an assumption, (id, its sources) for a disagreement."""
    strict_op = strict.operations.get(op.operation_id)
    spec = strict_op.response_for(answer.status) if strict_op is not None else None
    if spec is None or spec.schema is None:
        return [], []
    missing: list[str] = []
    labels: list[tuple[str, tuple[str, ...] | None]] = []
    for error in spec.schema.errors(answer.body):
        if not error.schema_path or error.schema_path[-1] != "required":
            continue
        node = strict.node(error.schema_path[:-1])
        label = _constraint_for(node, _required_name(error.message))
        if label is not None:
            missing.append(f"{error.where()}: {error.message}")
            if label not in labels:
                labels.append(label)
    return missing, labels


def _constraint_for(node: Any, name: str | None) -> tuple[str, tuple[str, ...] | None] | None:
    """The constraint of `node` that requires the field `name` (a disputed one first)."""
    if not isinstance(node, dict):
        return None
    disputed, assumed = node.get(DISPUTED), node.get(EXTENSION)
    if isinstance(disputed, dict) and disputed.get("probe") and name in (disputed.get("required") or ()):
        return str(disputed["probe"]), tuple(str(source) for source in disputed.get("sources") or ())
    if isinstance(assumed, dict) and assumed.get("assumption") and (
            name is None or name in (assumed.get("required") or ())):
        return str(assumed["assumption"]), None
    return None


def _required_name(message: str) -> str | None:
    """The property a `required` error names (`"name" is a required property`)."""
    found = _REQUIRED_NAME.match(message)
    return found.group(1) if found else None


def rejected_valid_request(op: OperationContract, answer: Answer) -> Rule | None:
    """A schema-valid request refused where the docs leave the answer open."""
    if answer.status in (404, 422) and any(not is_uuid(value) for value in answer.path_parameters.values()):
        return PATH_ID
    if answer.status in (400, 416, 422) and _over_concepts_limit(answer.query.get("limit")):
        return LIMIT_RANGE
    if answer.status in (400, 409) and op.assumption in STATE_STATUSES:
        return assumption(op.assumption, f"the docs give no status for {op.operation.label} in this state; "
                                         f"the target refused it with {answer.status}")
    return None


def _statuses(op: OperationContract) -> set[int]:
    return {int(key) for key in op.responses if key.isdigit()}


def _over_concepts_limit(value: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    for item in values:
        try:
            if int(item) > CONCEPTS_LIMIT_MAX:
                return True
        except (TypeError, ValueError):
            continue
    return False
