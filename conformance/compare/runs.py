"""Read one run for a comparison: a report folder or its summary.json, checked enough to compare."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SUMMARY = "summary.json"
_REQUIRED = ("run", "tests", "operations")


class RunUnreadable(ValueError):
    """A path that is not a readable run summary (one line, for an exit 2)."""


@dataclass(frozen=True)
class Run:
    """One run's summary.json and where it came from."""

    source: Path
    summary: dict[str, Any]

    @property
    def folder(self) -> Path:
        return self.source.parent


def load_run(path: Path) -> Run:
    """`path` is a report folder holding summary.json, or a summary.json file."""
    file = path / SUMMARY if path.is_dir() else path
    if not file.exists():
        where = f"{path} has no {SUMMARY}" if path.is_dir() else f"{path} does not exist"
        raise RunUnreadable(where)
    try:
        summary = json.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RunUnreadable(f"cannot read {file}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise RunUnreadable(f"{file} is not JSON ({exc})") from None
    if not isinstance(summary, dict) or any(key not in summary for key in _REQUIRED):
        raise RunUnreadable(f"{file} is not a monite-conformance summary.json "
                            f"(it needs {', '.join(_REQUIRED)})")
    if not isinstance(summary["tests"], list) or not isinstance(summary["operations"], dict):
        raise RunUnreadable(f"{file} is not a monite-conformance summary.json (tests must be a list, "
                            f"operations an object)")
    _check_observed(file, summary.get("observed"))
    return Run(file, summary)


def _check_observed(file: Path, observed: Any) -> None:
    """The observed contract, when present: {operationId: {status: {"fields": {path: {"types": [..],
    "null_seen": bool}}, "headers": [..]}}}."""
    if observed is None:
        return
    problem = None
    if not isinstance(observed, dict):
        problem = "observed must be an object"
    else:
        for operation, statuses in observed.items():
            if not isinstance(statuses, dict):
                problem = f"observed.{operation} must be an object of statuses"
                break
            for status, seen in statuses.items():
                where = f"observed.{operation}.{status}"
                if not isinstance(seen, dict):
                    problem = f"{where} must be an object"
                elif not isinstance(seen.get("fields", {}), dict) or not all(
                        isinstance(field, dict) and isinstance(field.get("types", []), list)
                        for field in seen.get("fields", {}).values()):
                    problem = f"{where}.fields must map JSON paths to {{types, null_seen}}"
                elif not isinstance(seen.get("headers", []), list):
                    problem = f"{where}.headers must be a list"
                if problem:
                    break
            if problem:
                break
    if problem:
        raise RunUnreadable(f"{file}: {problem}")
