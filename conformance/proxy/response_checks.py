"""Checks of what the upstream answered, each with one reason to fail.

Each check takes the contract, the operation, the exchange and the answer's parsed JSON
body (`NO_JSON` when it had none). A status the spec only documents because of one of the
project's choices (docs/design.md A<n>) yields an *assumption* violation: the inspector
fails it only when the upstream is our emulator, and reports it as an observation elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conformance.checks.error_bodies import error_problem, validation_error_problem
from conformance.expectations.headers import API_VERSION_ERROR_TYPES
from conformance.proxy import catalogue
from conformance.openapi.contract import Contract, OperationContract, documented_key
from conformance.proxy.request_checks import MAX_SHOWN
from conformance.findings import Finding
from conformance.proxy.catalogue import violation
from conformance.proxy.traffic import NO_JSON, SeenRequest, SeenResponse
from conformance.verdict.assumptions import status_assumption


def check_status(contract: Contract, op: OperationContract, request: SeenRequest, response: SeenResponse,
                 body: Any) -> list[Finding]:
    """The status is one the spec documents for the operation."""
    status = response.status
    if documented_key(op.operation, status) is not None:
        return []
    # A different success status where every documented one is a choice of ours (A10, A16, A27):
    # the docs never said, so the upstream may well be right.
    excused = status_assumption(op, status)
    return [violation(catalogue.STATUS_UNDOCUMENTED, op.operation_id, f"one of {', '.join(op.operation.statuses)}",
                      str(status), source=op.source, assumption=excused.id if excused else None)]


def check_error_body(contract: Contract, op: OperationContract, request: SeenRequest, response: SeenResponse,
                     body: Any) -> list[Finding]:
    """A 4xx/5xx body is an ErrorSchemaResponse, or an HTTPValidationError for 422."""
    if response.status < 400 or request.method == "HEAD" or response.body is None:
        return []
    if body is NO_JSON:
        problem = "no JSON body"
    else:
        problem = validation_error_problem(body) if response.status == 422 else error_problem(body)
    if problem is None:
        return []
    shape = "HTTPValidationError" if response.status == 422 else "ErrorSchemaResponse"
    return [violation(catalogue.ERROR_BODY, op.operation_id, f"a {response.status} body shaped as {shape}",
                      f"{problem}: {_shown_body(response)}")]


def check_body_schema(contract: Contract, op: OperationContract, request: SeenRequest, response: SeenResponse,
                      body: Any) -> list[Finding]:
    """A success body matches the schema documented for its status."""
    spec = op.response_for(response.status)
    if response.status >= 400 or spec is None or spec.schema is None or response.body is None:
        return []
    expected = f"a {response.status} body matching {spec.schema.name}"
    if body is NO_JSON:
        return [violation(catalogue.BODY_SCHEMA, op.operation_id, expected, f"not JSON: {_shown_body(response)}",
                          source=op.source)]
    errors = spec.schema.errors(body)
    if not errors:
        return []
    first = errors[0]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return [violation(catalogue.BODY_SCHEMA, op.operation_id, expected,
                      f"{first.where()}: {first.message[:MAX_SHOWN]}{more}",
                      source=contract.source_at(first.schema_path, op.source))]


def check_version_echoed(contract: Contract, op: OperationContract, request: SeenRequest, response: SeenResponse,
                         body: Any) -> list[Finding]:
    """The answer carries back the x-monite-version the request sent (not judged on the 400 that
    refuses the version itself)."""
    sent = request.header("x-monite-version")
    if sent is None:
        return []
    error = body.get("error") if isinstance(body, dict) else None
    if response.status == 400 and isinstance(error, dict) and error.get("type") in API_VERSION_ERROR_TYPES:
        return []
    echoed = response.header("x-monite-version")
    if echoed == sent:
        return []
    return [violation(catalogue.VERSION_NOT_ECHOED, op.operation_id, f"x-monite-version: {sent}",
                      "no x-monite-version header" if echoed is None else f"x-monite-version: {echoed}")]


ResponseCheck = Callable[[Contract, OperationContract, SeenRequest, SeenResponse, Any], list[Finding]]
RESPONSE_CHECKS: tuple[ResponseCheck, ...] = (check_status, check_error_body, check_body_schema, check_version_echoed)


def _shown_body(response: SeenResponse) -> str:
    text = (response.body or b"").decode("utf-8", errors="replace")
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "…"
