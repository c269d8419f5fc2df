"""Learn every credential an exchange carries before anything of it is recorded.

Bearer tokens from `Authorization`, and `client_secret` / `access_token` / `refresh_token`
from `/auth/token` traffic, go to `conformance.redaction`, whose `redact()` every report
writer applies; the reports are scrubbed once more when written (`conformance.report.scrub`).
"""

from __future__ import annotations

from typing import Any

from conformance.proxy.traffic import SeenRequest, parse_json
from conformance.redaction import register_secret

SECRET_FIELDS = ("client_secret", "access_token", "refresh_token")


def register_credentials(request: SeenRequest, response_body: Any) -> None:
    """Register the secrets of one exchange (`response_body`: the answer's parsed JSON, if any)."""
    authorization = request.header("authorization")
    if authorization:
        scheme, _, credential = authorization.strip().partition(" ")
        if credential.strip():
            register_secret(credential.strip())
        elif scheme.lower() not in ("bearer", "basic"):
            register_secret(scheme)  # a bare credential without a scheme
    if request.path.rstrip("/").endswith("/auth/token"):
        _register_fields(parse_json(request.body))
    _register_fields(response_body)


def _register_fields(value: Any) -> None:
    if isinstance(value, dict):
        for name in SECRET_FIELDS:
            if isinstance(value.get(name), str):
                register_secret(value[name])
