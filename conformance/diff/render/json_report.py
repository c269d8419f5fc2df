"""`--format json`: exactly `{"changes": [...], "counts": {...}}`, for scripts and CI."""

from __future__ import annotations

import json

from conformance.diff.model import DiffResult


def to_json(result: DiffResult) -> str:
    return json.dumps(result.as_dict(), indent=2, ensure_ascii=False) + "\n"
