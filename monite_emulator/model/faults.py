"""Fault rules: the failures a dependent service must survive, injected on demand (no HTTP here).

A rule matches calls and applies to the next ``times`` of them (default 1; ``"always"`` for
every one), or, with ``probability``, to each matching call with that probability drawn from
a generator seeded by ``seed`` (default 0), so the same calls in the same order meet the same
faults on every run. Rules are tried in the order they were added; the first that applies wins.

HTTP kinds (matched by operation id, or by method and path, on ``/v1`` calls):

- ``status``: answer ``status`` (400..599 except 422) with the documented error body
  ``{"error": {"message": ...}}``; a 429 carries ``Retry-After`` (``retry_after``, default 1)
  and the rate-limit headers, a 503 carries ``Retry-After`` when ``retry_after`` is given.
- ``delay``: answer normally after ``delay_seconds``.
- ``drop``: close the connection without an answer.
``status`` and ``drop`` also take ``delay_seconds`` (a slow error, a hang then a reset).

Domain kinds (matched by entity, connection or record id; any when omitted):

- ``sync_error``: the next sync job of the connection fails: ``errors`` is set on the
  connection, nothing is pulled, ``last_pull`` stays.
- ``deauthorize``: the next sync job finds the authorization revoked: the connection becomes
  ``deauthorized`` (with ``errors``).
- ``push_error``: pushes of the record settle as ``error`` (default ``times``: ``"always"``).
"""

from __future__ import annotations

import difflib
import fnmatch
import random
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from monite_emulator.model import ids
from monite_emulator.model.errors import Invalid, NotFound

HTTP_KINDS = ("status", "delay", "drop")
DOMAIN_KINDS = ("sync_error", "deauthorize", "push_error")
KINDS = HTTP_KINDS + DOMAIN_KINDS
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
ALWAYS = "always"
MAX_DELAY_SECONDS = 120.0
FIELDS = ("kind", "operation", "method", "path", "status", "delay_seconds", "retry_after", "message",
          "times", "probability", "seed", "entity_id", "connection_id", "record_id")
_OPERATION = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")

DEFAULT_MESSAGES = {
    400: "Bad request", 401: "Invalid or missing bearer token", 403: "Forbidden", 404: "Not found",
    405: "Method not allowed", 408: "Request timeout", 409: "Conflict", 413: "Request body too large",
    429: "Too many requests; retry after the Retry-After seconds", 500: "Internal server error",
    502: "Bad gateway", 503: "Service unavailable", 504: "Gateway timeout",
}
DOMAIN_MESSAGES = {
    "sync_error": "The accounting platform could not be reached during the sync (emulated fault)",
    "deauthorize": "The authorization was revoked in the accounting platform; reconnect.",
    "push_error": "The accounting platform rejected the record (emulated fault)",
}


@dataclass
class FaultRule:
    id: str
    kind: str
    operation: str | None = None
    method: str | None = None
    path: str | None = None
    status: int | None = None
    delay_seconds: float = 0.0
    retry_after: int | None = None
    message: str | None = None
    times: int | None = 1  # None: always
    probability: float | None = None
    seed: int = 0
    entity_id: str | None = None
    connection_id: str | None = None
    record_id: str | None = None
    hits: int = 0
    _rng: random.Random = field(default_factory=random.Random, repr=False)

    @property
    def remaining(self) -> int | None:
        return None if self.times is None else max(0, self.times - self.hits)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id}
        for name in FIELDS:
            value = getattr(self, name)
            if name == "times":
                value = ALWAYS if value is None else value
            if value is not None and not (name == "delay_seconds" and not value):
                out[name] = value
        out["hits"] = self.hits
        out["remaining"] = ALWAYS if self.remaining is None else self.remaining
        return out

    # --- matching ------------------------------------------------------------------------
    def matches_call(self, operation_ids: tuple[str, ...], method: str, path: str, template: str) -> bool:
        if self.operation is not None and self.operation not in operation_ids:
            return False
        if self.method is not None and self.method != method:
            return False
        if self.path is not None:
            if "{" in self.path:
                return self.path == template
            return fnmatch.fnmatchcase(path, self.path)
        return True

    def matches_ids(self, entity_id: str | None, connection_id: str | None, record_id: str | None) -> bool:
        return ((self.entity_id is None or self.entity_id == entity_id)
                and (self.connection_id is None or self.connection_id == connection_id)
                and (self.record_id is None or self.record_id == record_id))

    def fire(self) -> bool:
        """Whether this matching call meets the fault (counts it when it does)."""
        if self.times is not None and self.hits >= self.times:
            return False
        if self.probability is not None and self._rng.random() >= self.probability:
            return False
        self.hits += 1
        return True


