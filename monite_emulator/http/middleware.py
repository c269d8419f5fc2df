"""The steps every request goes through before its route, one method each, in the check order
of docs/design.md ("Shared wire contract"):

1. ``route``          404 unknown path, 405 wrong method with ``Allow`` (A9)
2. ``read_body``      413 over 1 MiB (A18)
3. ``run_due_jobs``   the sync and push jobs that are due run now (design: "Sync simulation")
4. ``inject_fault``   a matching fault rule answers instead, or delays, or drops (emulator only;
                      nothing happens unless a rule was added)
5. ``check_version``  400 missing or unknown ``x-monite-version`` (A1)
6. ``authenticate``   401 missing, unknown or expired bearer token (A2)
7. ``limit_rate``     429 over the rate limit, with ``Retry-After`` (A17)
-> the route: request validation (422), entity permission (403), business rules (404, 409).

Steps 4-7 apply to ``/v1`` only. ``decorate`` adds to every answer ``x-request-id``,
``x-process-time``, the echoed ``x-monite-version`` / ``x-monite-entity-id`` and, under ``/v1``,
the rate-limit headers. A last-resort handler turns any crash into a 500 error body.

Pure ASGI (no ``BaseHTTPMiddleware``) and no thread hops: the model's SQLite calls are short
and run on the event loop.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import random
import re
import time
from typing import Any

import anyio
import httpx
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from monite_emulator.http import versioning
from monite_emulator.http.direct import DirectRoute, Key, is_canonical_entity
from monite_emulator.http.route_table import Match, RouteTable
from monite_emulator.model.auth import Principal
from monite_emulator.model.emulator import Emulator
from monite_emulator.model.errors import DomainError
from monite_emulator.model.faults import FaultRule, answer_message
from monite_emulator.model.ratelimit import Decision
from monite_emulator.model.versions import PUBLISHED_VERSIONS

log = logging.getLogger("monite_emulator")
fault_log = logging.getLogger("monite_emulator.faults")

KNOWN_VERSIONS = PUBLISHED_VERSIONS  # A1: any other date is refused
TOKEN_PATH = "/v1/auth/token"
FAULT_HEADER = "x-emulator-fault"
SERVER_REF = "monite_emulator.server"  # scope key: a weak reference to the server's request object (app.EmulatorApp)
_ECHO_MAX = 128
_PRINTABLE = re.compile(r"^[\x20-\x7e]*$")

Answer = tuple[int, bytes, dict[str, str]]


@functools.lru_cache(maxsize=64)
def _header_name(name: str) -> bytes:
    return name.lower().encode()


def _echoable(value: str | None) -> bool:
    """Echo a request header only when it is short printable ASCII (never a hostile value)."""
    return value is not None and len(value) <= _ECHO_MAX and bool(_PRINTABLE.match(value))


def _error(status: int, message: str, type_: str | None = None, headers: dict[str, str] | None = None) -> Answer:
    err: dict[str, Any] = {"type": type_, "message": message} if type_ else {"message": message}
    return status, json.dumps({"error": err}).encode(), headers or {}


class RequestIds:
    """Unique ``x-request-id`` values: random (version 4) uuids from a generator of the emulator's
    own, seeded from the OS. ``uuid.uuid4()`` asks the OS for bytes and checks them in pure
    Python on every answer (a quarter of ``decorate``); these ids must be unique, not secret,
    and a generator of our own is not reset by a test that seeds ``random`` (hypothesis does)."""

    _VERSION_4 = (0x4 << 76) | (0x2 << 62)  # version 4, RFC 4122 variant
    _KEEP = ~((0xF << 76) | (0x3 << 62)) & ((1 << 128) - 1)

    def __init__(self) -> None:
        self._bits = random.Random(os.urandom(32)).getrandbits

    def next(self) -> bytes:
        h = f"{self._bits(128) & self._KEEP | self._VERSION_4:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}".encode()


class Call:
    """What the steps know about one request."""

    __slots__ = ("scope", "start", "path", "method", "is_api", "version", "entity", "token", "content_length",
                 "rate_key", "rate_headers", "match", "fault", "body", "started", "principal",
                 "operation")

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.start = time.perf_counter()
        self.path: str = scope["path"]
        self.method: str = scope["method"]
        self.is_api = self.path == "/v1" or self.path.startswith("/v1/")
        version = entity = authorization = length = None
        for name, value in scope["headers"]:  # ASGI header names are lower case; the first one counts
            if name == b"x-monite-version" and version is None:
                version = value.decode("latin-1")
            elif name == b"x-monite-entity-id" and entity is None:
                entity = value.decode("latin-1")
            elif name == b"authorization" and authorization is None:
                authorization = value.decode("latin-1")
            elif name == b"content-length" and length is None:
                length = value.decode("latin-1")
        self.version, self.entity, self.content_length = version, entity, length
        scheme, _, token = (authorization or "").partition(" ")
        self.token = token.strip() if scheme.lower() == "bearer" else ""
        client = (scope.get("client") or ("local", 0))[0]
        self.rate_key = f"token:{self.token}" if self.token else f"client:{client}"
        self.rate_headers: dict[str, str] = {}
        self.match: Match | None = None
        self.fault: FaultRule | None = None
        self.body = b""
        self.started = False
        self.principal: Principal | None = None
        self.operation: str | None = None  # the documented operation ("METHOD /path") of an API call


class MoniteMiddleware:
    def __init__(self, app: ASGIApp, emulator: Emulator, route_table: RouteTable,
                 direct: dict[Key, DirectRoute] | None = None) -> None:
        self.app = app
        self.emulator = emulator
        self.table = route_table
        self.direct = direct or {}
        self.request_ids = RequestIds()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        call = Call(scope)

        async def send_decorated(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.decorate(call, message)
            await send(message)

        try:
            answer = self.route(call)
            if answer is None:
                answer = await self.read_body(call, receive)
                if call.body is None:  # the client went away
                    return
            if answer is None:
                self.run_due_jobs(call)
                if call.is_api:
                    answer = await self.inject_fault(call)
                    if call.body is None:  # the fault dropped the connection
                        return
                    answer = (answer or self.check_version(call) or self.check_operation_in_version(call)
                              or self.authenticate(call) or self.limit_rate(call))
            if answer is not None:
                await self.respond(answer, send_decorated)
                return
            presented = versioning.presenting(call.version if call.is_api else None, call.operation, send_decorated)
            direct = self.direct_route(call)
            if direct is not None:
                await direct.call(scope, self.replay(call, receive), presented, call.match.params,  # type: ignore[union-attr]
                                  self.emulator, call.principal, call.entity, call.version)  # type: ignore[arg-type]
            else:
                await self.app(scope, self.replay(call, receive), presented)
        except httpx.RemoteProtocolError:  # a dropped connection, in-process (see drop_connection)
            raise
        except Exception:  # last resort: never leak a traceback, never hang
            log.exception("unhandled error on %s %s", call.method, call.path)
            if not call.started:
                await self.respond(_error(500, "Internal server error"), send_decorated)

    # --- 1. routing (A9) ---------------------------------------------------------------
    def route(self, call: Call) -> Answer | None:
        call.match = self.table.match(call.method, call.path)
        if call.match.route is not None:
            return None
        if call.match.allow:
            allow = versioning.allowed_in_version(call.version, call.path, list(call.match.allow))
            return _error(405, f"Method {call.method} not allowed", headers={"Allow": ", ".join(allow)})
        return _error(404, f"Not found: {call.path}")

    # --- 2. body size (A18) --------------------------------------------------------------
    async def read_body(self, call: Call, receive: Receive) -> Answer | None:
        """Read the whole body (at most the limit); None in ``call.body`` when the client left."""
        limit = self.emulator.settings.max_body_bytes
        if call.content_length is not None:
            try:
                if int(call.content_length) > limit:
                    return _error(413, "Request body too large (limit 1 MiB)")
            except ValueError:
                return _error(400, "Malformed Content-Length")
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                call.body = None  # type: ignore[assignment]
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return _error(413, "Request body too large (limit 1 MiB)")
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        call.body = b"".join(chunks)
        return None

    # --- 3. due jobs -------------------------------------------------------------------------
    def run_due_jobs(self, call: Call) -> None:
        self.emulator.run_due_jobs()

    # --- 4. fault rules (emulator only) ------------------------------------------------------------
    async def inject_fault(self, call: Call) -> Answer | None:
        route = call.match.route if call.match else None
        if route is None:
            return None
        rule = self.emulator.http_fault(call.match.operation_ids(call.method), call.method,  # type: ignore[union-attr]
                                        call.path, route.template)
        if rule is None:
            return None
        call.fault = rule
        what = f"status {rule.status}" if rule.kind == "status" else rule.kind
        fault_log.warning("fault %s (%s) injected into %s %s", rule.id, what, call.method, call.path)
        if rule.delay_seconds:
            await anyio.sleep(rule.delay_seconds)
        if rule.kind == "drop":
            await self.drop_connection(call)
            return None
        if rule.kind != "status":
            return None  # a delay: the call goes on as usual
        status = rule.status or 500
        headers: dict[str, str] = {}
        if status == 429:
            call.rate_headers = Decision(False, self.emulator.limiter.per_second, 0, rule.retry_after or 1).headers()
        elif rule.retry_after is not None:
            headers["Retry-After"] = str(rule.retry_after)
        if status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        return _error(status, answer_message(rule), headers=headers)

    async def drop_connection(self, call: Call) -> None:
        """Close the connection without an answer. Served by uvicorn: close its transport;
        in-process (ASGI transports of httpx): raise what httpx raises for a dropped connection."""
        ref = call.scope.get(SERVER_REF)
        cycle = ref() if ref is not None else None
        transport = getattr(cycle, "transport", None)
        if transport is None:
            raise httpx.RemoteProtocolError("Server disconnected without sending a response (emulated fault)")
        transport.close()
        for _ in range(100):  # let the server notice, so it does not answer 500 in our place
            if getattr(cycle, "disconnected", True):
                break
            await anyio.sleep(0)
        call.body = None  # type: ignore[assignment]

    # --- 5. version (A1) -----------------------------------------------------------------------
    def check_version(self, call: Call) -> Answer | None:
        if not call.version:
            return _error(400, "Missing the x-monite-version HTTP header", "missing_api_version")
        if call.version not in KNOWN_VERSIONS:
            return _error(400, f"Unsupported API version; known versions: {', '.join(KNOWN_VERSIONS)}",
                          "unsupported_api_version")
        return None

    def check_operation_in_version(self, call: Call) -> Answer | None:
        """A30: an operation the request's version does not have is a 405 with its Allow list."""
        call.operation = versioning.operation_of(call.method, call.path)
        allow = versioning.absent_in_version(call.version, call.operation, call.path)
        if allow is None:
            return None
        return _error(405, f"{call.method} {call.path} is not part of API version {call.version}",
                      headers={"Allow": ", ".join(allow)})

    # --- 6. bearer token (A2); /auth/token needs none ---------------------------------------------------
    def authenticate(self, call: Call) -> Answer | None:
        if call.path == TOKEN_PATH:
            return None
        try:
            principal = self.emulator.authenticate(call.token)
        except DomainError as exc:
            return _error(exc.status, exc.message, headers={"WWW-Authenticate": "Bearer"})
        call.scope.setdefault("state", {})["principal"] = principal
        call.principal = principal
        return None

    # --- 7. rate limit (A17) ---------------------------------------------------------------------
    def limit_rate(self, call: Call) -> Answer | None:
        decision = self.emulator.limiter.hit(call.rate_key)
        call.rate_headers = decision.headers()
        if not decision.allowed:
            return _error(429, "Too many requests; retry after the Retry-After seconds")
        return None

    # --- the route -------------------------------------------------------------------------------
    def direct_route(self, call: Call) -> DirectRoute | None:
        """The endpoint to call without FastAPI (monite_emulator.http.direct), when FastAPI
        would have nothing to validate: an authenticated API call with a canonical entity id."""
        if call.principal is None or call.match is None or call.match.route is None or call.scope.get("root_path"):
            return None
        direct = self.direct.get((call.match.route.template, call.method))
        if direct is None or not is_canonical_entity(call.entity):
            return None
        return direct

    # --- answers -------------------------------------------------------------------------------------
    def decorate(self, call: Call, message: Message) -> None:
        """The headers every answer carries (docs/design.md, "Response headers")."""
        call.started = True
        headers = list(message.get("headers", ()))
        headers.append((b"x-request-id", self.request_ids.next()))
        headers.append((b"x-process-time", f"{time.perf_counter() - call.start:.6f}".encode()))
        if _echoable(call.version):
            headers.append((b"x-monite-version", call.version.encode()))  # type: ignore[union-attr]
        if _echoable(call.entity):
            headers.append((b"x-monite-entity-id", call.entity.encode()))  # type: ignore[union-attr]
        if call.is_api:
            rate = call.rate_headers or self.emulator.limiter.hit(call.rate_key, consume=False).headers()
            headers.extend((_header_name(name), value.encode()) for name, value in rate.items())
        if call.fault is not None:
            headers.append((FAULT_HEADER.encode(), call.fault.id.encode()))
        message["headers"] = headers

    @staticmethod
    async def respond(answer: Answer, send: Send) -> None:
        status, body, more = answer
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        headers.extend((name.lower().encode(), value.encode()) for name, value in more.items())
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    @staticmethod
    def replay(call: Call, receive: Receive) -> Receive:
        """The route reads the body the middleware already read."""
        replayed = False

        async def receive_again() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": call.body, "more_body": False}
            return await receive()

        return receive_again
