"""Error bodies and exception handlers.

Non-422 errors: ``{"error": {"message": str}}`` (the version errors add ``type``).
422: ``{"detail": [{"loc": [...], "msg": str, "type": str}]}`` — input values are never
echoed back (they could hold secrets).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from monite_emulator.model.errors import DomainError, Invalid

log = logging.getLogger("monite_emulator")


def error_response(status: int, message: str, type_: str | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"message": message}
    if type_:
        body = {"type": type_, "message": message}
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def validation_response(errors: list[dict[str, Any]]) -> JSONResponse:
    detail = [
        {"loc": [p if isinstance(p, int) else str(p) for p in e.get("loc", ())],
         "msg": str(e.get("msg", "Invalid input")), "type": str(e.get("type", "value_error"))}
        for e in errors
    ]
    return JSONResponse({"detail": detail}, status_code=422)


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return validation_response(list(exc.errors()))

    @app.exception_handler(Invalid)
    async def _invalid(request: Request, exc: Invalid) -> JSONResponse:
        return validation_response(exc.errors)

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        return error_response(exc.status, exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and "parsing the body" in str(exc.detail):
            # A18: a body that is not valid JSON (bad UTF-8, too deeply nested...) is a 422.
            return validation_response([{"loc": ["body"], "msg": "JSON decode error", "type": "json_invalid"}])
        message = exc.detail if isinstance(exc.detail, str) else "HTTP error"
        return error_response(exc.status_code, message, headers=getattr(exc, "headers", None))
