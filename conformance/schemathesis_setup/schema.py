"""Load the spec as a schemathesis schema aimed at the target, for one phase of a profile."""

from __future__ import annotations

import copy

import schemathesis
from schemathesis import BaseSchema

from conformance.auth import TokenProvider
from conformance.schemathesis_setup.auth import bearer_auth
from conformance.schemathesis_setup.profiles import Profile, schemathesis_config
from conformance.specfile import load_spec, spec_path
from conformance.target import Target


def load_schema(target: Target, tokens: TokenProvider, profile: Profile, phase: str, seed: int) -> BaseSchema:
    """The spec's operations, sent to the target (in-process app or base URL) with our bearer token."""
    config = schemathesis_config(profile, phase, seed, base_url=target.base_url)
    # The spec is parsed once per process (load_spec); schemathesis gets its own copy.
    schema = schemathesis.openapi.from_dict(copy.deepcopy(load_spec()), config=config)
    schema.location = spec_path().absolute().as_uri()
    if target.app is not None:
        schema.app = target.app
    schema.auth.providers.append(bearer_auth(tokens))
    return schema
