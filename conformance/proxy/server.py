"""Run the proxy: uvicorn on a pre-bound loopback socket, reports on SIGINT/SIGTERM/SIGUSR1.

The socket is bound before uvicorn starts, so the port is known (and connectable) at once,
also with `--port 0`. uvicorn's own signal handling is switched off: it would re-raise the
signal after shutting down and end the process before the reports are written.
`running_proxy` runs the same thing in a background thread, for tests and embedding.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import threading
import time
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn

from conformance.openapi.contract import Contract, spec_contract
from conformance.proxy.forward import ProxyApp
from conformance.proxy.inspector import Inspector
from conformance.proxy.recorder import Recorder, Traffic
from conformance.proxy.recording import ProxyRecording
from conformance.proxy.reports import write_reports
from conformance.proxy.upstream import Upstream
from conformance.proxy.fail_on import FailOn, exit_code
from conformance.openapi.catalog import BASE_PATH
from conformance.openapi.files import spec_sha256

LOOPBACK = "127.0.0.1"
GRACEFUL_SHUTDOWN_SECONDS = 5


class ProxySession:
    """One proxy: the app, what it has seen, and the reports of it."""

    def __init__(self, upstream: Upstream, report_dir: Path, fail_on: FailOn, contract: Contract | None = None,
                 upstream_timeout: float | None = None, record: bool = False) -> None:
        self.upstream = upstream
        self.report_dir = report_dir
        self.fail_on = fail_on
        self.contract = contract or spec_contract()
        self.recorder = Recorder()
        self.inspector = Inspector(self.contract, self.recorder, assumptions_bind=upstream.is_emulator)
        # `record`: every forwarded exchange also goes, redacted, to exchanges.har in report_dir.
        self.recording = (ProxyRecording(report_dir, upstream.base_url, upstream.is_emulator, spec_sha256())
                          if record else None)
        self.app = ProxyApp(upstream, self.inspector, self.write_reports, upstream_timeout=upstream_timeout,
                            record=self.recording.record if self.recording is not None else None)
        self.listen = ""
        self._write_lock = threading.Lock()

    def traffic(self) -> Traffic:
        return self.recorder.snapshot()

    def settled_traffic(self, timeout: float = 300.0) -> Traffic:
        """What was seen once every exchange under way has been judged (from outside the server's
        thread: the service may hold its answer before the proxy has checked it)."""
        deadline = time.monotonic() + timeout
        while self.app.in_flight and time.monotonic() < deadline:
            time.sleep(0.001)
        return self.traffic()

    def write_reports(self, final: bool = False) -> dict[str, Any]:
        """The reports (and exchanges.har, with --record) so far; `final`: the proxy has stopped."""
        meta = {"upstream": self.upstream.base_url, "upstream_is_emulator": self.upstream.is_emulator,
                "listen": self.listen, "started_at": self.recorder.started_at, "spec_sha256": spec_sha256()}
        with self._write_lock:
            if self.recording is not None:
                self.recording.write(final=final)
            return write_reports(self.report_dir, self.traffic(), self.contract.catalog, meta, self.fail_on)

    def exit_code(self) -> int:
        return exit_code(self.traffic(), self.fail_on)


def bind_loopback(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1:`port` (0: any free port); OSError when it is taken."""
    # proto IPPROTO_TCP, not 0: asyncio switches Nagle off (TCP_NODELAY) only on sockets that say
    # so, and with Nagle on, the headers-then-body writes of every answer meet the client's
    # delayed ACK: about 40 ms per request.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((LOOPBACK, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)
    return sock


def base_url_of(sock: socket.socket) -> str:
    return f"http://{LOOPBACK}:{sock.getsockname()[1]}{BASE_PATH}"


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: the proxy decides what a signal means."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _server(session: ProxySession) -> _Server:
    return _Server(uvicorn.Config(session.app, lifespan="off", log_level="warning", access_log=False,
                                  http=_counting_protocol(session),
                                  timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS))


def _counting_protocol(session: ProxySession) -> type:
    """uvicorn's HTTP protocol, with the requests its parser refuses (answered 400 before the app
    sees them: NUL or control bytes in the request line or a header) counted in the report."""
    from uvicorn.protocols.http.auto import AutoHTTPProtocol

    class CountingProtocol(AutoHTTPProtocol):  # type: ignore[misc, valid-type]
        def send_400_response(self, msg: str) -> None:
            session.recorder.malformed(msg)
            super().send_400_response(msg)

    return CountingProtocol


def _run(server: _Server, main: Coroutine[Any, Any, None]) -> None:
    """Run `main` on the event loop uvicorn would pick (uvloop when installed)."""
    with asyncio.Runner(loop_factory=server.config.get_loop_factory()) as runner:
        runner.run(main)


def serve_until_signalled(session: ProxySession, sock: socket.socket) -> int:
    """Serve in this (main) thread until SIGINT or SIGTERM; write the reports; return the exit code.

    SIGUSR1 writes the reports without stopping; so does `GET /_proxy/report`.
    """
    session.listen = base_url_of(sock)
    server = _server(session)

    def stop() -> None:
        if server.should_exit:
            server.force_exit = True  # a second Ctrl-C: stop waiting for open connections
        server.should_exit = True

    async def main() -> None:
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGINT, stop)
        loop.add_signal_handler(signal.SIGTERM, stop)
        if hasattr(signal, "SIGUSR1"):
            loop.add_signal_handler(signal.SIGUSR1, session.write_reports)
        try:
            await server.serve(sockets=[sock])
        finally:
            await session.app.aclose()

    _run(server, main())
    session.write_reports(final=True)
    return session.exit_code()


@dataclass
class RunningProxy:
    base_url: str  # what the service uses instead of the upstream's base URL (ends in /v1)
    session: ProxySession


@contextlib.contextmanager
def running_proxy(upstream: Upstream, report_dir: Path, fail_on: FailOn = FailOn.request,
                  port: int = 0, upstream_timeout: float | None = None,
                  record: bool = False) -> Iterator[RunningProxy]:
    """The proxy in a background thread; on exit it stops and writes its reports."""
    sock = bind_loopback(port)
    session = ProxySession(upstream, report_dir, fail_on, upstream_timeout=upstream_timeout, record=record)
    session.listen = base_url_of(sock)
    server = _server(session)

    async def main() -> None:
        try:
            await server.serve(sockets=[sock])
        finally:
            await session.app.aclose()

    thread = threading.Thread(target=_run, args=(server, main()), name=f"proxy-{sock.getsockname()[1]}",
                              daemon=True)
    thread.start()
    deadline = time.monotonic() + 300  # a hang guard: a busy machine may start the thread slowly
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the proxy did not start")
        time.sleep(0.01)
    try:
        yield RunningProxy(base_url=session.listen, session=session)
    finally:
        server.should_exit = True
        thread.join(timeout=GRACEFUL_SHUTDOWN_SECONDS + 5)
        sock.close()
        session.write_reports(final=True)
