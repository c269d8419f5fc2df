"""Serve an ASGI app (the emulator, a variant of it) on loopback, in a thread, for a while.

The emulator package does the serving (`monite_emulator.serve`: uvicorn on a socket bound
before it starts, so no other process can take the port in between); this only turns a
server that does not start into the suite's one-line TargetUnreachable (exit 3).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from conformance.errors import TargetUnreachable


@contextlib.contextmanager
def serve_app(app: Any, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Run `app` under uvicorn on a pre-bound loopback socket; yield its origin (`http://host:port`)."""
    from monite_emulator.serve import serve_in_thread

    try:
        serving = serve_in_thread(app, host, port)
        origin = serving.__enter__()
    except (OSError, RuntimeError) as exc:
        raise TargetUnreachable(f"the server did not start: {exc}") from None
    try:
        yield origin
    finally:
        serving.__exit__(None, None, None)
