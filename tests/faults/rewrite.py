"""Break one rule of a working app by rewriting its answers: the base of every fault variant.

A variant wraps the real emulator and changes only what its rule covers, so a check that
fails against it fails for that reason and no other.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Headers = list[tuple[bytes, bytes]]


@dataclass
class Answer:
    """A buffered response a rewrite may change in place."""

    scope: dict[str, Any]
    status: int
    headers: Headers
    body: bytes
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def path(self) -> str:
        return self.scope.get("path", "")

    @property
    def method(self) -> str:
        return self.scope.get("method", "")

    def json(self) -> Any:
        return json.loads(self.body)

    def set_json(self, value: Any) -> None:
        self.body = json.dumps(value).encode()

    def drop_header(self, name: str) -> None:
        self.headers = [(k, v) for k, v in self.headers if k.decode().lower() != name.lower()]

    def set_header(self, name: str, value: str) -> None:
        self.drop_header(name)
        self.headers.append((name.lower().encode(), value.encode()))

    def header(self, name: str) -> str | None:
        for k, v in self.headers:
            if k.decode().lower() == name.lower():
                return v.decode()
        return None


def rewrite_responses(app: Any, rewrite: Callable[[Answer], None]) -> Any:
    """An ASGI app that answers like `app`, with each HTTP answer passed through `rewrite`."""

    async def wrapped(scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        started: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: dict) -> None:
            if message["type"] == "http.response.start":
                started.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    answer = Answer(scope, started["status"], list(started.get("headers", [])), b"".join(chunks))
                    rewrite(answer)
                    headers = [(k, v) for k, v in answer.headers if k.lower() != b"content-length"]
                    headers.append((b"content-length", str(len(answer.body)).encode()))
                    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
                    await send({"type": "http.response.body", "body": answer.body})

        await app(scope, receive, capture)

    return wrapped
