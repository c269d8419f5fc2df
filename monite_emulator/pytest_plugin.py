"""pytest fixtures for services that call Monite: the emulator as a drop-in test double.

Registered through the ``pytest11`` entry point, so installing the package is all it takes:

    def test_sync_reaches_my_service(monite_emulator):
        connection = monite_emulator.seed_entity()
        my_service = MyService(base_url=monite_emulator.base_url,
                               client_id=monite_emulator.client_id,
                               client_secret=monite_emulator.client_secret)
        monite_emulator.add_fault(operation="getLedgerAccount", status=503)
        ...

- ``monite_emulator``: served over HTTP on loopback, started once per session, state reset
  before each test (a ``monite_emulator.testing.ServedEmulator``).
- ``monite_emulator_asgi``: the same in-process, for httpx's ASGI transport
  (a ``monite_emulator.testing.AsgiEmulator``).
- ``monite_emulator_settings``: the settings both start with; override it (session scope) in a
  conftest.py to change e.g. ``sync_delay_seconds`` or ``rate_limit_per_second``.

Nothing is imported from the emulator until a fixture is used, so the plugin costs nothing
in test sessions that do not use it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from monite_emulator.settings import EmulatorSettings
    from monite_emulator.testing import AsgiEmulator, ServedEmulator


@pytest.fixture(scope="session")
def monite_emulator_settings() -> "EmulatorSettings":
    """Settings of the fixtures' emulators (the documented default credentials)."""
    from monite_emulator.testing import fixture_settings

    return fixture_settings()


@pytest.fixture(scope="session")
def monite_emulator_server(monite_emulator_settings: "EmulatorSettings") -> Iterator["ServedEmulator"]:
    """The session's emulator server (prefer ``monite_emulator``, which also resets it)."""
    from monite_emulator.testing import ServedEmulator

    emulator = ServedEmulator.start(monite_emulator_settings)
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def monite_emulator(monite_emulator_server: "ServedEmulator") -> "ServedEmulator":
    """The emulator over HTTP (``base_url`` ends in ``/v1``), with fresh state for this test."""
    monite_emulator_server.reset()
    return monite_emulator_server


@pytest.fixture(scope="session")
def monite_emulator_app(monite_emulator_settings: "EmulatorSettings") -> "AsgiEmulator":
    """The session's in-process emulator (prefer ``monite_emulator_asgi``, which also resets it)."""
    from monite_emulator.testing import AsgiEmulator

    return AsgiEmulator.create(monite_emulator_settings)


@pytest.fixture
def monite_emulator_asgi(monite_emulator_app: "AsgiEmulator") -> "AsgiEmulator":
    """The emulator in-process, with fresh state for this test: ``monite_emulator_asgi.async_client()``."""
    monite_emulator_app.reset()
    return monite_emulator_app
