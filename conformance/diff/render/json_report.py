"""`--format json`: exactly `{"changes": [...], "counts": {...}}`, for scripts and CI."""

from __future__ import annotations

import json

from conformance.diff.model import DiffResult


def to_json(result: DiffResult) -> str:
    document = {"changes": [change.as_dict() for change in result.changes], "counts": result.counts()}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
