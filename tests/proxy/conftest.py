"""Fixtures of the proxy's tests: an emulator on loopback, the proxy in front of it, and a
stand-in for a dependent service (`tests.proxy.helpers`) that calls the API through the proxy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conformance.proxy.server import RunningProxy, running_proxy
from conformance.proxy.upstream import Upstream
from conformance.target.targets import serve_emulator
from tests.proxy.helpers import Service, emulator_app


@pytest.fixture(scope="module")
def emulator() -> Iterator[str]:
    """The emulator on a loopback port (its origin); state is reset by `proxy` before each test."""
    with serve_emulator(emulator_app()) as origin:
        yield origin


@pytest.fixture
def proxy(emulator: str, tmp_path: Path) -> Iterator[RunningProxy]:
    httpx.post(f"{emulator}/_emulator/reset").raise_for_status()
    with running_proxy(Upstream(f"{emulator}/v1", is_emulator=True), tmp_path / "reports") as running:
        yield running


@pytest.fixture
def service(proxy: RunningProxy) -> Service:
    return Service(proxy.base_url)


@pytest.fixture(scope="module")
def module_proxy(emulator: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningProxy]:
    """One proxy for a module whose tests judge only the violations their own calls add."""
    httpx.post(f"{emulator}/_emulator/reset").raise_for_status()
    with running_proxy(Upstream(f"{emulator}/v1", is_emulator=True), tmp_path_factory.mktemp("reports")) as running:
        yield running
