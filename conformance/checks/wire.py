"""Read what was on the wire: a response's headers and JSON body, and the request behind it.

Checks judge the request as it was sent (`response.request`), not the generated case, so a
header the suite pinned or removed after generation is seen the way the server saw it.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

from schemathesis import Response

NO_BODY = object()


def header(response: Response, name: str) -> str | None:
    """The response header's first value, or None when absent."""
    values = response.headers.get(name.lower())
    return values[0] if values else None


def request_header(response: Response, name: str) -> str | None:
    """The header the request carried, or None."""
    value = response.request.headers.get(name)
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value


def request_method(response: Response) -> str:
    return str(response.request.method or "").upper()


def request_query(response: Response) -> dict[str, list[str]]:
    """The query string the request carried, each name with all its values."""
    return parse_qs(urlsplit(str(response.request.url or "")).query, keep_blank_values=True)


def json_body(response: Response) -> Any:
    """The decoded JSON body, or NO_BODY when the body is empty or not JSON."""
    if not response.content:
        return NO_BODY
    try:
        return json.loads(response.content)
    except ValueError:
        return NO_BODY


def describe(value: Any, limit: int = 300) -> str:
    """A short rendering of a value for a failure message."""
    text = json.dumps(value, ensure_ascii=False, default=str) if value is not NO_BODY else "(no JSON body)"
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} chars)"
