"""A request and its response, as a report may show them: redacted, truncated, reproducible."""

from __future__ import annotations

import json
import shlex
from dataclasses import asdict, dataclass

import httpx

from conformance.redaction import redact, redact_headers

MAX_BODY_CHARS = 4000


@dataclass(frozen=True)
class Exchange:
    method: str
    url: str
    request_headers: dict[str, str]
    request_body: str
    status_code: int
    response_headers: dict[str, str]
    response_body: str

    @classmethod
    def from_response(cls, response: httpx.Response) -> "Exchange":
        request = response.request
        return cls.from_parts(request.method, str(request.url), dict(request.headers), request.content,
                              response.status_code, dict(response.headers), response.content)

    @classmethod
    def from_parts(cls, method: str, url: str, request_headers: dict[str, str], request_body: bytes,
                   status_code: int, response_headers: dict[str, str], response_body: bytes) -> "Exchange":
        """An exchange seen elsewhere than in an httpx client (the proxy), redacted the same way."""
        return cls(
            method=method,
            url=redact(url),
            request_headers=redact_headers(request_headers),
            request_body=shown_body(request_body),
            status_code=status_code,
            response_headers=redact_headers(response_headers),
            response_body=shown_body(response_body),
        )

    def to_curl(self) -> str:
        """A curl command that sends the same request (credentials left as placeholders)."""
        parts = ["curl", "-X", self.method, shlex.quote(self.url)]
        for name, value in self.request_headers.items():
            if name.lower() in {"host", "content-length", "accept-encoding", "connection", "user-agent"}:
                continue
            if name.lower() == "authorization":
                value = "Bearer $MONITE_TOKEN"
                parts += ["-H", f'"{name}: {value}"']
                continue
            parts += ["-H", shlex.quote(f"{name}: {value}")]
        if self.request_body:
            parts += ["--data", shlex.quote(self.request_body)]
        return " ".join(parts)

    def describe(self) -> str:
        """Request, response and curl in a few lines, for an assertion message or a report."""
        return (
            f"{self.method} {self.url} -> {self.status_code}\n"
            f"response body: {self.response_body}\n"
            f"reproduce: {self.to_curl()}"
        )

    def as_dict(self) -> dict:
        return asdict(self) | {"curl": self.to_curl()}


def shown_body(raw: bytes) -> str:
    text = raw.decode("utf-8", errors="replace")
    try:
        text = json.dumps(json.loads(text), ensure_ascii=False)
    except ValueError:
        pass
    if len(text) > MAX_BODY_CHARS:
        text = text[:MAX_BODY_CHARS] + f"... ({len(text)} chars)"
    return redact(text)
