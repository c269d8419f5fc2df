"""Serve a deployment on a loopback port, as a remote target the suite knows nothing about.

The socket is bound first (port 0), so the deployment is seeded knowing its own URL (its
connections' `connection_url` point at it) and no other process can take the port between
choosing and serving. uvicorn runs in a thread; `serve` yields the base URL and the environment
a user sets for a remote target (README, "Run against the sandbox"; `conformance/target.py`).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import uvicorn

from tests.deployments import snapshot
from tests.deployments.registry import DEPLOYMENTS
from tests.deployments.requestlog import RequestLog
from tests.deployments.sandbox import SANDBOX_RATE_LIMIT, Deployment, build

START_TIMEOUT = 300.0  # a hang guard: a busy machine may start slowly


@dataclass
class Served:
    """A running deployment: where it is, how to reach it as a user, and the harness's view of it."""

    deployment: Deployment
    base_url: str  # http://127.0.0.1:PORT/v1
    env: dict[str, str]  # MONITE_BASE_URL, MONITE_CLIENT_ID, ... as a user sets them
    log: RequestLog
    before: snapshot.Snapshot  # the seeded entities, taken before anything was served

    def changed(self) -> list[snapshot.Change]:
        """Pre-existing resources that are not as they were."""
        return snapshot.changed(self.before, snapshot.take(self.deployment.emulator, self.deployment.entity_ids))

    def left_behind(self) -> list[snapshot.Leftover]:
        """What the run created and did not remove, in any entity."""
        return snapshot.left_behind(self.before, snapshot.take(self.deployment.emulator, None))


def user_env(deployment: Deployment, base_url: str) -> dict[str, str]:
    entity_id, other_entity_id, lifecycle_entity_id = deployment.entity_ids
    return {
        "MONITE_BASE_URL": base_url,
        "MONITE_CLIENT_ID": deployment.settings.client_id,
        "MONITE_CLIENT_SECRET": deployment.settings.client_secret,
        "MONITE_ENTITY_ID": entity_id,
        "MONITE_OTHER_ENTITY_ID": other_entity_id,
        "MONITE_LIFECYCLE_ENTITY_ID": lifecycle_entity_id,
    }


@contextlib.contextmanager
def serve(name: str, *, rate_limit: int = SANDBOX_RATE_LIMIT, layer: Any = None) -> Iterator[Served]:
    """Build deployment `name` (see `DEPLOYMENTS`), serve it on 127.0.0.1, stop it afterwards.

    `layer` (the hidden emulator app -> an app) goes under the deployment's variant: a broken
    variant of tests/faults/ on top of the sandbox-like deployment (tests/deployments/broken.py)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Nagle off: the accepted connections inherit it (uvicorn sets it only on sockets it binds
    # itself), else every answer stalls ~40 ms on the client's delayed ACK (monite_emulator/serve.py).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    origin = f"http://127.0.0.1:{sock.getsockname()[1]}"
    try:
        variant = DEPLOYMENTS[name] if layer is None else (lambda app: DEPLOYMENTS[name](layer(app)))
        deployment = build(name, variant, rate_limit=rate_limit, public_base_url=origin)
        before = snapshot.take(deployment.emulator, None)
        log = RequestLog(deployment.app, deployment.emulator, deployment.entity_ids, before)
        server = uvicorn.Server(uvicorn.Config(log, log_level="warning", lifespan="off", access_log=False))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=f"deployment-{name}",
                                  daemon=True)
        thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"deployment {name} did not start on {origin}")
            time.sleep(0.02)
        base_url = f"{origin}/v1"
        try:
            yield Served(deployment, base_url, user_env(deployment, base_url), log, before)
        finally:
            server.should_exit = True
            thread.join(timeout=10)
    finally:
        sock.close()
