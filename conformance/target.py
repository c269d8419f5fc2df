"""What the suite runs against: the embedded emulator (in-process or over HTTP) or a base URL.

Every part of the suite (property tests, scenarios, CLI) reaches the target through a
`Target`, so switching from the emulator to the sandbox changes one option and nothing else.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from conformance.errors import ConfigError, TargetUnreachable
from conformance.redaction import register_secret

DEFAULT_API_VERSION = "2024-05-25"
EMULATOR = "emulator"
EMULATOR_HTTP = "emulator-http"
# `asgi:package.module:factory` runs any ASGI app in-process (a variant of the emulator, say).
ASGI_PREFIX = "asgi:"
# Hosts of Monite's production API (docs: api/concepts/versioning); refused unless allowed.
PRODUCTION_HOSTS = frozenset({"api.monite.com", "api.eu.monite.com", "api.us.monite.com"})
# The entity the docs use in every example (seeds 000, 001, 003, 004), and a second one for
# isolation checks. On the emulator any uuid names an entity (design A4).
EMULATOR_ENTITY_ID = "9d2b4c8f-2087-4738-ba91-7359683c49a4"
EMULATOR_OTHER_ENTITY_ID = "4f3a7c1e-6b2d-4e8a-9c0f-1a2b3c4d5e6f"
IN_PROCESS_ORIGIN = "http://emulator.local"


@dataclass(frozen=True)
class TargetConfig:
    """What the user asked for, from options and the environment (see README)."""

    target: str = EMULATOR
    api_version: str = DEFAULT_API_VERSION
    token: str | None = None
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    entity_id: str | None = None
    other_entity_id: str | None = None
    allow_production: bool = False

    @classmethod
    def from_env(cls, target: str | None = None, api_version: str | None = None,
                 allow_production: bool = False) -> "TargetConfig":
        env = os.environ
        config = cls(
            target=target or env.get("MONITE_BASE_URL") or EMULATOR,
            api_version=api_version or env.get("MONITE_API_VERSION") or DEFAULT_API_VERSION,
            token=env.get("MONITE_TOKEN") or None,
            client_id=env.get("MONITE_CLIENT_ID") or None,
            client_secret=env.get("MONITE_CLIENT_SECRET") or None,
            entity_id=env.get("MONITE_ENTITY_ID") or None,
            other_entity_id=env.get("MONITE_OTHER_ENTITY_ID") or None,
            allow_production=allow_production,
        )
        register_secret(config.token)
        register_secret(config.client_secret)
        return config

    @property
    def is_emulator(self) -> bool:
        return self.target in (EMULATOR, EMULATOR_HTTP) or self.target.startswith(ASGI_PREFIX)

    def validate(self) -> None:
        """Refuse, in one line, a configuration that cannot give a meaningful run."""
        _check_version(self.api_version)
        if self.is_emulator:
            return
        parts = urlsplit(self.target)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(
                f"--target must be 'emulator', 'emulator-http' or an http(s) base URL, got {self.target!r}"
            )
        if parts.hostname in PRODUCTION_HOSTS and not self.allow_production:
            raise ConfigError(
                f"{parts.hostname} is Monite's production API; pass --allow-production to run against it"
            )
        if not self.token and not (self.client_id and self.client_secret):
            raise ConfigError("set MONITE_TOKEN, or MONITE_CLIENT_ID and MONITE_CLIENT_SECRET, for a remote target")
        if not self.entity_id:
            raise ConfigError("set MONITE_ENTITY_ID to the entity the suite may use on the target")


def _check_version(version: str) -> None:
    try:
        time.strptime(version, "%Y-%m-%d")
    except ValueError:
        raise ConfigError(f"--api-version must be a date YYYY-MM-DD, got {version!r}") from None


@dataclass
class Target:
    """A reachable target: where to send requests and as whom."""

    name: str
    base_url: str  # the API root, ending in /v1
    api_version: str
    entity_id: str
    other_entity_id: str | None
    token: str | None
    client_id: str | None
    client_secret: str | None = field(repr=False)
    app: Any = None  # the ASGI app when the emulator runs in-process
    is_local: bool = True

    @property
    def origin(self) -> str:
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    def http_client(self, **kwargs: Any) -> httpx.Client:
        """A bare client to the target's origin: no auth, no default headers."""
        if self.app is not None:
            from starlette.testclient import TestClient

            return TestClient(self.app, base_url=self.origin, raise_server_exceptions=False, **kwargs)
        return httpx.Client(base_url=self.origin, timeout=httpx.Timeout(30.0, connect=10.0), **kwargs)


@contextlib.contextmanager
def open_target(config: TargetConfig) -> Iterator[Target]:
    """Start what the configuration names (the emulator, if asked for) and yield the target."""
    config.validate()
    if config.target == EMULATOR:
        yield _emulator_target(config, app=_new_emulator_app(), base_url=f"{IN_PROCESS_ORIGIN}/v1",
                               name="emulator (in-process)")
    elif config.target.startswith(ASGI_PREFIX):
        app = load_app_factory(config.target[len(ASGI_PREFIX):])()
        yield _emulator_target(config, app=app, base_url=f"{IN_PROCESS_ORIGIN}/v1", name=config.target)
    elif config.target == EMULATOR_HTTP:
        with serve_emulator() as origin:
            yield _emulator_target(config, app=None, base_url=f"{origin}/v1", name=f"emulator ({origin})")
    else:
        base_url = config.target.rstrip("/")
        if not base_url.endswith("/v1"):
            base_url += "/v1"
        host = urlsplit(base_url).hostname or ""
        target = Target(
            name=base_url, base_url=base_url, api_version=config.api_version,
            entity_id=config.entity_id or "", other_entity_id=config.other_entity_id,
            token=config.token, client_id=config.client_id, client_secret=config.client_secret,
            is_local=host in ("localhost", "127.0.0.1", "::1"),
        )
        _ensure_reachable(target)
        yield target


def _emulator_target(config: TargetConfig, *, app: Any, base_url: str, name: str) -> Target:
    from monite_emulator.settings import EmulatorSettings

    settings = EmulatorSettings()
    register_secret(settings.client_secret)
    return Target(
        name=name, base_url=base_url, api_version=config.api_version,
        entity_id=config.entity_id or EMULATOR_ENTITY_ID,
        other_entity_id=config.other_entity_id or EMULATOR_OTHER_ENTITY_ID,
        token=config.token, client_id=config.client_id or settings.client_id,
        client_secret=config.client_secret or settings.client_secret, app=app, is_local=True,
    )


def _new_emulator_app() -> Any:
    from monite_emulator.app import create_app

    return create_app()


def load_app_factory(spec: str) -> Any:
    """Import `package.module:factory`, a callable returning an ASGI app."""
    import importlib

    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise ConfigError(f"an asgi target is 'asgi:package.module:factory', got {ASGI_PREFIX + spec!r}")
    try:
        return getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"cannot load {spec!r}: {exc}") from None


def _ensure_reachable(target: Target) -> None:
    try:
        with target.http_client() as client:
            client.get("/", timeout=10.0)
    except httpx.HTTPError as exc:
        raise TargetUnreachable(f"{target.origin} did not answer: {type(exc).__name__}") from None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serve_emulator(app: Any = None, port: int | None = None) -> Iterator[str]:
    """Run an emulator (or any ASGI `app`) under uvicorn on loopback; yield its origin."""
    import uvicorn

    if app is None:
        app = _new_emulator_app()
    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, name=f"emulator-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise TargetUnreachable(f"the emulator did not start on port {port}")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
