"""Cursor pagination with signed, opaque tokens.

A token is ``base64url(json payload) "." base64url(HMAC-SHA256(secret, payload))``. The
payload carries the entity id, the resource kind, the full query (filters, sort, order), the
boundary item (its sort value and id) and the direction. A token that does not verify, or
that belongs to another entity or resource, is rejected (A8: 422 on ``pagination_token``).
Order is the sort field, then ``id`` as tie-breaker, both in the requested direction.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from monite_emulator.model.errors import Invalid

TOKEN_LOC = ["query", "pagination_token"]


@dataclass
class Query:
    kind: str
    filters: dict[str, Any] = field(default_factory=dict)
    sort: str = "created_at"
    order: str = "asc"
    cursor: tuple[str, str] | None = None
    direction: str = "next"


def _b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenCodec:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _sign(self, payload: bytes) -> bytes:
        return hmac.new(self._secret, payload, hashlib.sha256).digest()

    def encode(self, entity_id: str, query: Query, cursor: tuple[str, str], direction: str) -> str:
        payload = json.dumps(
            {
                "v": 1,
                "e": entity_id,
                "k": query.kind,
                "f": query.filters,
                "s": query.sort,
                "o": query.order,
                "c": list(cursor),
                "d": direction,
            },
            separators=(",", ":"),
            sort_keys=True,
        ).encode()
        return _b64e(payload) + "." + _b64e(self._sign(payload))

    def decode(self, token: str, entity_id: str, kind: str) -> Query:
        bad = Invalid(TOKEN_LOC, "Invalid pagination token", "value_error")
        if not token or len(token) > 8192 or token.count(".") != 1:
            raise bad
        body, sig = token.split(".")
        try:
            payload = _b64d(body)
            signature = _b64d(sig)
        except (binascii.Error, ValueError):
            raise bad from None
        if not hmac.compare_digest(signature, self._sign(payload)):
            raise bad
        try:
            data = json.loads(payload)
        except ValueError:
            raise bad from None
        if data.get("e") != entity_id or data.get("k") != kind:
            # A8: a token of another entity or another list is as invalid as a forged one.
            raise bad
        return Query(
            kind=kind,
            filters=data["f"],
            sort=data["s"],
            order=data["o"],
            cursor=(data["c"][0], data["c"][1]),
            direction=data["d"],
        )


def page(
    conn: sqlite3.Connection,
    codec: TokenCodec,
    *,
    table: str,
    entity_id: str,
    query: Query,
    sort_expr: str,
    limit: int,
    render: Callable[[sqlite3.Row], dict[str, Any]],
    where: str = "",
    params: Sequence[Any] = (),
) -> dict[str, Any]:
    """One page of a list as the API answers it: `data` rendered, and the two tokens."""
    asc = query.order == "asc"
    fwd, rev = ("ASC", "DESC") if asc else ("DESC", "ASC")
    base = f"SELECT *, {sort_expr} AS _k FROM {table} WHERE entity_id = ?{where}"
    base_params: list[Any] = [entity_id, *params]

    def cmp(after: bool) -> str:
        return ">" if after == asc else "<"

    def exists(after: bool, row: sqlite3.Row) -> bool:
        sql = f"SELECT 1 FROM {table} WHERE entity_id = ?{where} AND ({sort_expr}, id) {cmp(after)} (?, ?) LIMIT 1"
        return conn.execute(sql, [*base_params, row["_k"], row["id"]]).fetchone() is not None

    if query.cursor is None:
        sql = f"{base} ORDER BY _k {fwd}, id {fwd} LIMIT ?"
        rows = conn.execute(sql, [*base_params, limit + 1]).fetchall()
        more_after = len(rows) > limit
        rows = rows[:limit]
        more_before = False
    elif query.direction == "next":
        sql = f"{base} AND ({sort_expr}, id) {cmp(True)} (?, ?) ORDER BY _k {fwd}, id {fwd} LIMIT ?"
        rows = conn.execute(sql, [*base_params, *query.cursor, limit + 1]).fetchall()
        more_after = len(rows) > limit
        rows = rows[:limit]
        more_before = bool(rows) and exists(False, rows[0])
    else:
        sql = f"{base} AND ({sort_expr}, id) {cmp(False)} (?, ?) ORDER BY _k {rev}, id {rev} LIMIT ?"
        rows = conn.execute(sql, [*base_params, *query.cursor, limit + 1]).fetchall()
        more_before = len(rows) > limit
        rows = rows[:limit][::-1]
        more_after = bool(rows) and exists(True, rows[-1])
    next_token = prev_token = None
    if rows and more_after:
        next_token = codec.encode(entity_id, query, (rows[-1]["_k"], rows[-1]["id"]), "next")
    if rows and more_before:
        prev_token = codec.encode(entity_id, query, (rows[0]["_k"], rows[0]["id"]), "prev")
    return {"data": [render(row) for row in rows], "next_pagination_token": next_token,
            "prev_pagination_token": prev_token}
