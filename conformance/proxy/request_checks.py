"""Checks of what the service sent, each with one reason to fail (rules in `conformance.proxy.catalogue`).

Every check takes the operation the request addressed and the request, and returns the
violations it found (usually none). Routing comes first: a request that matches no
operation is judged by `check_route` alone.
"""

from __future__ import annotations

from collections.abc import Callable

from conformance.proxy import catalogue
from conformance.openapi.contract import Contract, OperationContract, Parameter, SchemaError, coerce
from conformance.proxy.paging import PageLimits
from conformance.findings import Finding, Rule
from conformance.proxy.catalogue import violation
from conformance.proxy.traffic import NO_JSON, SeenRequest, parse_json
from conformance.openapi.catalog import BASE_PATH

MAX_SHOWN = 300  # characters of a value or message shown in a violation
LIMIT, PAGINATION_TOKEN = "limit", "pagination_token"
_SPECIFIC_HEADER_RULES = {"x-monite-version": catalogue.MISSING_VERSION, "x-monite-entity-id": catalogue.MISSING_ENTITY_ID}


def in_api(path: str) -> bool:
    """Whether `path` is under the API's /v1 (anything else, e.g. /_emulator, is passed through unjudged)."""
    return path == BASE_PATH or path.startswith(BASE_PATH + "/")


def check_route(contract: Contract, request: SeenRequest) -> list[Finding]:
    """A /v1 request that matched no operation: a documented path with another method, or an
    unknown path of a documented resource. Other resources (the spec covers only the
    accounting part of Monite's API) are not judged."""
    methods = contract.methods_on(request.path)
    if methods:
        return [violation(catalogue.METHOD_NOT_DOCUMENTED, request.label, f"one of {', '.join(methods)}",
                          f"{request.method} {request.path}")]
    family = contract.family(request.path)
    if family is not None:
        known = sorted({op.path for op in contract.catalog.operations if op.path.strip("/").split("/")[0] == family})
        return [violation(catalogue.UNKNOWN_PATH, request.label, f"one of {', '.join(known)} under /v1",
                          f"{request.method} {request.path}")]
    return []


def check_headers(op: OperationContract, request: SeenRequest) -> list[Finding]:
    """Required headers present (x-monite-version, x-monite-entity-id) and well-formed."""
    found = []
    for name, parameter in op.headers.items():
        value = request.header(name)
        if value is None:
            if parameter.required:
                rule = _SPECIFIC_HEADER_RULES.get(name, catalogue.MISSING_PARAMETER)
                found.append(violation(rule, op.operation_id, parameter.expected, f"no {parameter.name} header",
                                       source=_source(rule, parameter)))
            continue
        errors = parameter.schema.errors(value)
        if errors:
            found.append(violation(catalogue.INVALID_HEADER, op.operation_id, parameter.expected,
                                   f"{parameter.name}: {_shown(value)!r} ({_message(errors)})",
                                   source=parameter.source))
    return found


def check_authorization(op: OperationContract, request: SeenRequest) -> list[Finding]:
    """A bearer token on every operation that declares security."""
    if not op.secured:
        return []
    value = request.header("authorization")
    scheme, _, token = (value or "").strip().partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return []
    if value is None:
        observed = "no Authorization header"
    elif scheme.lower() != "bearer":
        observed = f"Authorization with scheme {scheme!r}"
    else:
        observed = "Authorization: Bearer without a token"
    return [violation(catalogue.MISSING_AUTHORIZATION, op.operation_id,
                      "Authorization: Bearer <access_token from POST /auth/token>", observed)]


def check_query(op: OperationContract, request: SeenRequest) -> list[Finding]:
    """Only documented query parameters, every required one (not with a pagination token, which
    carries them), each of its documented type and range."""
    found: list[Finding] = []
    values: dict[str, list[str]] = {}
    for name, value in request.query:
        values.setdefault(name, []).append(value)
    for name, sent in values.items():
        parameter = op.query.get(name)
        if parameter is None:
            documented = ", ".join(op.query) or "none"
            found.append(violation(catalogue.UNKNOWN_QUERY_PARAMETER, op.operation_id,
                                   f"query parameters of {op.operation_id}: {documented}",
                                   f"{_shown(name)}={_shown(sent[0])}", source=op.source))
            continue
        found += _check_value(op, parameter, sent)
    if PAGINATION_TOKEN in values:
        return found  # seed 003: with a token, every parameter but limit comes from the token
    for name, parameter in op.query.items():
        if parameter.required and name not in values:
            found.append(violation(catalogue.MISSING_PARAMETER, op.operation_id, parameter.expected,
                                   f"no {name} parameter", source=parameter.source))
    return found


