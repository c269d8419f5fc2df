"""Query parsing for list endpoints, by hand.

Parsed by hand (not by FastAPI) because of seed 003's rule: when ``pagination_token`` is
sent, every other query parameter except ``limit`` is ignored — even an invalid one. The
OpenAPI description of these parameters is supplied through ``openapi_extra``.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.datastructures import QueryParams

from monite_emulator.model import ids
from monite_emulator.model.clock import canon, parse_datetime
from monite_emulator.model.errors import Invalid
from monite_emulator.model.pagination import Query, TokenCodec
from monite_emulator.model.synced_records import DATE_FILTERS, OBJECT_TYPES
from monite_emulator.model.synced_records import SORTS as RECORD_SORTS

MAX_LIMIT = 250
DEFAULT_LIMIT = 250  # A14: the schema default, not the prose's 100
_INT = re.compile(r"^[+-]?\d{1,30}$")


def _err(name: str, msg: str, type_: str) -> dict[str, Any]:
    return {"loc": ["query", name], "msg": msg, "type": type_}


def parse_limit(qp: QueryParams, errors: list[dict[str, Any]]) -> int:
    raw = qp.get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    if not _INT.match(raw.strip()):
        errors.append(_err("limit", "Input should be a valid integer, unable to parse string as an integer", "int_parsing"))
        return DEFAULT_LIMIT
    value = int(raw.strip())
    # A13: out of 1..250 is a 422 (the endpoint reference), not the concepts page's 416.
    if value < 1:
        errors.append(_err("limit", "Input should be greater than or equal to 1", "greater_than_equal"))
    elif value > MAX_LIMIT:
        errors.append(_err("limit", f"Input should be less than or equal to {MAX_LIMIT}", "less_than_equal"))
    return value


def _enum(qp: QueryParams, name: str, allowed: tuple[str, ...], default: str | None,
          errors: list[dict[str, Any]], required: bool = False) -> str | None:
    raw = qp.get(name)
    if raw is None:
        if required:
            errors.append(_err(name, "Field required", "missing"))
        return default
    if raw not in allowed:
        expected = ", ".join(f"'{a}'" for a in allowed)
        errors.append(_err(name, f"Input should be {expected}", "enum"))
        return default
    return raw


def _base(qp: QueryParams, codec: TokenCodec, entity_id: str, kind: str,
          errors: list[dict[str, Any]]) -> tuple[int, Query | None]:
    limit = parse_limit(qp, errors)
    token = qp.get("pagination_token")
    if token is None:
        return limit, None
    try:
        query = codec.decode(token, entity_id, kind)
    except Invalid as exc:
        errors.extend(exc.errors)
        query = None
    if errors:
        raise Invalid.many(errors)
    return limit, query


def parse_simple_list(qp: QueryParams, codec: TokenCodec, entity_id: str, kind: str,
                      sorts: tuple[str, ...], default_sort: str) -> tuple[Query, int]:
    """order, limit, pagination_token, sort (tax rates, ledger accounts)."""
    errors: list[dict[str, Any]] = []
    limit, query = _base(qp, codec, entity_id, kind, errors)
    if query is not None:
        return query, limit
    order = _enum(qp, "order", ("asc", "desc"), "asc", errors)
    sort = _enum(qp, "sort", sorts, default_sort, errors)  # A22: default sort by name
    if errors:
        raise Invalid.many(errors)
    return Query(kind=kind, sort=sort or default_sort, order=order or "asc"), limit


def parse_synced_records(qp: QueryParams, codec: TokenCodec, entity_id: str) -> tuple[Query, int]:
    errors: list[dict[str, Any]] = []
    limit, query = _base(qp, codec, entity_id, "synced_records", errors)
    if query is not None:
        return query, limit
    object_type = _enum(qp, "object_type", OBJECT_TYPES, None, errors, required=True)
    order = _enum(qp, "order", ("asc", "desc"), "asc", errors)
    sort = _enum(qp, "sort", RECORD_SORTS, "created_at", errors)
    filters: dict[str, Any] = {"object_type": object_type}
    raw_id = qp.get("object_id")
    if raw_id is not None:
        oid = ids.normalize(raw_id)
        if oid is None:
            errors.append(_err("object_id", "Input should be a valid UUID", "uuid_parsing"))
        filters["object_id"] = oid
    raw_in = qp.getlist("object_id__in")
    if raw_in:
        values = [v.strip() for raw in raw_in for v in raw.split(",") if v.strip()]
        if not values:
            errors.append(_err("object_id__in", "List should have at least 1 item after validation, not 0", "too_short"))
        elif len(values) > 1000:
            errors.append(_err("object_id__in", "List should have at most 1000 items", "too_long"))
        else:
            parsed = []
            for i, v in enumerate(values):
                n = ids.normalize(v)
                if n is None:
                    errors.append({"loc": ["query", "object_id__in", i], "msg": "Input should be a valid UUID", "type": "uuid_parsing"})
                parsed.append(n)
            filters["object_id__in"] = sorted(set(p for p in parsed if p))
    for name in DATE_FILTERS:
        raw = qp.get(name)
        if raw is None:
            continue
        try:
            filters[name] = canon(parse_datetime(raw))
        except (ValueError, OverflowError):
            errors.append(_err(name, "Input should be a valid datetime", "datetime_parsing"))
    if errors:
        raise Invalid.many(errors)
    return Query(kind="synced_records", filters=filters, sort=sort or "created_at", order=order or "asc"), limit


# --- OpenAPI descriptions of the hand-parsed parameters -------------------------------------
def _q(name: str, schema: dict[str, Any], description: str = "", required: bool = False) -> dict[str, Any]:
    p: dict[str, Any] = {"name": name, "in": "query", "required": required, "schema": schema}
    if description:
        p["description"] = description
    return p


def paging_params(sorts: tuple[str, ...], default_sort: str | None) -> list[dict[str, Any]]:
    sort_schema: dict[str, Any] = {"type": "string", "enum": list(sorts)}
    if default_sort:
        sort_schema["default"] = default_sort
    return [
        _q("order", {"type": "string", "enum": ["asc", "desc"], "default": "asc"}, "Sort order."),
        _q("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
           "Items per page; must be re-sent with every page."),
        _q("pagination_token", {"type": "string"},
           "Token from a previous page; all other parameters except limit are then ignored."),
        _q("sort", sort_schema, "Field to sort by (ties broken by id)."),
    ]


def synced_record_params() -> list[dict[str, Any]]:
    dt = {"type": "string", "format": "date-time"}
    return [
        _q("object_type", {"type": "string", "enum": list(OBJECT_TYPES)}, required=True),
        *paging_params(RECORD_SORTS, "created_at"),
        _q("object_id", {"type": "string", "format": "uuid"}),
        {"name": "object_id__in", "in": "query", "required": False, "style": "form", "explode": True,
         "schema": {"type": "array", "items": {"type": "string", "format": "uuid"}, "minItems": 1}},
        *[_q(name, dt) for name in DATE_FILTERS],
    ]
