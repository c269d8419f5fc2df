"""Access tokens (POST /auth/token) and who may act on which entity."""

from __future__ import annotations

import hmac
import secrets
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from monite_emulator.model.errors import Forbidden, Unauthorized


@dataclass
class Principal:
    token: str
    client_id: str
    grant_type: str
    entity_user_id: str | None
    entity_id: str | None


def issue(conn: sqlite3.Connection, *, expected_id: str, expected_secret: str, client_id: str,
          client_secret: str, grant_type: str, entity_user_id: str | None, entity_id: str | None,
          expires_at: str) -> str:
    ok_id = hmac.compare_digest(client_id.encode(), expected_id.encode())
    ok_secret = hmac.compare_digest(client_secret.encode(), expected_secret.encode())
    if not (ok_id and ok_secret):
        raise Unauthorized("Invalid client credentials")  # A20 (never echo the secret)
    token = secrets.token_urlsafe(32)
    conn.execute(
        "INSERT INTO tokens(token, client_id, grant_type, entity_user_id, entity_id, expires_at)"
        " VALUES(?, ?, ?, ?, ?, ?)",
        (token, client_id, grant_type, entity_user_id, entity_id, expires_at),
    )
    return token


def authenticate(conn: sqlite3.Connection, token: str, now: str) -> Principal:
    # A2: missing, malformed, unknown and expired tokens are all 401.
    return admit(token_row(conn, token), now)


def token_row(conn: sqlite3.Connection, token: str) -> Mapping[str, Any]:
    """The stored row of ``token``; A2: a missing, malformed or unknown token is a 401."""
    if not token or len(token) > 512:
        raise Unauthorized("Invalid or missing bearer token")
    row = conn.execute("SELECT * FROM tokens WHERE token = ?", (token,)).fetchone()
    if row is None:
        raise Unauthorized("Invalid or missing bearer token")
    return row


def admit(row: Mapping[str, Any], now: str) -> Principal:
    """Who a token's row (``token_row``) is, at ``now``; A2: an expired token is a 401."""
    if row["expires_at"] <= now:
        raise Unauthorized("The access token has expired")
    return Principal(row["token"], row["client_id"], row["grant_type"], row["entity_user_id"], row["entity_id"])


def is_entity_scoped(principal: Principal) -> bool:
    """A3/A26: only an entity-user token is limited to one entity; a partner token acts on all (A4)."""
    return principal.grant_type == "entity_user"


def check_entity(conn: sqlite3.Connection, principal: Principal, entity_id: str) -> None:
    """A3/A26: partner tokens act on every entity (A4); an entity-user token acts on its own only."""
    if not is_entity_scoped(principal):
        return
    if principal.entity_id is None:
        # A26: an entity-user token is bound to the first entity it is used with.
        conn.execute("UPDATE tokens SET entity_id = ? WHERE token = ?", (entity_id, principal.token))
        principal.entity_id = entity_id
        return
    if principal.entity_id != entity_id:
        raise Forbidden("This token may not act on the requested entity")