def _check_value(op: OperationContract, parameter: Parameter, sent: list[str]) -> list[Finding]:
    rule = catalogue.LIMIT_OUT_OF_RANGE if parameter.name == LIMIT else catalogue.INVALID_QUERY_PARAMETER
    expected = f"{parameter.name}: {parameter.schema.summary}"
    shown = "&".join(f"{parameter.name}={_shown(value)}" for value in sent)
    if parameter.schema.type == "array":
        value: object = [coerce(item, parameter.schema.item_type) for item in sent]
    elif len(sent) > 1:
        return [violation(rule, op.operation_id, f"{expected}, sent once", f"{shown} (sent {len(sent)} times)",
                          source=parameter.source)]
    else:
        value = coerce(sent[0], parameter.schema.type)
    errors = parameter.schema.errors(value)
    if not errors:
        return []
    return [violation(rule, op.operation_id, expected, f"{shown} ({_message(errors)})", source=parameter.source)]


def check_limit_resent(op: OperationContract, request: SeenRequest, limits: PageLimits) -> list[Finding]:
    """A page fetched with a token of a walk that asked for a non-default limit sends that limit again."""
    if PAGINATION_TOKEN not in op.query or LIMIT not in op.query:
        return []
    sent = dict(request.query)
    token = sent.get(PAGINATION_TOKEN)
    wanted = limits.walk_limit(token)
    if wanted is None or LIMIT in sent:
        return []
    return [violation(catalogue.LIMIT_NOT_RESENT, op.operation_id,
                      f"limit={wanted} sent again with pagination_token (the walk this token belongs to asked for "
                      f"limit={wanted})", "pagination_token without limit: the page falls back to the default")]


def walk_limit(request: SeenRequest, limits: PageLimits) -> int | None:
    """The limit the walk this request belongs to asked for: its own, else its token's walk's."""
    sent = dict(request.query)
    value = sent.get(LIMIT)
    if value is not None:
        number = coerce(value, "integer")
        return number if isinstance(number, int) else None
    return limits.walk_limit(sent.get(PAGINATION_TOKEN))


def check_body(op: OperationContract, request: SeenRequest) -> list[Finding]:
    """A JSON body matching the documented schema (nothing to judge when the body is too large)."""
    if op.body is None or op.body.schema is None or request.body is None:
        return []
    schema = op.body.schema
    expected = f"a JSON body matching {schema.name}"
    if not request.body.strip():
        if not op.body.required:
            return []
        return [violation(catalogue.INVALID_BODY, op.operation_id, expected, "no body", source=op.body.source)]
    value = parse_json(request.body)
    if value is NO_JSON:
        return [violation(catalogue.INVALID_BODY, op.operation_id, expected,
                          f"not JSON: {_shown(request.body.decode('utf-8', errors='replace'))}", source=op.body.source)]
    errors = schema.errors(value)
    if not errors:
        return []
    return [violation(catalogue.INVALID_BODY, op.operation_id, expected, _message(errors, where=True),
                      source=op.body.source)]


# The checks run on every request that matched an operation, in this order.
OPERATION_CHECKS: tuple[Callable[[OperationContract, SeenRequest], list[Finding]], ...] = (
    check_headers, check_authorization, check_query, check_body)


def _source(rule: Rule, parameter: Parameter) -> str:
    return rule.source if rule in _SPECIFIC_HEADER_RULES.values() else parameter.source


def _shown(text: str) -> str:
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "…"


def _message(errors: list[SchemaError], where: bool = False) -> str:
    first = errors[0]
    text = f"{first.where()}: {first.message}" if where else first.message
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return _shown(text) + more
