"""Serve an ASGI app with uvicorn on a loopback socket bound *before* the server starts.

Binding first (port 0: the kernel picks a free port) and handing the socket to uvicorn
leaves no window in which another process could take the port, unlike "find a free port,
then start a server on it".
"""

from __future__ import annotations

import gc
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn


def bind(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening TCP socket on ``host:port`` (port 0: any free port).

    ``TCP_NODELAY`` is set on the listening socket because the connections it accepts inherit
    its options: without it, Nagle's algorithm meets the client's delayed ACK and every
    keep-alive answer waits ~40 ms (uvicorn sets the option only on sockets it binds itself).
    """
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def config(app: Any, log_level: str = "warning") -> uvicorn.Config:
    """The one uvicorn configuration of the emulator (CLI, fixture and benchmark alike)."""
    return uvicorn.Config(app, log_level=log_level, access_log=False, lifespan="off",
                          timeout_graceful_shutdown=2)


def serve_forever(app: Any, sock: socket.socket, log_level: str = "warning") -> list[int]:
    """Serve ``app`` on ``sock`` in this process until interrupted (the `monite-emulator` command).

    Everything alive at start-up (modules, the app, its routes and models) moves to the
    permanent generation, so the garbage collector's full passes stop walking it: without
    this, a full pass over the app's ~80 000 objects stalls every request for ~0.1 s now
    and then, which shows at p99 under load. Returns the signals that stopped the server.
    """
    gc.collect()
    gc.freeze()
    server = uvicorn.Server(config(app, log_level))
    server.run(sockets=[sock])
    # uvicorn raises the signal that stopped it again once it is done, but inside asyncio's
    # Runner that only cancels a task that has already finished: say which signals came.
    return list(getattr(server, "_captured_signals", []))


class ThreadedServer:
    """uvicorn in a daemon thread of this process, on a pre-bound socket."""

    def __init__(self, app: Any, sock: socket.socket | None = None, log_level: str = "warning") -> None:
        self.sock = sock or bind()
        host, port = self.sock.getsockname()[:2]
        self.origin = f"http://{host}:{port}"
        self.server = uvicorn.Server(config(app, log_level))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]},
                                       name=f"monite-emulator-{port}", daemon=True)

    def start(self, timeout: float = 10.0) -> "ThreadedServer":
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the emulator did not start on {self.origin}")
            time.sleep(0.002)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        if self.thread.is_alive():
            self.thread.join(timeout=5)
        self.sock.close()


@contextmanager
def serve_in_thread(app: Any, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Run ``app`` on loopback for the duration of the block; yields its origin (no trailing slash)."""
    server = ThreadedServer(app, bind(host, port)).start()
    try:
        yield server.origin
    finally:
        server.stop()
