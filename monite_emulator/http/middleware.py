"""The cross-cutting checks, in the order of docs/design.md:

routing (404/405, A9) -> body size (413, A18) -> x-monite-version (400, A1) -> bearer token
(401, A2) -> rate limit (429, A17) -> [route: validation 422 -> entity 403 -> business rules].

Also: due sync/push jobs run at the start of every request; every response gets
x-request-id, x-process-time, the echoed x-monite-version / x-monite-entity-id, and (under
/v1) the rate-limit headers. A last-resort handler turns any crash into a 500 error body.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any

import anyio.to_thread
from starlette.datastructures import Headers, MutableHeaders
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from monite_emulator.http import versioning
from monite_emulator.model.errors import DomainError
from monite_emulator.model.emulator import Emulator
from monite_emulator.model.versions import PUBLISHED_VERSIONS

log = logging.getLogger("monite_emulator")

KNOWN_VERSIONS = PUBLISHED_VERSIONS  # A1: any other date is refused
TOKEN_PATH = "/v1/auth/token"
_ECHO_MAX = 128
_PRINTABLE = re.compile(r"^[\x20-\x7e]*$")


def _echoable(value: str | None) -> bool:
    """Echo a request header only when it is short printable ASCII (never a hostile value)."""
    return value is not None and len(value) <= _ECHO_MAX and bool(_PRINTABLE.match(value))


def _body(status: int, message: str, type_: str | None = None) -> bytes:
    err: dict[str, Any] = {"type": type_, "message": message} if type_ else {"message": message}
    return json.dumps({"error": err}).encode()


class MoniteMiddleware:
    def __init__(self, app: ASGIApp, emulator: Emulator, route_table: list[tuple[str, set[str]]]) -> None:
        self.app = app
        self.emulator = emulator
        self.table = []
        for path, methods in route_table:
            regex, _, _ = compile_path(path)
            methods = set(methods)
            if "GET" in methods:
                methods.add("HEAD")
            self.table.append((regex, methods))

    def _route(self, scope: Scope) -> tuple[str, list[str]]:
        path, method = scope["path"], scope["method"]
        allowed: set[str] = set()
        for regex, methods in self.table:
            if regex.match(path):
                if method in methods:
                    return "ok", []
                allowed |= methods
        if allowed:
            return "405", sorted(allowed)
        return "404", []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        emu = self.emulator
        headers = Headers(scope=scope)
        path: str = scope["path"]
        is_api = path == "/v1" or path.startswith("/v1/")
        version = headers.get("x-monite-version")
        entity = headers.get("x-monite-entity-id")
        auth = headers.get("authorization", "")
        scheme, _, token = auth.partition(" ")
        token = token.strip() if scheme.lower() == "bearer" else ""
        client = (scope.get("client") or ("local", 0))[0]
        rl_key = f"token:{token}" if token else f"client:{client}"
        extra: dict[str, str] = {}
        state = {"started": False}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["started"] = True
                h = MutableHeaders(scope=message)
                h["x-request-id"] = str(uuid.uuid4())
                h["x-process-time"] = f"{time.perf_counter() - start:.6f}"
                if _echoable(version):
                    h["x-monite-version"] = version
                if _echoable(entity):
                    h["x-monite-entity-id"] = entity
                if is_api:
                    rl = extra or emu.limiter.hit(rl_key, consume=False).headers()
                    for k, v in rl.items():
                        h[k] = v
            await send(message)

        async def respond(status: int, body: bytes, more: dict[str, str] | None = None) -> None:
            hdrs = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
            for k, v in (more or {}).items():
                hdrs.append((k.lower().encode(), v.encode()))
            await send_wrapper({"type": "http.response.start", "status": status, "headers": hdrs})
            await send_wrapper({"type": "http.response.body", "body": body})

        try:
            # 1. routing
            verdict, allow = self._route(scope)
            if verdict == "404":
                await respond(404, _body(404, f"Not found: {path}"))  # A9
                return
            if verdict == "405":
                await respond(405, _body(405, f"Method {scope['method']} not allowed"),
                              {"Allow": ", ".join(allow)})  # A9
                return
            # 2. body size (A18)
            limit = emu.settings.max_body_bytes
            declared = headers.get("content-length")
            if declared is not None:
                try:
                    if int(declared) > limit:
                        await respond(413, _body(413, "Request body too large (limit 1 MiB)"))
                        return
                except ValueError:
                    await respond(400, _body(400, "Malformed Content-Length"))
                    return
            chunks: list[bytes] = []
            size = 0
            disconnected = False
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    disconnected = True
                    break
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > limit:
                    await respond(413, _body(413, "Request body too large (limit 1 MiB)"))
                    return
                chunks.append(chunk)
                if not message.get("more_body", False):
                    break
            if disconnected:
                return
            body = b"".join(chunks)
            replayed = {"done": False}

            async def replay() -> Message:
                if not replayed["done"]:
                    replayed["done"] = True
                    return {"type": "http.request", "body": body, "more_body": False}
                return await receive()

            # jobs that are due run now (design: "at the start of every request")
            await anyio.to_thread.run_sync(emu.run_due_jobs)

            if is_api:
                # 3. version (A1)
                if not version:
                    await respond(400, _body(400, "Missing the x-monite-version HTTP header", "missing_api_version"))
                    return
                if version not in KNOWN_VERSIONS:
                    await respond(400, _body(
                        400, f"Unsupported API version; known versions: {', '.join(KNOWN_VERSIONS)}",
                        "unsupported_api_version"))
                    return
                allow = versioning.absent_in_version(version, scope["method"], path)  # A30
                if allow is not None:
                    await respond(405, _body(405, f"{scope['method']} {path} is not part of API version {version}"),
                                  {"Allow": ", ".join(allow)})
                    return
                # 4. bearer token (A2); /auth/token needs none
                if path != TOKEN_PATH:
                    try:
                        principal = await anyio.to_thread.run_sync(emu.authenticate, token)
                    except DomainError as exc:
                        await respond(exc.status, _body(exc.status, exc.message),
                                      {"WWW-Authenticate": "Bearer"})
                        return
                    scope.setdefault("state", {})["principal"] = principal
                # 5. rate limit (A17)
                decision = emu.limiter.hit(rl_key)
                extra.update(decision.headers())
                if not decision.allowed:
                    await respond(429, _body(429, "Too many requests; retry after the Retry-After seconds"))
                    return
            await self.app(scope, replay, versioning.presenting(version if is_api else None, scope, send_wrapper))
        except Exception:  # last resort: never leak a traceback, never hang
            log.exception("unhandled error on %s %s", scope.get("method"), path)
            if not state["started"]:
                await respond(500, _body(500, "Internal server error"))
