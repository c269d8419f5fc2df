"""The run's configuration, resolved once: options first, then the environment, then defaults.

`monite-conformance run` and a plain `pytest --pyargs conformance.suite` both end in
`RunConfig.resolve`, and everything else (targets, fixtures, the property schemas, reports)
reads the resulting `RunConfig`, so the two ways of running cannot drift. Credentials come
only from the environment (README "Run against the sandbox"), never from options.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from conformance.errors import ConfigError
from conformance.redaction import register_secret

DEFAULT_API_VERSION = "2024-05-25"
DEFAULT_SEED = 20240525
PROFILES = ("quick", "full")
SUITES = ("all", "property", "scenario")
EMULATOR = "emulator"
EMULATOR_HTTP = "emulator-http"
# `asgi:package.module:factory` runs any ASGI app in-process (a variant of the emulator, say).
ASGI_PREFIX = "asgi:"
# Hosts of Monite's production API (docs: api/concepts/versioning); refused unless allowed.
PRODUCTION_HOSTS = frozenset({"api.monite.com", "api.eu.monite.com", "api.us.monite.com"})
# Documented default rate limit: 30 requests per second per API client (docs: api/concepts/rate-limiting).
DOCUMENTED_RATE_LIMIT = 30.0
# What --min-coverage can gate (conformance/report/coverage.py counts them).
COVERAGE_DIMENSIONS = ("statuses", "parameters", "enums", "fields")


@dataclass(frozen=True)
class RunConfig:
    """What the user asked for. Built by `resolve`; read everywhere, changed nowhere."""

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
    # --min-coverage statuses=90,parameters=80: (dimension, percent) pairs; () gates nothing.
    min_coverage: tuple[tuple[str, float], ...] = ()
    record: bool = False  # --record: every exchange into exchanges.har in the report folder

    @classmethod
    def resolve(cls, env: Mapping[str, str] | None = None, **options: object) -> "RunConfig":
        """Options that are None fall back to the environment, then to the defaults; validated."""
        env = os.environ if env is None else env
        given = {key: value for key, value in options.items() if value is not None}
        unknown = set(given) - set(cls.__dataclass_fields__)
        if unknown:
            raise TypeError(f"unknown run options: {', '.join(sorted(unknown))}")
        seed = given.pop("seed", None) or env.get("MONITE_SEED") or DEFAULT_SEED
        if isinstance(given.get("min_coverage"), str):
            given["min_coverage"] = parse_min_coverage(str(given["min_coverage"]))
        config = cls(
            target=str(given.pop("target", None) or env.get("MONITE_BASE_URL") or EMULATOR),
            api_version=str(given.pop("api_version", None) or env.get("MONITE_API_VERSION") or DEFAULT_API_VERSION),
            token=env.get("MONITE_TOKEN") or None,
            client_id=env.get("MONITE_CLIENT_ID") or None,
            client_secret=env.get("MONITE_CLIENT_SECRET") or None,
            entity_id=env.get("MONITE_ENTITY_ID") or None,
            other_entity_id=env.get("MONITE_OTHER_ENTITY_ID") or None,
            profile=str(given.pop("profile", None) or env.get("MONITE_PROFILE") or "quick"),
            seed=_integer("seed", seed),
        )
        config = replace(config, **given)  # type: ignore[arg-type]
        register_secret(config.token)
        register_secret(config.client_secret)
        config.validate()
        return config

    @property
    def starts_emulator(self) -> bool:
        """Whether the run starts the target itself (and so knows its credentials)."""
        return self.target in (EMULATOR, EMULATOR_HTTP) or self.target.startswith(ASGI_PREFIX)

    @property
    def pacing_rate(self) -> float | None:
        """Requests per second on a target without the control plane; None: no pacing."""
        rate = DOCUMENTED_RATE_LIMIT if self.rate_limit is None else self.rate_limit
        return rate if rate > 0 else None

    def validate(self) -> None:
        """Refuse, in one line, a configuration that cannot give a meaningful run."""
        _check_version(self.api_version)
        if self.profile not in PROFILES:
            raise ConfigError(f"--profile must be one of {', '.join(PROFILES)}, got {self.profile!r}")
        if self.suite not in SUITES:
            raise ConfigError(f"--suite must be one of {', '.join(SUITES)}, got {self.suite!r}")
        if self.rate_limit is not None and self.rate_limit < 0:
            raise ConfigError(f"--rate-limit must be 0 (off) or a positive number, got {self.rate_limit}")
        if self.workers < 1:
            raise ConfigError(f"--workers must be at least 1, got {self.workers}")
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
            raise ConfigError("set MONITE_TOKEN, or MONITE_CLIENT_ID and MONITE_CLIENT_SECRET, for a remote target")
        if not self.entity_id:
            raise ConfigError("set MONITE_ENTITY_ID to the entity the suite may use on the target")


def parse_min_coverage(text: str) -> tuple[tuple[str, float], ...]:
    """`statuses=90,parameters=80` -> (("statuses", 90.0), ("parameters", 80.0)); ConfigError if bad."""
    pairs: dict[str, float] = {}
    for part in (item.strip() for item in text.split(",")):
        if not part:
            continue
        name, equals, number = (piece.strip() for piece in part.partition("="))
        if not equals or name not in COVERAGE_DIMENSIONS:
            raise ConfigError(f"--min-coverage takes DIMENSION=PERCENT pairs ({', '.join(COVERAGE_DIMENSIONS)}), "
                              f"got {part!r}")
        try:
            value = float(number)
        except ValueError:
            value = -1.0
        if not 0 <= value <= 100:
            raise ConfigError(f"--min-coverage {name} must be a percentage from 0 to 100, got {number!r}")
        pairs[name] = value
    if not pairs:
        raise ConfigError(f"--min-coverage takes DIMENSION=PERCENT pairs ({', '.join(COVERAGE_DIMENSIONS)}), got {text!r}")
    return tuple(pairs.items())


def _check_version(version: str) -> None:
    try:
        time.strptime(version, "%Y-%m-%d")
    except ValueError:
        raise ConfigError(f"--api-version must be a date YYYY-MM-DD, got {version!r}") from None


def _integer(name: str, value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise ConfigError(f"--{name} must be an integer, got {value!r}") from None


_current: RunConfig | None = None


def set_current(config: RunConfig) -> None:
    """Make `config` the configuration of this process's run (the pytest plugin does it once)."""
    global _current
    _current = config


def current() -> RunConfig:
    """The configuration of this process's run: the one the pytest plugin resolved, or the
    environment's defaults when none was (a module imported outside a run)."""
    return _current if _current is not None else RunConfig.resolve()
