"""The run's metadata: what summary.json records and report.html's environment table shows."""

from __future__ import annotations

import datetime as dt
import platform
from typing import Any

import pytest

from conformance.config import RunConfig
from conformance.redaction import redact
from conformance.openapi.files import spec_sha256


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
        **({"Configuration file": meta["config_file"]} if meta.get("config_file") else {}),
    })


def run_metadata(run: RunConfig) -> dict[str, Any]:
    from conformance import __version__

    return {
        "target": redact(run.target),
        "api_version": run.api_version,
        "profile": run.profile,
        "suite": run.suite,
        "only": sorted(run.only) if run.only else None,
        "skip": sorted(run.skip),
        "baseline": str(run.baseline) if run.baseline else None,
        "seed": run.seed,
        "workers": run.workers,
        "rate_limit": run.rate_limit,
        "allow_changes_to_existing": run.allow_changes_to_existing,
        "require_complete": run.require_complete,
        "config_file": str(run.config_file) if run.config_file else None,
        "suite_version": __version__,
        "spec_sha256": spec_sha256(),
        "python": platform.python_version(),
        "started_at": now(),
    }


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
