"""The proxy as a plain ASGI app: forward each request to the upstream, stream the answer back.

One pooled httpx transport (`httpx.AsyncHTTPTransport`, the connection pool inside an
`AsyncClient`) carries every request. Not the client itself: it would keep one cookie jar
for every caller and follow its own defaults, and its URL and header merging cost about
0.3 ms a request; a proxy passes things through as they are. Method, path, query, headers
(minus hop-by-hop ones) and body go through unchanged, and so do the status, headers and
raw (still encoded) body of the answer. Bodies are streamed; up to `BODY_LIMIT` of each is kept
for the checks, which run once the answer has gone back (`Inspector.inspect`).

With `record` (`proxy --record`), each judged exchange is then handed to it with the seconds
the upstream took (`conformance.proxy.recording`).

`/_proxy/report` (GET or POST) writes the reports now, `GET /_proxy/status` gives the counts
so far (a readiness check too); nothing under `/_proxy/` is forwarded.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

import httpx

from conformance.proxy.inspector import Inspector
from conformance.proxy.traffic import BODY_LIMIT, SeenRequest, SeenResponse, decoded, header_dict
from conformance.proxy.upstream import Upstream
from conformance.redaction import redact

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

CONTROL_PREFIX = "/_proxy/"
# RFC 9110 §7.6.1 connection-specific fields, and Host (httpx sets the upstream's).
HOP_BY_HOP = frozenset({b"connection", b"keep-alive", b"proxy-authenticate", b"proxy-authorization", b"te",
                        b"trailer", b"trailers", b"transfer-encoding", b"upgrade", b"host"})
TIMEOUT = httpx.Timeout(60.0, connect=10.0).as_dict()
LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)


class ProxyApp:
    def __init__(self, upstream: Upstream, inspector: Inspector, write_reports: Callable[[], dict[str, Any]],
                 upstream_timeout: float | None = None,
                 record: Callable[[SeenRequest, SeenResponse | None, float], None] | None = None) -> None:
        self.upstream = upstream
        self.record = record
        # How long an upstream may stay silent before the service gets 504 (None: TIMEOUT).
        self.timeout = TIMEOUT if upstream_timeout is None else httpx.Timeout(upstream_timeout).as_dict()
        self.inspector = inspector
        self.write_reports = write_reports
        self._transport: httpx.AsyncHTTPTransport | None = None
        self.in_flight = 0  # exchanges forwarded and not yet judged

    async def aclose(self) -> None:
        if self._transport is not None:
            await self._transport.aclose()
            self._transport = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return  # no lifespan work (the server runs with lifespan off); websockets are not proxied
        if scope["path"].startswith(CONTROL_PREFIX):
            await self._control(scope, send)
            return
        if self._transport is None:  # created in the server's event loop, on first use
            self._transport = httpx.AsyncHTTPTransport(limits=LIMITS)
        self.in_flight += 1
        try:
            await self._forward(self._transport, scope, receive, send)
        finally:
            self.in_flight -= 1

    async def _forward(self, transport: httpx.AsyncHTTPTransport, scope: Scope, receive: Receive, send: Send) -> None:
        body = await _read_body(receive)
        if body is None:
            return  # the service hung up before sending its body
        query = scope.get("query_string", b"").decode("latin-1")
        raw_path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
        url = self.upstream.url_for(raw_path, query)
        headers = [(name, value) for name, value in scope["headers"] if name.lower() not in HOP_BY_HOP]
        request = SeenRequest(method=scope["method"], path=scope["path"],
                              query=parse_qsl(query, keep_blank_values=True), headers=header_dict(headers),
                              body=body if isinstance(body, bytes) else None, upstream_url=url)
        started = time.monotonic()
        try:
            outgoing = httpx.Request(request.method, url, headers=headers, content=body,
                                     extensions={"timeout": self.timeout})
            answer = await transport.handle_async_request(outgoing)
        except httpx.HTTPError as exc:
            status = 504 if isinstance(exc, httpx.TimeoutException) else 502
            what = f"upstream gave no answer ({type(exc).__name__})"
            await _send_json(send, status, {"error": {"message": f"monite-conformance proxy: {what}"}})
            self.inspector.recorder.problem(request, what)
            self._inspect(request, None, time.monotonic() - started)
            return
        kept = bytearray()
        keep = True
        try:
            await send({"type": "http.response.start", "status": answer.status_code,
                        "headers": [(name.lower(), value) for name, value in answer.headers.raw
                                    if name.lower() not in HOP_BY_HOP]})
            pending: bytes | None = None
            async for chunk in answer.aiter_raw():
                if keep:
                    kept += chunk
                    if len(kept) > BODY_LIMIT:
                        keep, kept = False, bytearray()
                if pending is not None:
                    await send({"type": "http.response.body", "body": pending, "more_body": True})
                pending = chunk
            await send({"type": "http.response.body", "body": pending or b"", "more_body": False})
        except httpx.HTTPError as exc:
            self.inspector.recorder.problem(request, f"upstream broke off its answer ({type(exc).__name__})")
            return
        finally:
            await answer.aclose()
        response_headers = header_dict(answer.headers.raw)
        content = decoded(bytes(kept), response_headers.get("content-encoding")) if keep else None
        self._inspect(request, SeenResponse(status=answer.status_code, headers=response_headers, body=content),
                      time.monotonic() - started)

    def _inspect(self, request: SeenRequest, response: SeenResponse | None, elapsed: float) -> None:
        """Judge the exchange, then record it (after: judging learns its credentials, which the
        recording masks); a bug in either is reported, never allowed to break the proxying."""
        try:
            self.inspector.inspect(request, response)
            if self.record is not None:
                self.record(request, response, elapsed)
        except Exception as exc:  # noqa: BLE001 - the service's traffic must keep flowing
            what = f"the checks failed internally ({type(exc).__name__}: {exc})"
            self.inspector.recorder.problem(request, what)
            print(redact(f"monite-conformance proxy: {request.label}: {what}"), file=sys.stderr, flush=True)

    async def _control(self, scope: Scope, send: Send) -> None:
        name, method = scope["path"].rstrip("/")[len(CONTROL_PREFIX):], scope["method"]
        if name == "report" and method in ("GET", "POST"):
            await _send_json(send, 200, self.write_reports())
        elif name == "status" and method == "GET":
            traffic = self.inspector.recorder.snapshot()
            await _send_json(send, 200, {"upstream": self.upstream.base_url, "exchanges": traffic.exchanges,
                                         "request_violations": traffic.counts["request"],
                                         "response_violations": traffic.counts["response"],
                                         "observations": traffic.counts["observations"]})
        else:
            await _send_json(send, 404, {"error": {"message": "the proxy's own calls: GET /_proxy/status, "
                                                              "GET or POST /_proxy/report"}})


async def _read_body(receive: Receive) -> bytes | AsyncIterator[bytes] | None:
    """The whole body when it fits in BODY_LIMIT; else a stream of it (None: the client left)."""
    chunks: list[bytes] = []
    size, more = 0, True
    while more and size <= BODY_LIMIT:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        more = message.get("more_body", False)
    if not more:
        return b"".join(chunks)
    return _rest_of_body(chunks, receive)


async def _rest_of_body(first: list[bytes], receive: Receive) -> AsyncIterator[bytes]:
    for chunk in first:
        yield chunk
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        yield message.get("body", b"")
        if not message.get("more_body", False):
            return


async def _send_json(send: Send, status: int, payload: Any) -> None:
    body = json.dumps(payload).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
