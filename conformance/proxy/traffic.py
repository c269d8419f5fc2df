"""One exchange as the checks see it: the request the service sent, the answer it got.

Bodies are kept only up to `BODY_LIMIT` (what validation needs); a larger body streams
through unbuffered and is recorded as `None`, i.e. not judged.
"""

from __future__ import annotations

import gzip
import json
import zlib
from dataclasses import dataclass
from typing import Any

# Bodies up to this size are buffered for validation (the API refuses larger requests, A18).
BODY_LIMIT = 1024 * 1024
NO_JSON = object()


@dataclass(frozen=True)
class SeenRequest:
    method: str  # upper case
    path: str  # as the service sent it, e.g. /v1/ledger_accounts
    query: list[tuple[str, str]]
    headers: dict[str, str]  # lower-case names
    body: bytes | None  # None: larger than BODY_LIMIT, not judged
    upstream_url: str

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class SeenResponse:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes | None  # decoded content; None: too large or in an encoding we do not decode

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


def header_dict(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    """ASGI/httpx raw headers as a dict with lower-case names; repeated headers joined by ", "."""
    headers: dict[str, str] = {}
    for name, value in raw:
        key, text = name.decode("latin-1").lower(), value.decode("latin-1")
        headers[key] = f"{headers[key]}, {text}" if key in headers else text
    return headers


def decoded(body: bytes | None, content_encoding: str | None) -> bytes | None:
    """The content of a body sent with `content_encoding` (gzip and deflate; others give None)."""
    if body is None or not content_encoding or content_encoding.strip().lower() == "identity":
        return body
    encoding = content_encoding.strip().lower()
    try:
        if encoding == "gzip":
            return gzip.decompress(body)
        if encoding == "deflate":
            return zlib.decompress(body)
    except (OSError, zlib.error, EOFError):
        return None
    return None


def parse_json(body: bytes | None) -> Any:
    """The JSON value of `body`, or NO_JSON when it is absent, empty or not JSON."""
    if not body:
        return NO_JSON
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return NO_JSON
