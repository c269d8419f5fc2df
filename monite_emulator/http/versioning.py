"""The HTTP side of API versions: which documented operation a request is, and the response
body presented for the request's version (monite_emulator.model.versions decides what)."""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.routing import compile_path
from starlette.types import Message, Send

from monite_emulator.model import versions

PREFIX = "/v1"
_TABLE: list[tuple[re.Pattern[str], str, str]] = []  # (path regex, method, operation)
for _operation in versions.OPERATIONS:
    _method, _path = _operation.split(" ", 1)
    _TABLE.append((compile_path(PREFIX + _path)[0], _method, _operation))


def operation_of(method: str, path: str) -> str | None:
    """The documented operation ("METHOD /path") a request is, if any (HEAD counts as GET)."""
    method = "GET" if method == "HEAD" else method
    return next((op for regex, m, op in _TABLE if m == method and regex.match(path)), None)


def absent_in_version(version: str, operation: str | None, path: str) -> list[str] | None:
    """A30: when `version` lacks the `operation` (``operation_of`` the request), the methods it
    has for the path (the Allow list)."""
    if operation is None or versions.has_operation(version, operation):
        return None
    allowed = {m for regex, m, op in _TABLE if regex.match(path) and versions.has_operation(version, op)}
    if "GET" in allowed:
        allowed.add("HEAD")
    return sorted(allowed)


def allowed_in_version(version: str | None, path: str, methods: list[str]) -> list[str]:
    """A30 for a wrong method: of the path's `methods`, those `version` has (every one when the
    version is missing or unknown: its own error comes later)."""
    if not version or version not in versions.PUBLISHED_VERSIONS:
        return methods
    kept = [method for method in methods
            if (operation := operation_of("GET" if method == "HEAD" else method, path)) is None
            or versions.has_operation(version, operation)]
    return kept


def presenting(version: str | None, operation: str | None, send: Send) -> Send:
    """`send`, or a `send` that rewrites a successful JSON body of `operation` (``operation_of``
    the request) into `version`'s shape."""
    if version is None or operation is None or not versions.reshapes(version, operation):
        return send
    held: dict[str, Any] = {"start": None, "chunks": []}

    async def send_presented(message: Message) -> None:
        if message["type"] == "http.response.start":
            if not 200 <= message["status"] < 300:
                await send(message)
                return
            held["start"] = message
            return
        if message["type"] != "http.response.body" or held["start"] is None:
            await send(message)
            return
        held["chunks"].append(message.get("body", b""))
        if message.get("more_body", False):
            return
        body = b"".join(held["chunks"])
        try:
            payload = json.loads(body)
        except ValueError:
            payload = None
        start = held["start"]
        if payload is not None:  # (a HEAD answer has no body: its headers stay as they are)
            body = json.dumps(versions.present(version, operation, payload), ensure_ascii=False,
                              allow_nan=False, separators=(",", ":")).encode()
            MutableHeaders(scope=start)["content-length"] = str(len(body))
        await send(start)
        await send({"type": "http.response.body", "body": body, "more_body": False})

    return send_presented
