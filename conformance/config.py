"""The run's configuration, resolved once: options first, then the configuration file, then the
environment, then defaults.

`monite-conformance run` and a plain `pytest --pyargs conformance.suite` both end in
`RunConfig.resolve`, and everything else (targets, fixtures, the property schemas, reports)
reads the resulting `RunConfig`, so the two ways of running cannot drift. Which options exist,
their types, defaults and environment variables: `conformance.options.RUN_OPTIONS`, the one
table. Credentials come only from the environment or a configuration file's `${ENV}`
references (README "Run against the sandbox"), never from flags.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from conformance.config_file import FileConfig
from conformance.errors import ConfigError
from conformance.options import (
    BY_NAME,
    COVERAGE_DIMENSIONS,
    DEFAULT_API_VERSION,
    DEFAULT_SEED,
    EMULATOR,
    PROFILES,
    RUN_OPTIONS,
    SUITES,
)
from conformance.redaction import register_secret

__all__ = ["ASGI_PREFIX", "COVERAGE_DIMENSIONS", "DEFAULT_API_VERSION", "DEFAULT_SEED", "EMULATOR", "EMULATOR_HTTP", "PROFILES",
           "RunConfig", "SUITES", "current", "set_current"]

EMULATOR_HTTP = "emulator-http"
# `asgi:package.module:factory` runs any ASGI app in-process (a variant of the emulator, say).
ASGI_PREFIX = "asgi:"
# Hosts of Monite's production API (docs: api/concepts/versioning); refused unless allowed.
PRODUCTION_HOSTS = frozenset({"api.monite.com", "api.eu.monite.com", "api.us.monite.com"})
# Documented default rate limit: 30 requests per second per API client (docs: api/concepts/rate-limiting).
DOCUMENTED_RATE_LIMIT = 30.0


@dataclass(frozen=True)
class RunConfig:
    """What the user asked for. Built by `resolve`; read everywhere, changed nowhere. One field
    per option of `conformance.options.RUN_OPTIONS` (tests/test_options.py keeps them equal)."""

    target: str = EMULATOR
    api_version: str = DEFAULT_API_VERSION
    token: str | None = field(default=None, repr=False)
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    entity_id: str | None = None
    other_entity_id: str | None = None
    allow_production: bool = False
    profile: str = "quick"
    seed: int = DEFAULT_SEED
    suite: str = "all"
    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    baseline: Path | None = None
    report_dir: Path | None = None
    workers: int = 1
    # Requests per second the suite allows itself on a target without the control plane
    # (None: the documented default, 30); 0 switches pacing off.
    rate_limit: float | None = None
    allow_changes_to_existing: bool = False
    require_complete: bool = False
    # Not options: where the file-given values came from (the report header names it), and the
    # deviations its per-operation overrides accept (baseline entries: operation, reason, ...).
    config_file: Path | None = None
    expected: tuple[Mapping[str, str], ...] = ()
    # An entity without an active accounting connection that the run may connect and disconnect
    # in (README "Run against the sandbox"): the lifecycle scenarios run there on a remote target.
    lifecycle_entity_id: str | None = None
    # The deliberate 429 probe (once per run, a target without the control plane) is skipped.
    skip_rate_limit_probe: bool = False
    # --min-coverage statuses=90,parameters=80: (dimension, percent) pairs; () gates nothing.
    min_coverage: tuple[tuple[str, float], ...] = ()
    record: bool = False  # --record: every exchange into exchanges.har in the report folder

    @classmethod
    def resolve(cls, env: Mapping[str, str] | None = None, file: FileConfig | None = None,
                **options: object) -> "RunConfig":
        """Each option: as given (None: not given), else the configuration file's, else its
        environment variable, else its default; parsed and validated (ConfigError: one line)."""
        env = os.environ if env is None else env
        file = file or FileConfig()
        unknown = set(options) - set(BY_NAME)
        if unknown:
            raise TypeError(f"unknown run options: {', '.join(sorted(unknown))}")
        values: dict[str, Any] = {}
        for option in RUN_OPTIONS:
            given = options.get(option.name)
            if given is not None and given != () and given != []:
                value = option.parse(given, option.flag)
            elif option.name in file.run:
                value = file.run[option.name]
                if option.name == "api_version":  # one version's run of a file naming two: the first
                    value = value[0]
            elif option.env and env.get(option.env):
                value = option.parse(env[option.env], option.env)
            else:
                value = option.default
            values[option.name] = value
        config = cls(**values, config_file=file.path, expected=file.expected)
        register_secret(config.token)
        register_secret(config.client_secret)
        config.validate()
        return config

    def option_values(self) -> dict[str, Any]:
        """The options' values, by name (what `conformance.options` turns into argv)."""
        return {option.name: getattr(self, option.name) for option in RUN_OPTIONS}

    @property
    def starts_emulator(self) -> bool:
        """Whether the run starts the target itself (and so knows its credentials)."""
        return self.target in (EMULATOR, EMULATOR_HTTP) or self.target.startswith(ASGI_PREFIX)

    @property
    def pacing_rate(self) -> float | None:
        """Requests per second on a target without the control plane; None: no pacing."""
        rate = DOCUMENTED_RATE_LIMIT if self.rate_limit is None else self.rate_limit
        return rate if rate > 0 else None

    @property
    def rate_limit_probe(self) -> bool:
        """Whether the deliberate 429 probe runs (on a target without the control plane)."""
        return not self.skip_rate_limit_probe

    def validate(self) -> None:
        """Refuse, in one line, a configuration that cannot give a meaningful run."""
        BY_NAME["api_version"].parse(self.api_version, "--api-version")
        if self.profile not in PROFILES:
            raise ConfigError(f"--profile must be one of {', '.join(PROFILES)}, got {self.profile!r}")
        if self.suite not in SUITES:
            raise ConfigError(f"--suite must be one of {', '.join(SUITES)}, got {self.suite!r}")
        if self.rate_limit is not None and self.rate_limit < 0:
            raise ConfigError(f"--rate-limit must be 0 (off) or a positive number, got {self.rate_limit}")
        if self.workers < 1:
            raise ConfigError(f"--workers must be at least 1, got {self.workers}")
        if self.lifecycle_entity_id is not None:
            _check_uuid("MONITE_LIFECYCLE_ENTITY_ID", self.lifecycle_entity_id)
            if self.lifecycle_entity_id in (self.entity_id, self.other_entity_id):
                raise ConfigError("MONITE_LIFECYCLE_ENTITY_ID must name an entity of its own, not MONITE_ENTITY_ID "
                                  "or MONITE_OTHER_ENTITY_ID (the run connects and disconnects in it)")
        if self.starts_emulator:
            return
        parts = urlsplit(self.target)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(
                f"--target must be 'emulator', 'emulator-http', 'asgi:module:factory' or an http(s) base URL, "
                f"got {self.target!r}")
        if parts.hostname in PRODUCTION_HOSTS and not self.allow_production:
            raise ConfigError(
                f"{parts.hostname} is Monite's production API; pass --allow-production to run against it")
        if not self.token and not (self.client_id and self.client_secret):
            raise ConfigError("set MONITE_TOKEN, or MONITE_CLIENT_ID and MONITE_CLIENT_SECRET, for a remote target"
                              + self._in_file("token, or client-id and client-secret"))
        if not self.entity_id:
            raise ConfigError("set MONITE_ENTITY_ID to the entity the suite may use on the target"
                              + self._in_file("entity-id"))

    def _in_file(self, keys: str) -> str:
        return f" (or {keys} in {self.config_file})" if self.config_file else ""


def _check_uuid(name: str, value: str) -> None:
    try:
        uuid.UUID(value)
    except ValueError:
        raise ConfigError(f"{name} must be an entity id (a uuid), got {value!r}") from None


_current: RunConfig | None = None


def set_current(config: RunConfig) -> None:
    """Make `config` the configuration of this process's run (the pytest plugin does it once)."""
    global _current
    _current = config


def current() -> RunConfig:
    """The configuration of this process's run: the one the pytest plugin resolved, or the
    environment's defaults when none was (a module imported outside a run)."""
    return _current if _current is not None else RunConfig.resolve()


def parse_min_coverage(text: str) -> tuple[tuple[str, float], ...]:
    """`statuses=90,parameters=80` -> (("statuses", 90.0), ("parameters", 80.0)); ConfigError if bad."""
    return BY_NAME["min_coverage"].parse(text, "--min-coverage")
