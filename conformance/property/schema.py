"""The spec as one schemathesis schema per phase, and the operations the property tests run.

Schemas are built when the property test module is collected, from the run configuration the
pytest plugin resolved (`conformance.config.current()`): profile and seed decide what is
generated. Where requests go (the target) is decided when each case is sent
(`conformance.property.sending`), and the bearer token is attached per session (`authorize`).
"""

from __future__ import annotations

from functools import lru_cache

import schemathesis
from schemathesis import AuthContext, BaseSchema, Case

from conformance import config as run_config
from conformance.config import ASGI_PREFIX, EMULATOR, EMULATOR_HTTP
from conformance.property.profiles import PROFILES, schemathesis_config
from conformance.openapi.assumed import strict
from conformance.openapi.files import spec_path
from conformance.openapi.versions import contract_document
from conformance.target.targets import IN_PROCESS_ORIGIN, in_process_app


def _base_url(target: str) -> str:
    """Where cases go when not told otherwise (the sender always tells: see CaseSender.send)."""
    if target in (EMULATOR, EMULATOR_HTTP) or target.startswith(ASGI_PREFIX):
        return f"{IN_PROCESS_ORIGIN}/v1"
    return target.rstrip("/") if target.rstrip("/").endswith("/v1") else target.rstrip("/") + "/v1"


@lru_cache(maxsize=None)
def phase_schema(phase: str) -> BaseSchema:
    """The spec with only `phase` enabled, under this run's profile and seed."""
    run = run_config.current()
    config = schemathesis_config(PROFILES[run.profile], phase, run.seed, base_url=_base_url(run.target))
    # The contract of the run's API version (base spec + that version's overlay); its own copy.
    # Strict: with the constraints the emulator is held to where the docs are silent
    # (`conformance.openapi.assumed`); a deviation only from those is judged by `verdict.assumptions`.
    schema = schemathesis.openapi.from_dict(strict(contract_document(run.api_version)), config=config)
    schema.location = spec_path().absolute().as_uri()
    # Set before `parametrize()` clones the schema: the clones' probes must reach the app too.
    schema.app = in_process_app(run.target)
    schema.auth(refresh_interval=None)(BearerToken)
    return schema


def phase_operations(phase: str) -> list[tuple[str, str]]:
    """(operation id, label) of every operation `phase` runs, in the spec's order: the property
    tests' own parametrization, with ids like schemathesis' ("GET /ledger_accounts"), stable
    across pytest versions. An operation the run's API version lacks is not in its contract."""
    operations = []
    for result in phase_schema(phase).get_all_operations():
        operation = result.ok()  # our spec is valid (tests/spec): an invalid one fails collection loudly
        operations.append((operation.definition.raw["operationId"], operation.label))
    return operations


def requires_bearer(case: Case) -> bool:
    """Whether the case's operation declares a security requirement (`security: []` opts out)."""
    operation = case.operation
    security = operation.definition.raw.get("security", operation.schema.raw_schema.get("security"))
    return bool(security)


# What the auth provider puts in a case; the sender swaps in the session's token when it sends.
TOKEN_PLACEHOLDER = "monite-session-token"


class BearerToken:
    """Schemathesis auth provider: `Authorization: Bearer <token>` on every case whose operation
    declares security.

    Schemathesis applies auth while it generates cases, and it generates some (the coverage
    phase) at collection, before any fixture has a token: the provider marks the case, and
    `CaseSender.prepare` puts the session's current token in its place, so an expired or
    reset token is never baked into a case.
    """

    def get(self, case: Case, context: AuthContext) -> str | None:
        return TOKEN_PLACEHOLDER if requires_bearer(case) else None

    def set(self, case: Case, data: str | None, context: AuthContext) -> None:
        if data is not None:
            case.headers["Authorization"] = f"Bearer {data}"
