"""The proxy under bad input: every hostile or broken exchange gets a clear answer and a line in
the report, never a hang or a traceback (issue 18, item 4).

- What the HTTP parser refuses (NUL or control bytes in the path or a header): 400 from the proxy,
  not forwarded, counted under "problems".
- What parses (an oversized body, invalid JSON, invalid UTF-8, a percent-encoded NUL, a control
  byte uvicorn lets through in a header value): forwarded; the upstream's documented 4xx goes back
  and the exchange is recorded.
- An upstream that resets the connection: 502; one that never answers: 504; both with a body
  saying the upstream gave no answer, and a problem line.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conformance.proxy.server import RunningProxy, running_proxy
from conformance.proxy.upstream import Upstream
from tests.proxy.helpers import Service

HEADERS = (b"Host: proxy\r\nx-monite-version: 2024-05-25\r\n"
           b"x-monite-entity-id: 9d2b4c8f-2087-4738-ba91-7359683c49a4\r\n")


def _raw(base_url: str, data: bytes) -> bytes:
    """Send bytes as they are (no client would let us) and read the whole answer."""
    host, port = base_url.split("//", 1)[1].split("/", 1)[0].split(":")
    with socket.create_connection((host, int(port)), timeout=60) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


@pytest.mark.parametrize("request_bytes", [
    b"GET /v1/ledger_accounts/a\x00b HTTP/1.1\r\n" + HEADERS + b"\r\n",
    b"GET /v1/ledger_accounts/a\x01b HTTP/1.1\r\n" + HEADERS + b"\r\n",
    b"GET /v1/ledger_accounts/a\x7fb HTTP/1.1\r\n" + HEADERS + b"\r\n",
    b"GET /v1/ledger_accounts HTTP/1.1\r\n" + HEADERS + b"x-note: a\x00b\r\n\r\n",
    b"GET /v1/ledger_accounts HTTP/1.1\r\n" + HEADERS + b"x-no\x01te: ab\r\n\r\n",
    b"GET /v1/ledger_accounts HTTP/1.1\r\n" + HEADERS + b"x-note: a\r\x0bb\r\n\r\n",
], ids=["nul-in-path", "control-in-path", "del-in-path", "nul-in-header", "control-in-header-name",
        "bare-cr-in-header"])
def test_what_the_parser_refuses_is_a_400_and_a_report_line(proxy: RunningProxy, request_bytes: bytes) -> None:
    answer = _raw(proxy.base_url, request_bytes)
    assert _status(answer) == 400, answer
    assert b"Traceback" not in answer
    traffic = proxy.session.settled_traffic()
    assert [line for line in traffic.problems if line.startswith("malformed HTTP request, answered 400")], traffic.problems
    assert traffic.statuses == {}  # nothing reached the upstream


@pytest.mark.parametrize(("body", "expected"), [
    (b"{" + b" " * (6 * 1024 * 1024) + b"}", 413),  # over the emulator's documented 1 MiB
    (b"{oops", 422),
    (b'{"name": "\xff\xfe"}', 422),
    (b'{"name": "a\x00b\x01c"}', 422),
], ids=["oversized", "invalid-json", "invalid-utf8", "control-bytes-in-json"])
def test_bad_bodies_get_the_upstreams_4xx_and_are_recorded(proxy: RunningProxy, service: Service, body: bytes,
                                                           expected: int) -> None:
    answer = service.http.post("/ledger_accounts", content=body,
                               headers={**service.headers(), "content-type": "application/json"})
    assert answer.status_code == expected, answer.text
    assert {"error", "detail"} & set(answer.json())  # the upstream's error body, passed through
    traffic = proxy.session.settled_traffic()
    assert traffic.statuses["createLedgerAccount"][expected] == 1
    assert traffic.problems == {}


def test_a_percent_encoded_nul_in_the_path_is_forwarded_and_answered(proxy: RunningProxy, service: Service) -> None:
    answer = service.http.get("/ledger_accounts/a%00b", headers=service.headers())
    assert answer.status_code in (404, 422), answer.text  # the upstream's documented answer
    assert proxy.session.settled_traffic().exchanges >= 2  # the token, then this call


# -- upstreams that break ---------------------------------------------------------------------

@contextlib.contextmanager
def _bad_upstream(behaviour: str) -> Iterator[tuple[str, threading.Event]]:
    """A loopback server that reads each request, then resets the connection or never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    got_request = threading.Event()
    release = threading.Event()
    held: list[socket.socket] = []

    def serve() -> None:
        while not release.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                return
            conn.recv(65536)
            got_request.set()
            if behaviour == "reset":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                conn.close()
            else:
                held.append(conn)  # never answers

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}/v1", got_request
    finally:
        release.set()
        server.close()
        for conn in held:
            conn.close()


def test_an_upstream_that_resets_the_connection_gives_a_502(tmp_path: Path) -> None:
    with _bad_upstream("reset") as (upstream, got_request), \
            running_proxy(Upstream(upstream), tmp_path / "reports") as proxy:
        answer = httpx.get(f"{proxy.base_url}/accounting_tax_rates", timeout=60)
        assert got_request.is_set()
        assert answer.status_code == 502
        assert "upstream gave no answer" in answer.json()["error"]["message"]
        problems = proxy.session.settled_traffic().problems
        assert [line for line in problems if line.startswith("GET /v1/accounting_tax_rates: upstream gave no answer")]


def test_an_upstream_that_never_answers_gives_a_504(tmp_path: Path) -> None:
    # The upstream timeout is short here so the test is quick; nothing asserts how long it took.
    with _bad_upstream("silent") as (upstream, got_request), \
            running_proxy(Upstream(upstream), tmp_path / "reports", upstream_timeout=0.5) as proxy:
        answer = httpx.get(f"{proxy.base_url}/accounting_tax_rates", timeout=120)
        assert got_request.is_set()
        assert answer.status_code == 504
        assert "upstream gave no answer (ReadTimeout)" in answer.json()["error"]["message"]
        problems = proxy.session.settled_traffic().problems
        assert "GET /v1/accounting_tax_rates: upstream gave no answer (ReadTimeout)" in problems
