"""The contract of each published API version: the base document plus that version's overlay.

`spec/monite-accounting.yaml` describes one version, its `info.version` (2024-05-25).
`spec/versions/<date>.overlay.yaml` (OpenAPI Overlay 1.0) turns it into the documented shape
of the version `<date>`. Which shape a published version without an overlay of its own gets is
assumption A29 (docs/design.md):

* a version older than the base gets the nearest documented shape at or after it (features
  only arrive with newer versions, so 2022-11-16 .. 2023-06-04 look like 2023-09-01, and
  2024-01-31 like the base 2024-05-25);
* a version newer than the base gets the nearest documented shape at or before it (2025-06-23:
  nothing documented for these endpoints differs from the base).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from conformance.openapi.overlay import OverlayError, apply_overlay, load_overlay
from conformance.openapi.files import load_spec, spec_path

# The published document's APIVersion enum (facts digest: "Environments, paths, versions").
PUBLISHED_VERSIONS: tuple[str, ...] = (
    "2022-11-16", "2023-02-07", "2023-03-01", "2023-03-14", "2023-04-12", "2023-06-04",
    "2023-09-01", "2024-01-31", "2024-05-25", "2025-06-23",
)
OVERLAY_SUFFIX = ".overlay.yaml"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class UnknownVersion(ValueError):
    """A version that is not in the published list: there is no documented contract for it."""


def known_versions() -> tuple[str, ...]:
    """The published API versions, oldest first."""
    return PUBLISHED_VERSIONS


def base_version() -> str:
    """The version the base document describes (its `info.version`)."""
    return str(load_spec()["info"]["version"])


def versions_dir() -> Path:
    """`spec/versions/` beside the base document (in a checkout, or packaged with the wheel)."""
    return spec_path().parent / "versions"


def overlay_files() -> dict[str, Path]:
    """Every overlay file, by the version date in its name."""
    folder = versions_dir()
    if not folder.is_dir():
        return {}
    found = {}
    for path in sorted(folder.glob(f"*{OVERLAY_SUFFIX}")):
        date = path.name[: -len(OVERLAY_SUFFIX)]
        if not _DATE.match(date):
            raise OverlayError(f"{path}: an overlay file is named <YYYY-MM-DD>{OVERLAY_SUFFIX}")
        found[date] = path
    return found


def overlay_for(version: str) -> Path | None:
    """The overlay that gives `version` its documented shape, or None for the base shape (A29)."""
    _check(version)
    base = base_version()
    shapes = set(overlay_files()) | {base}
    if version < base:
        shape = min(date for date in shapes if date >= version)
    else:
        shape = max(date for date in shapes if date <= version)
    return None if shape == base else overlay_files()[shape]


def effective_spec(version: str) -> dict[str, Any]:
    """The OpenAPI document of `version`. Shared between callers: copy it before changing it."""
    overlay = overlay_for(version)
    return load_spec() if overlay is None else _applied(overlay)


def contract_document(version: str) -> dict[str, Any]:
    """The document a run at `version` is judged by: its effective spec; a date outside the
    published list gets the base document (what such a date gets is itself an assumption, A1)."""
    try:
        return effective_spec(version)
    except UnknownVersion:
        return load_spec()


def operation_ids(version: str) -> frozenset[str]:
    """The operationIds of `version`'s contract (`contract_document`)."""
    spec = contract_document(version)
    return frozenset(entry["operationId"] for item in (spec.get("paths") or {}).values()
                     for entry in (item or {}).values() if isinstance(entry, dict) and "operationId" in entry)


@lru_cache(maxsize=None)
def _applied(overlay: Path) -> dict[str, Any]:
    return apply_overlay(load_spec(), load_overlay(overlay), strict=True, source=str(overlay))


def _check(version: str) -> None:
    if version not in PUBLISHED_VERSIONS:
        raise UnknownVersion(f"API version {version!r} is not a published version "
                             f"({', '.join(PUBLISHED_VERSIONS)})")
