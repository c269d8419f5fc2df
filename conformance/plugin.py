"""pytest plugin of the conformance suite: the options that name the target, and its fixtures.

Registered through the `pytest11` entry point, so `pytest --pyargs conformance.suite` (and the
`monite-conformance` CLI, which runs exactly that) knows these options wherever it runs.
Options fall back to the environment variables the README lists.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest

from conformance.auth import TokenProvider
from conformance.client import MoniteClient
from conformance.control import EmulatorControl
from conformance.errors import ConfigError
from conformance.target import Target, TargetConfig, open_target

PROFILES = ("quick", "full")
DEFAULT_SEED = 20240525


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("monite", "Monite conformance target")
    group.addoption("--monite-target", default=None,
                    help="'emulator' (in-process, default), 'emulator-http', or a base URL (env MONITE_BASE_URL)")
    group.addoption("--monite-api-version", default=None,
                    help="x-monite-version to send (env MONITE_API_VERSION, default 2024-05-25)")
    group.addoption("--monite-profile", default=os.environ.get("MONITE_PROFILE", "quick"), choices=PROFILES,
                    help="quick: the CI gate; full: deep property testing")
    group.addoption("--monite-seed", default=None, type=int,
                    help=f"seed for generated data (env MONITE_SEED, default {DEFAULT_SEED})")
    group.addoption("--monite-allow-production", action="store_true", default=False,
                    help="allow a production base URL")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "property: schemathesis property tests driven by the spec")
    config.addinivalue_line("markers", "scenario: hand-written behaviour scenarios")
    config.addinivalue_line("markers", "assumption: checks a choice the docs do not dictate")


@pytest.fixture(scope="session")
def monite_config(pytestconfig: pytest.Config) -> TargetConfig:
    config = TargetConfig.from_env(
        target=pytestconfig.getoption("--monite-target"),
        api_version=pytestconfig.getoption("--monite-api-version"),
        allow_production=pytestconfig.getoption("--monite-allow-production"),
    )
    try:
        config.validate()
    except ConfigError as exc:
        pytest.exit(f"configuration error: {exc}", returncode=2)
    return config


@pytest.fixture(scope="session")
def monite_profile(pytestconfig: pytest.Config) -> str:
    return pytestconfig.getoption("--monite-profile")


@pytest.fixture(scope="session")
def monite_seed(pytestconfig: pytest.Config) -> int:
    seed = pytestconfig.getoption("--monite-seed")
    if seed is None:
        seed = int(os.environ.get("MONITE_SEED", DEFAULT_SEED))
    return seed


@pytest.fixture(scope="session")
def monite_target(monite_config: TargetConfig) -> Iterator[Target]:
    with open_target(monite_config) as target:
        yield target


@pytest.fixture(scope="session")
def monite_http(monite_target: Target) -> Iterator[httpx.Client]:
    """A bare client to the target's origin (no auth, no default headers)."""
    with monite_target.http_client() as http:
        yield http


@pytest.fixture(scope="session")
def monite_tokens(monite_target: Target, monite_http: httpx.Client) -> TokenProvider:
    return TokenProvider(monite_target, monite_http)


@pytest.fixture(scope="session")
def emulator_control(monite_target: Target, monite_http: httpx.Client) -> EmulatorControl | None:
    """The emulator's control plane, or None when the target has none."""
    return EmulatorControl.discover(monite_target, monite_http)


@pytest.fixture()
def monite_client(monite_target: Target, monite_tokens: TokenProvider, monite_http: httpx.Client) -> MoniteClient:
    return MoniteClient(monite_target, monite_tokens, monite_http)
