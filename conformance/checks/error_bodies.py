"""Error bodies have the documented shape: ErrorSchemaResponse, or HTTPValidationError for 422."""

from __future__ import annotations

from typing import Any

import schemathesis
from schemathesis import Case, CheckContext, Response

from conformance.checks import catalogue
from conformance.checks.wire import NO_BODY, describe, json_body, request_method


def validation_error_problem(body: Any) -> str | None:
    """What is wrong with a 422 body, or None: {"detail": [{"loc": [...], "msg": str, "type": str}]}."""
    detail = body.get("detail") if isinstance(body, dict) else None
    if not isinstance(detail, list):
        return "no `detail` list"
    for index, item in enumerate(detail):
        if not isinstance(item, dict):
            return f"detail[{index}] is not an object"
        loc = item.get("loc")
        if not isinstance(loc, list) or not all(isinstance(part, (str, int)) and not isinstance(part, bool)
                                                for part in loc):
            return f"detail[{index}].loc is not a list of strings and integers"
        for field in ("msg", "type"):
            if not isinstance(item.get(field), str):
                return f"detail[{index}].{field} is not a string"
    return None


def error_problem(body: Any) -> str | None:
    """What is wrong with a non-422 error body, or None: {"error": {"message": str}}."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return "no `error` object"
    if not isinstance(error.get("message"), str):
        return "`error.message` is not a string"
    return None


@schemathesis.check
def monite_error_body_shape(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Every 4xx/5xx body is an ErrorSchemaResponse, or an HTTPValidationError for 422."""
    # A HEAD answer has no body by definition (RFC 9110), so there is no shape to judge.
    if response.status_code < 400 or request_method(response) == "HEAD":
        return True
    body = json_body(response)
    if response.status_code == 422:
        problem = validation_error_problem(body)
    else:
        problem = error_problem(body)
    if problem is not None:
        shown = describe(body) if body is not NO_BODY else "(no JSON body)"
        raise catalogue.ERROR_BODY_SHAPE.violated(f"{response.status_code} body has {problem}: {shown}")
    return None
