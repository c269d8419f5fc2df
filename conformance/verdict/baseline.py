"""Accepted deviations: failures a team has looked at and chosen to live with, for now.

A baseline file (YAML or JSON) lists them; a failure that matches an entry does not fail the
run but stays in every report as "accepted", with the entry's reason. The format:

    accepted:
      - test: "*test_limit_out_of_range*"      # fnmatch pattern on the pytest node id
        operation: listTaxRates                # operation id or tag the test touches
        match: "416"                           # regular expression searched in the failure text
        reason: "sandbox answers 416 (docs: pagination page); ticket ACC-123"

Every key but `reason` is optional, at least one is required, and all given keys must match.
"""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from conformance.errors import ConfigError

_KEYS = {"test", "operation", "match", "reason"}


@dataclass(frozen=True)
class Deviation:
    reason: str
    test: str | None = None
    operation: str | None = None
    match: str | None = None

    @property
    def label(self) -> str:
        parts = [f"{key}={value!r}" for key, value in
                 (("test", self.test), ("operation", self.operation), ("match", self.match)) if value]
        return ", ".join(parts)

    def matches(self, nodeid: str, operations: set[str], tags: set[str], failure_text: str) -> bool:
        if self.test and not fnmatch.fnmatchcase(nodeid, self.test):
            return False
        if self.operation and self.operation not in operations and self.operation not in tags:
            return False
        if self.match and not re.search(self.match, failure_text):
            return False
        return True


def load_baseline(path: str | Path) -> list[Deviation]:
    """Read and check a baseline file; ConfigError (one line) when it is unusable."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read baseline {path}: {exc.strerror or exc}") from None
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(f"baseline {path} is not valid {'JSON' if path.suffix == '.json' else 'YAML'}: {first}") from None
    entries = data.get("accepted") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ConfigError(f"baseline {path} must have a list under 'accepted'")
    return [_entry(path, index, entry) for index, entry in enumerate(entries)]


def _entry(path: Path, index: int, entry: object) -> Deviation:
    where = f"baseline {path}, entry {index + 1}"
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: must be a mapping with 'reason' and 'test', 'operation' or 'match'")
    unknown = set(entry) - _KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
    values = {key: entry.get(key) for key in _KEYS}
    for key, value in values.items():
        if value is not None and not isinstance(value, str):
            raise ConfigError(f"{where}: {key} must be a string")
    if not (values["reason"] or "").strip():
        raise ConfigError(f"{where}: a reason is required")
    if not any(values[key] for key in ("test", "operation", "match")):
        raise ConfigError(f"{where}: give at least one of 'test', 'operation', 'match'")
    if values["match"]:
        try:
            re.compile(values["match"])
        except re.error as exc:
            raise ConfigError(f"{where}: match is not a regular expression ({exc})") from None
    return Deviation(reason=values["reason"].strip(), test=values["test"],
                     operation=values["operation"], match=values["match"])


def find(deviations: list[Deviation], nodeid: str, operations: set[str], tags: set[str],
         failure_text: str) -> Deviation | None:
    """The first entry that accepts this failure, if any."""
    for deviation in deviations:
        if deviation.matches(nodeid, operations, tags, failure_text):
            return deviation
    return None
