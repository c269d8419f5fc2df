"""The two property-testing profiles and the schemathesis configuration each phase runs with.

quick is the CI gate: every phase, small example budgets. full goes deep. Both use a fixed
seed and deterministic (derandomized) generation with no example database, so a run against
a faithful target gives the same verdict every time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import schemathesis

PHASES = ("examples", "coverage", "fuzzing", "stateful")


@dataclass(frozen=True)
class Profile:
    name: str
    fuzzing_examples: int  # generated cases per operation in the fuzzing phase
    stateful_scenarios: int  # state-machine runs (chains of linked calls) per stateful test
    stateful_steps: int  # most calls in one scenario


PROFILES = {
    "quick": Profile("quick", fuzzing_examples=12, stateful_scenarios=30, stateful_steps=10),
    "full": Profile("full", fuzzing_examples=250, stateful_scenarios=100, stateful_steps=15),
}

# Built-in checks: all of schemathesis' run (its defaults), with these settings. Left out:
# - object_level_authorization: it needs two identities that own different objects (schemathesis'
#   multi-user auth); the suite acts as one partner. Cross-entity isolation (A3) is a scenario.
# - max_response_time (off by default): no response time is documented; a limit would only
#   measure the machine the suite runs on, and make the verdict depend on its load.
CHECKS: dict[str, dict[str, Any]] = {
    "object_level_authorization": {"enabled": False},
    # 413 (A18): an oversized generated body is invalid data, rejected before validation.
    # 416: the concepts page's answer to a `limit` out of range (docs: api/concepts/pagination-
    # sorting-filtering) is a rejection, never "invalid data accepted".
    "negative_data_rejection": {"expected-statuses": ["400", "401", "403", "404", "405", "406", "409", "413",
                                                      "415", "416", "422", "428", "429", "5xx"]},
}


def schemathesis_config(profile: Profile, phase: str, seed: int, base_url: str) -> schemathesis.Config:
    """The configuration of one phase of a property run (the other phases switched off)."""
    if phase not in PHASES:
        raise ValueError(f"unknown phase {phase!r}; one of {', '.join(PHASES)}")
    data: dict[str, Any] = {
        "seed": seed,
        # Health checks time data generation: a verdict that depends on machine load is luck.
        "suppress-health-check": ["all"],
        "base-url": base_url,
        # Black-box: generated data never depends on the implementation's source code (schemathesis
        # would mine an in-process app for constants), so every target gets the same cases.
        "analysis": {"constants": {"enabled": False}},
        # Tokens and secrets in schemathesis' own failure output are masked.
        "output": {"sanitization": {"enabled": True}},
        "generation": {
            "mode": "all",
            "deterministic": True,
            "database": "none",
            "max-examples": profile.fuzzing_examples,
        },
        "phases": {
            "examples": {"enabled": phase == "examples", "fill-missing": True},
            "coverage": {"enabled": phase == "coverage"},
            "fuzzing": {"enabled": phase == "fuzzing"},
            # Scenarios follow links with valid data; invalid data is the other phases' job.
            "stateful": {"enabled": phase == "stateful", "max-steps": profile.stateful_steps,
                         "generation": {"mode": "positive"}},
        },
        "checks": dict(CHECKS),
    }
    return schemathesis.Config.from_dict(data)
