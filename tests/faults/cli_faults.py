"""Emulator variants for the CLI's end-to-end tests (`--target asgi:tests.faults.cli_faults:<name>`).

- `tax_rate_total_as_string`: GET /accounting_tax_rates/{id} answers `total_tax_rate` as a
  string: a schema violation of getTaxRate, and a tax rate that no longer matches the list.
- `leaky`: a partner token of its own choosing (`KNOWN_TOKEN`, also accepted when given as
  MONITE_TOKEN), and every tax-rate answer echoes the caller's token and the client secret
  while breaking getTaxRate as above: failures whose evidence would carry the secrets, for
  the redaction test.
"""

from __future__ import annotations

import os
from typing import Any

from monite_emulator.app import create_app
from monite_emulator.model.errors import Unauthorized
from tests.faults.rewrite import Answer, rewrite_responses

KNOWN_TOKEN = "tok-Xy7Wq3Er9Ty2Ui5Op8As4Df1Gh"
TAX_RATE_PREFIX = "/v1/accounting_tax_rates/"


def _break_tax_rate(answer: Answer) -> None:
    if answer.method == "GET" and answer.path.startswith(TAX_RATE_PREFIX) and answer.status == 200:
        body = answer.json()
        body["total_tax_rate"] = str(body.get("total_tax_rate"))
        answer.set_json(body)


def tax_rate_total_as_string() -> Any:
    return rewrite_responses(create_app(), _break_tax_rate)


def leaky() -> Any:
    app = create_app()
    _accept_known_token(app.state.emulator)
    secret = app.state.settings.client_secret

    def rewrite(answer: Answer) -> None:
        _break_tax_rate(answer)
        if answer.path.startswith("/v1/accounting_tax_rates") and answer.status == 200:
            body = answer.json()
            body["echo"] = {"seen_token": KNOWN_TOKEN, "configured": secret,
                            "env_token": os.environ.get("MONITE_TOKEN", "")}
            answer.set_json(body)
            answer.set_header("x-debug-echo", f"{KNOWN_TOKEN} {secret}")

    return rewrite_responses(app, rewrite)


def _accept_known_token(emulator: Any) -> None:
    """Issue KNOWN_TOKEN for client credentials and accept it, mapped onto a real token."""
    issue, authenticate = emulator.issue_token, emulator.authenticate
    settings = emulator.settings
    real: dict[str, str] = {}

    def fresh() -> str:
        real["token"] = issue(settings.client_id, settings.client_secret, "client_credentials", None, None)[
            "access_token"]
        return real["token"]

    def issue_known(client_id: str, client_secret: str, grant_type: str, *args: Any) -> dict[str, Any]:
        data = issue(client_id, client_secret, grant_type, *args)
        if grant_type == "client_credentials":
            real["token"] = data["access_token"]
            data = {**data, "access_token": KNOWN_TOKEN}
        return data

    def authenticate_known(token: str) -> Any:
        if token != KNOWN_TOKEN:
            return authenticate(token)
        try:
            return authenticate(real.get("token") or fresh())
        except Unauthorized:  # the store was reset (control plane) or the token expired
            return authenticate(fresh())

    emulator.issue_token = issue_known
    emulator.authenticate = authenticate_known
