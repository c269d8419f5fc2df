"""A pytest junit XML file as the project's tests read it: each test's outcome, failure text and
the observations it recorded (`monite_observation` properties)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.expectations.kinds import OBSERVATION_KEY


@dataclass
class JunitCase:
    outcome: str  # passed | failure | error | skipped
    problem: str = ""  # the failure's (or error's) message and text
    observations: list[dict[str, Any]] = field(default_factory=list)


def read_cases(path: Path) -> dict[str, JunitCase]:
    """Test id ("classname::name") -> its case; empty when the file does not exist."""
    cases: dict[str, JunitCase] = {}
    if not path.exists():
        return cases
    for case in ET.parse(path).iter("testcase"):
        outcome, problem = "passed", ""
        for tag in ("failure", "error", "skipped"):
            found = case.find(tag)
            if found is not None:
                outcome = tag
                if tag != "skipped":
                    problem = (found.get("message") or "") + "\n" + (found.text or "")
                break
        observations = []
        for prop in case.iter("property"):
            if prop.get("name") == OBSERVATION_KEY:
                try:
                    observations.append(json.loads(prop.get("value") or "{}"))
                except ValueError:
                    observations.append({"message": prop.get("value")})
        cases[f"{case.get('classname')}::{case.get('name')}"] = JunitCase(outcome, problem, observations)
    return cases
