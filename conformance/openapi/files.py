"""Where the spec lives: inside the installed package, or at the repo root in a checkout."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

SPEC_NAME = "monite-accounting.yaml"
# libyaml's parser where PyYAML was built with it: the same documents, ~10x faster than PyYAML's
# pure-Python one (the spec is read in every process of a run: the CLI and each xdist worker).
SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str) -> Any:
    """A YAML document read with the safe loader (libyaml's where present)."""
    return yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 - a safe loader


def spec_path() -> Path:
    """The spec the suite checks against.

    A wheel carries it as `conformance/_spec/` (see pyproject's force-include); an editable
    install or a checkout reads `spec/` at the repo root, so edits take effect at once.
    """
    packaged = Path(__file__).parents[1] / "_spec" / SPEC_NAME
    in_checkout = Path(__file__).resolve().parents[2] / "spec" / SPEC_NAME
    for candidate in (in_checkout, packaged):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"the OpenAPI spec {SPEC_NAME} is neither in spec/ nor packaged")


@lru_cache(maxsize=1)
def load_spec() -> dict[str, Any]:
    return parse_yaml(spec_path().read_text(encoding="utf-8"))


def spec_sha256() -> str:
    return hashlib.sha256(spec_path().read_bytes()).hexdigest()
