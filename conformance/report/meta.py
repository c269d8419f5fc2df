"""The run's metadata: what summary.json records and report.html's environment table shows."""

from __future__ import annotations

import datetime as dt
import os
import platform
from typing import Any

import pytest

from conformance.redaction import redact


def set_html_environment(config: pytest.Config, meta: dict[str, Any]) -> None:
    """Show the run's metadata (and nothing from the environment) in pytest-html's table."""
    try:
        from pytest_metadata.plugin import metadata_key
    except ImportError:
        return
    metadata = config.stash.get(metadata_key, None)
    if metadata is None:
        return
    metadata.clear()
    metadata.update({
        "Target": meta["target"], "API version": meta["api_version"], "Profile": meta["profile"],
        "Suite": meta["suite"], "Seed": str(meta["seed"]), "Suite version": meta["suite_version"],
        "Spec SHA-256": meta["spec_sha256"], "Python": meta["python"], "Started": meta["started_at"],
    })


def run_metadata(config: pytest.Config, suite: str, only: set[str] | None, skip: set[str]) -> dict[str, Any]:
    from conformance import __version__
    from conformance.plugin import DEFAULT_SEED
    from conformance.specfile import spec_sha256
    from conformance.target import TargetConfig

    target = TargetConfig.from_env(target=config.getoption("--monite-target", None),
                                   api_version=config.getoption("--monite-api-version", None))
    seed = config.getoption("--monite-seed", None)
    if seed is None:
        seed = int(os.environ.get("MONITE_SEED", DEFAULT_SEED))
    return {
        "target": redact(target.target),
        "api_version": target.api_version,
        "profile": config.getoption("--monite-profile", "quick"),
        "suite": suite,
        "only": sorted(only) if only is not None else None,
        "skip": sorted(skip),
        "baseline": config.getoption("--monite-baseline"),
        "seed": seed,
        "workers": config.getoption("--monite-workers"),
        "suite_version": __version__,
        "spec_sha256": spec_sha256(),
        "python": platform.python_version(),
        "started_at": now(),
    }


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
