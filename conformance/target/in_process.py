"""Calls to an in-process ASGI app, run in the calling thread.

Starlette's TestClient and schemathesis' ASGI client both run the app on an event loop in
another thread and hand every request across (a blocking portal): each request then costs
two thread switches, and under the GIL a thread that waits for the other gets the interpreter
back only after the switch interval (5 ms), so the suite's profile showed about a third of its
run time in `_write_to_self` and lock waits, not in the suite or the emulator. Here the app runs
on an event loop owned by the calling thread (`run_until_complete`), the same ASGI messages,
no thread switch. Used for the in-process targets (`emulator`, `asgi:...`) only.

- `InProcessTransport`: an httpx transport (scenarios, tokens, the control plane);
- `RequestsAdapter`: the same for a requests session, mounted on the session schemathesis sends
  cases through (`conformance.property.compat.in_process_session`).
"""

from __future__ import annotations

import asyncio
import importlib.util
import io
import sys
import threading
from typing import Any

import httpx
import requests
import requests.adapters
import urllib3

_local = threading.local()

# httpx's ASGI transport asks, for every request, whether trio is running by importing sniffio
# (`httpx._transports.asgi.is_running_trio`, once per request). sniffio comes with trio, not
# with us: where it is not installed, each ask is a failed import, a search of every sys.path
# entry, 5% of a worker's test time in the quick profile (py-spy). A `None` in sys.modules is
# Python's own "not importable" answer, given at once: the same ImportError, so the same result.
if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
    sys.modules["sniffio"] = None  # type: ignore[assignment]


def _loop() -> asyncio.AbstractEventLoop:
    """This thread's event loop for in-process calls (one per thread, kept for the process)."""
    loop = getattr(_local, "loop", None)
    if loop is None or loop.is_closed():
        loop = _local.loop = asyncio.new_event_loop()
    return loop


class InProcessTransport(httpx.BaseTransport):
    """Send each request to `app` on this thread's event loop (httpx's own ASGI transport)."""

    def __init__(self, app: Any) -> None:
        # Like TestClient(raise_server_exceptions=False): an exception in the app is a 500.
        self._asgi = httpx.ASGITransport(app=app, raise_app_exceptions=False)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        sendable = httpx.Request(request.method, request.url, headers=request.headers, content=body,
                                 extensions=request.extensions)

        async def call() -> tuple[int, httpx.Headers, bytes]:
            response = await self._asgi.handle_async_request(sendable)
            return response.status_code, response.headers, b"".join([chunk async for chunk in response.aiter_raw()])

        status, headers, content = _loop().run_until_complete(call())
        # httpx decodes the body again from these headers: the ASGI app's bytes are as sent.
        return httpx.Response(status, headers=headers, content=content, request=request)


class RequestsAdapter(requests.adapters.HTTPAdapter):
    """requests' side: a PreparedRequest in, the app's answer as a requests.Response out."""

    def __init__(self, app: Any) -> None:
        super().__init__()
        self._transport = InProcessTransport(app)

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        body = request.body
        content = body.encode("utf-8") if isinstance(body, str) else (body or b"")
        if not isinstance(content, bytes):  # a generator or file: read it whole
            content = b"".join(chunk.encode("utf-8") if isinstance(chunk, str) else chunk for chunk in content)
        answer = self._transport.handle_request(
            httpx.Request(str(request.method), str(request.url), headers=list(request.headers.items()),
                          content=content))
        headers = list(answer.headers.multi_items())
        raw = urllib3.HTTPResponse(
            body=io.BytesIO(answer.content if request.method != "HEAD" else b""), headers=headers,
            status=answer.status_code, reason=answer.reason_phrase, version=11, preload_content=False,
            decode_content=False, request_method=request.method, original_response=_Original(headers))
        return self.build_response(request, raw)

    def close(self) -> None:
        pass


class _Original:
    """What requests reads cookies from (urllib3's original response)."""

    def __init__(self, headers: list[tuple[str, str]]) -> None:
        self.msg = _Headers(headers)

    def isclosed(self) -> bool:
        return True

    def close(self) -> None:
        pass


class _Headers:
    def __init__(self, headers: list[tuple[str, str]]) -> None:
        self.headers = headers

    def get_all(self, name: str, default: list[str] | None = None) -> list[str] | None:
        return [value for key, value in self.headers if key.lower() == name.lower()] or default
