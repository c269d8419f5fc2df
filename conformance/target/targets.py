"""What the suite runs against: the embedded emulator (in-process or over HTTP) or a base URL.

Every part of the suite (property tests, scenarios, CLI) reaches the target through a
`Target`, so switching from the emulator to the sandbox changes one option and nothing else.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from conformance.config import ASGI_PREFIX, EMULATOR, EMULATOR_HTTP, RunConfig
from conformance.errors import ConfigError, TargetUnreachable
from conformance.redaction import register_secret
from conformance.target.in_process import InProcessTransport
from conformance.target.serve import serve_app

# The entity the docs use in every example (seeds 000, 001, 003, 004), and a second one for
# isolation checks. On the emulator any uuid names an entity (design A4).
EMULATOR_ENTITY_ID = "9d2b4c8f-2087-4738-ba91-7359683c49a4"
EMULATOR_OTHER_ENTITY_ID = "4f3a7c1e-6b2d-4e8a-9c0f-1a2b3c4d5e6f"
IN_PROCESS_ORIGIN = "http://emulator.local"


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
            # In this thread (conformance.target.in_process); redirects followed, like the
            # TestClient this replaced.
            kwargs.setdefault("follow_redirects", True)
            return httpx.Client(transport=InProcessTransport(self.app), base_url=self.origin, **kwargs)
        return httpx.Client(base_url=self.origin, timeout=httpx.Timeout(30.0, connect=10.0), **kwargs)


@contextlib.contextmanager
def open_target(config: RunConfig) -> Iterator[Target]:
    """Start what the configuration names (the emulator, if asked for) and yield the target."""
    config.validate()
    if config.target == EMULATOR:
        yield _emulator_target(config, app=in_process_app(config.target), base_url=f"{IN_PROCESS_ORIGIN}/v1",
                               name="emulator (in-process)")
    elif config.target.startswith(ASGI_PREFIX):
        yield _emulator_target(config, app=in_process_app(config.target), base_url=f"{IN_PROCESS_ORIGIN}/v1",
                               name=config.target)
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


def _emulator_target(config: RunConfig, *, app: Any, base_url: str, name: str) -> Target:
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


_apps: dict[str, Any] = {}


def in_process_app(target: str) -> Any:
    """The ASGI app of an in-process target (`emulator` or `asgi:...`), one per process and
    target, so the property schemas built at collection and the target share it; None for a
    target reached over HTTP."""
    if target not in _apps:
        if target == EMULATOR:
            _apps[target] = _new_emulator_app()
        elif target.startswith(ASGI_PREFIX):
            _apps[target] = load_app_factory(target[len(ASGI_PREFIX):])()
        else:
            return None
    return _apps[target]


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


@contextlib.contextmanager
def serve_emulator(app: Any = None) -> Iterator[str]:
    """Serve a fresh emulator (or any ASGI `app`) on loopback for the duration; yield its origin."""
    with serve_app(app if app is not None else _new_emulator_app()) as origin:
        yield origin
