"""Domain errors; the HTTP layer maps them to status codes (see http/errors.py)."""

from __future__ import annotations


class DomainError(Exception):
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class Forbidden(DomainError):
    status = 403


class Unauthorized(DomainError):
    status = 401


class Invalid(DomainError):
    """A request-validation failure, rendered as a FastAPI-shaped 422."""

    status = 422

    def __init__(self, loc: list, message: str, type_: str = "value_error") -> None:
        super().__init__(message)
        self.errors = [{"loc": list(loc), "msg": message, "type": type_}]

    @classmethod
    def many(cls, errors: list[dict]) -> "Invalid":
        exc = cls(errors[0]["loc"], errors[0]["msg"], errors[0]["type"])
        exc.errors = errors
        return exc
