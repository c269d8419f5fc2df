"""Fixtures for the emulator's own tests: a fresh in-process emulator per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from emu_helpers import Api, get_token
from starlette.testclient import TestClient

from monite_emulator.app import create_app
from monite_emulator.settings import EmulatorSettings


@pytest.fixture
def settings() -> EmulatorSettings:
    return EmulatorSettings()


@pytest.fixture
def client(settings: EmulatorSettings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.fixture
def api(client: TestClient) -> Api:
    return Api(client, get_token(client), str(uuid.uuid4()))


@pytest.fixture
def seeded(api: Api) -> Api:
    api.seed()
    return api