class FaultBook:
    """The active fault rules of one emulator. Thread-safe; cheap when empty."""

    def __init__(self, operations: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._http: list[FaultRule] = []
        self._domain: list[FaultRule] = []
        self._number = 0
        self.operations = frozenset(operations)  # the operation ids a rule may name (all, when empty)

    def add(self, spec: dict[str, Any]) -> FaultRule:
        with self._lock:
            rule = parse_rule(spec, f"f{self._number + 1}", self.operations)
            self._number += 1
            (self._http if rule.kind in HTTP_KINDS else self._domain).append(rule)
            return rule

    def list(self) -> list[FaultRule]:
        with self._lock:
            return sorted(self._http + self._domain, key=lambda r: int(r.id[1:]))

    def remove(self, rule_id: str) -> FaultRule:
        with self._lock:
            for rules in (self._http, self._domain):
                for rule in rules:
                    if rule.id == rule_id:
                        rules.remove(rule)
                        return rule
        raise NotFound(f"Fault rule {rule_id!r} not found")

    def clear(self) -> int:
        """Remove every rule (rule ids start again at f1)."""
        with self._lock:
            count = len(self._http) + len(self._domain)
            self._http, self._domain, self._number = [], [], 0
            return count

    def http_fault(self, operation_ids: tuple[str, ...], method: str, path: str, template: str) -> FaultRule | None:
        """The HTTP fault this call meets, if any."""
        if not self._http:  # the common case: no lock, no work
            return None
        with self._lock:
            for rule in self._http:
                if rule.matches_call(operation_ids, method, path, template) and rule.fire():
                    return rule
        return None

    def domain_fault(self, kind: str, *, entity_id: str | None = None, connection_id: str | None = None,
                     record_id: str | None = None) -> FaultRule | None:
        """The domain fault of ``kind`` this event meets, if any."""
        if not self._domain:
            return None
        with self._lock:
            for rule in self._domain:
                if rule.kind == kind and rule.matches_ids(entity_id, connection_id, record_id) and rule.fire():
                    return rule
        return None


# --- validation ------------------------------------------------------------------------------
def _bad(name: str, message: str) -> Invalid:
    return Invalid(["body", name], message, "value_error")


def _int(spec: dict[str, Any], name: str, low: int, high: int) -> int | None:
    value = spec.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(name, f"{name} must be an integer")
    if not low <= value <= high:
        raise _bad(name, f"{name} must be between {low} and {high}")
    return value


def _number(spec: dict[str, Any], name: str, low: float, high: float, *, low_open: bool = False) -> float | None:
    value = spec.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad(name, f"{name} must be a number")
    if value > high or value < low or (low_open and value == low):
        raise _bad(name, f"{name} must be {'above' if low_open else 'at least'} {low:g} and at most {high:g}")
    return float(value)


def _text(spec: dict[str, Any], name: str, limit: int) -> str | None:
    value = spec.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value or len(value) > limit:
        raise _bad(name, f"{name} must be a non-empty string of at most {limit} characters")
    return value


def _uuid(spec: dict[str, Any], name: str) -> str | None:
    value = spec.get(name)
    if value is None:
        return None
    normal = ids.normalize(value) if isinstance(value, str) else None
    if normal is None:
        raise _bad(name, f"{name} must be a uuid")
    return normal


def _kind(spec: dict[str, Any]) -> str:
    kind = spec.get("kind")
    if kind is None:  # inferred from what the rule answers
        if spec.get("status") is not None:
            return "status"
        if spec.get("drop"):
            return "drop"
        if spec.get("delay_seconds") is not None:
            return "delay"
        raise _bad("kind", f"kind is required (one of {', '.join(KINDS)}) unless status, drop or delay_seconds says it")
    if kind not in KINDS:
        raise _bad("kind", f"kind must be one of {', '.join(KINDS)}")
    return str(kind)


def parse_rule(spec: dict[str, Any], rule_id: str, operations: frozenset[str] = frozenset()) -> FaultRule:
    """A validated rule from its JSON form (control plane, fixture, CLI); `Invalid` names the bad field."""
    if not isinstance(spec, dict):
        raise Invalid(["body"], "A fault rule is a JSON object", "model_type")
    unknown = sorted(set(spec) - set(FIELDS) - {"drop"})
    if unknown:
        raise _bad(unknown[0], f"unknown field {unknown[0]!r}; fields: {', '.join(FIELDS)}")
    kind = _kind(spec)
    if spec.get("drop") not in (None, True, False) or (spec.get("drop") and kind != "drop"):
        raise _bad("drop", "drop must be true, and only for kind drop")
    rule = FaultRule(id=rule_id, kind=kind)
    rule.message = _text(spec, "message", 500)
    rule.probability = _number(spec, "probability", 0.0, 1.0, low_open=True)
    rule.seed = _int(spec, "seed", -(2**63), 2**63 - 1) or 0
    rule._rng = random.Random(rule.seed)
    times = spec.get("times")
    if times == ALWAYS:
        rule.times = None
    elif times is None:
        rule.times = None if (rule.probability is not None or kind == "push_error") else 1
    else:
        rule.times = _int(spec, "times", 1, 1_000_000)
    rule.delay_seconds = _number(spec, "delay_seconds", 0.0, MAX_DELAY_SECONDS) or 0.0
    if kind in HTTP_KINDS:
        _parse_http(spec, rule, operations)
    else:
        _parse_domain(spec, rule)
    return rule


def _parse_http(spec: dict[str, Any], rule: FaultRule, operations: frozenset[str]) -> None:
    for name in ("entity_id", "connection_id", "record_id"):
        if spec.get(name) is not None:
            raise _bad(name, f"{name} is for the domain kinds ({', '.join(DOMAIN_KINDS)}); match calls by operation or method and path")
    operation = spec.get("operation")
    if operation is not None and (not isinstance(operation, str) or not _OPERATION.match(operation)):
        raise _bad("operation", "operation must be an operation id such as getLedgerAccount")
    if operation is not None and operations and operation not in operations:
        close = difflib.get_close_matches(operation, sorted(operations), n=1)
        hint = f"did you mean {close[0]}?" if close else "known: " + ", ".join(
            sorted(name for name in operations if "_" not in name))
        raise _bad("operation", f"unknown operation {operation!r} ({hint})")
    rule.operation = operation
    method = spec.get("method")
    if method is not None:
        if not isinstance(method, str) or method.upper() not in METHODS:
            raise _bad("method", f"method must be one of {', '.join(METHODS)}")
        rule.method = method.upper()
    path = _text(spec, "path", 300)
    if path is not None:
        if not path.startswith("/"):
            raise _bad("path", "path must start with / (e.g. /v1/ledger_accounts/* or /ledger_accounts/{ledger_account_id})")
        rule.path = path if path == "/v1" or path.startswith("/v1/") else "/v1" + path
    if rule.operation is None and rule.method is None and rule.path is None:
        raise _bad("operation", "a rule must match something: give operation, or method and/or path")
    status = _int(spec, "status", 400, 599)
    if rule.kind == "status":
        if status is None:
            raise _bad("status", "status is required for kind status")
        if status == 422:
            raise _bad("status", "status 422 has a different body shape; inject 400..599 except 422")
        rule.status = status
        rule.retry_after = _int(spec, "retry_after", 1, 3600)
        if status == 429 and rule.retry_after is None:
            rule.retry_after = 1
    else:
        for name in ("status", "retry_after"):
            if spec.get(name) is not None:
                raise _bad(name, f"{name} is only for kind status")
        if rule.kind == "delay" and not rule.delay_seconds:
            raise _bad("delay_seconds", "delay_seconds (above 0) is required for kind delay")


def _parse_domain(spec: dict[str, Any], rule: FaultRule) -> None:
    for name in ("operation", "method", "path", "status", "retry_after", "delay_seconds"):
        if spec.get(name) is not None:
            raise _bad(name, f"{name} is for the HTTP kinds ({', '.join(HTTP_KINDS)})")
    rule.entity_id = _uuid(spec, "entity_id")
    rule.connection_id = _uuid(spec, "connection_id")
    rule.record_id = _uuid(spec, "record_id")
    if rule.kind != "push_error" and rule.record_id is not None:
        raise _bad("record_id", "record_id is for kind push_error")
    if rule.kind == "push_error" and rule.connection_id is not None:
        raise _bad("connection_id", "push_error matches entity_id and record_id")


def answer_message(rule: FaultRule) -> str:
    """The error message of a status rule, or the errors text a domain rule leaves."""
    if rule.message:
        return rule.message
    if rule.kind == "status":
        return DEFAULT_MESSAGES.get(rule.status or 500, "Emulated fault")
    return DOMAIN_MESSAGES.get(rule.kind, "Emulated fault")
