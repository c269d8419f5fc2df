"""Before any test: reach the target and authenticate once.

A dead target or a refused credential would otherwise turn every test into the same
error; checked first, it ends the run with exit 3 and one line that says which.
"""

from __future__ import annotations

import httpx

from conformance.http.auth import TokenProvider, api_headers
from conformance.errors import TargetUnreachable
from conformance.http.pacing import send_paced
from conformance.config import EMULATOR_HTTP, RunConfig
from conformance.target.targets import Target, open_target


def preflight(config: RunConfig) -> None:
    """Raise ConfigError or TargetUnreachable (each one line) unless the target is usable.

    `emulator-http` is started by the run itself, so there is nothing to reach yet.
    """
    config.validate()
    if config.target == EMULATOR_HTTP:
        return
    with open_target(config) as target, target.http_client() as http:
        token = TokenProvider(target, http).token()
        _check_token(target, http, token)


def _check_token(target: Target, http: httpx.Client, token: str) -> None:
    """One authenticated read: 401/403 mean the credentials cannot be used for the entity."""
    headers = api_headers(target.api_version, target.entity_id, token)
    try:
        response = send_paced(lambda: http.get(f"{target.base_url}/accounting_connections", headers=headers))
    except httpx.HTTPError as exc:
        raise TargetUnreachable(f"{target.origin} did not answer: {type(exc).__name__}") from None
    source = "MONITE_TOKEN" if target.token else "the token from MONITE_CLIENT_ID/MONITE_CLIENT_SECRET"
    if response.status_code == 401:
        raise TargetUnreachable(f"the target rejected {source} (HTTP 401)")
    if response.status_code == 403:
        raise TargetUnreachable(f"{source} may not act for MONITE_ENTITY_ID (HTTP 403)")
