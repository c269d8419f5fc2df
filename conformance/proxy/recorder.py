"""What the proxy has seen so far: statuses per operation, violations with their exchange, counts.

Thread-safe and bounded: the first `MAX_RECORDED` violations keep their exchange (redacted,
with a curl command); later ones are only counted, so a long session cannot exhaust memory.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from conformance.http.exchange import Exchange
from conformance.findings import Finding
from conformance.proxy.catalogue import record as record_of
from conformance.proxy.traffic import SeenRequest, SeenResponse

MAX_RECORDED = 500
MAX_LABELS = 200  # distinct unmatched / outside-the-API request labels kept


@dataclass
class Traffic:
    """A consistent copy of what was recorded, for the reports."""

    started_at: str
    exchanges: int
    statuses: dict[str, dict[int, int]]  # operation id -> status -> responses
    violated: dict[str, dict[int | None, list[str]]]  # operation id -> status -> rule ids broken there
    violations: list[dict[str, Any]]  # recorded ones, each with its exchange
    observations: list[dict[str, Any]]  # assumption deviations of a foreign upstream: reported, never failing
    counts: dict[str, int]  # request/response violations and observations, in all (recorded or not)
    by_rule: dict[str, int]
    unmatched: dict[str, int]  # /v1 requests that matched no operation: "METHOD /path -> status"
    outside_api: dict[str, int]  # requests outside /v1, passed through unjudged
    problems: dict[str, int]  # "METHOD /path: what went wrong" (upstream unreachable, a bug in the checks)
    not_recorded: int


@dataclass
class _State:
    exchanges: int = 0
    statuses: dict[str, Counter[int]] = field(default_factory=dict)
    violated: dict[str, dict[int | None, set[str]]] = field(default_factory=dict)
    violations: list[dict[str, Any]] = field(default_factory=list)
    observations: list[dict[str, Any]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    by_rule: Counter[str] = field(default_factory=Counter)
    unmatched: Counter[str] = field(default_factory=Counter)
    outside_api: Counter[str] = field(default_factory=Counter)
    problems: Counter[str] = field(default_factory=Counter)
    not_recorded: int = 0


class Recorder:
    def __init__(self, max_recorded: int = MAX_RECORDED) -> None:
        self.started_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        self._max = max_recorded
        self._lock = threading.Lock()
        self._state = _State()

    def record(self, operation: str | None, request: SeenRequest, response: SeenResponse | None,
               violations: list[Finding], observations: list[Finding]) -> None:
        """One exchange: `operation` None when the /v1 request matched no operation."""
        status = response.status if response is not None else None
        exchange = _exchange(request, response) if violations or observations else None
        with self._lock:
            state = self._state
            state.exchanges += 1
            if operation is not None and status is not None:
                state.statuses.setdefault(operation, Counter())[status] += 1
            elif operation is None:
                _count(state.unmatched, f"{request.label} -> {status if status is not None else 'no answer'}")
            for found in violations:
                state.counts[found.rule.side or "response"] += 1
                state.by_rule[found.rule.id] += 1
                if operation is not None:
                    state.violated.setdefault(operation, {}).setdefault(status, set()).add(found.rule.id)
            for found in observations:
                state.counts["observations"] += 1
            for found, target in [(v, state.violations) for v in violations] + [(o, state.observations)
                                                                               for o in observations]:
                if len(state.violations) + len(state.observations) < self._max:
                    target.append({**record_of(found), "exchange": exchange})
                else:
                    state.not_recorded += 1

    def outside_api(self, request: SeenRequest) -> None:
        with self._lock:
            self._state.exchanges += 1
            _count(self._state.outside_api, request.label)

    def problem(self, request: SeenRequest, what: str) -> None:
        with self._lock:
            _count(self._state.problems, f"{request.label}: {what}")

    def malformed(self, what: str) -> None:
        """A request the HTTP parser refused (NUL or control bytes in the request line or a header,
        a broken request line): answered 400 by the proxy, never forwarded, counted here."""
        with self._lock:
            self._state.exchanges += 1
            _count(self._state.problems, f"malformed HTTP request, answered 400 and not forwarded: {what}")

    def snapshot(self) -> Traffic:
        with self._lock:
            state = self._state
            return Traffic(
                started_at=self.started_at,
                exchanges=state.exchanges,
                statuses={op: dict(sorted(counter.items())) for op, counter in sorted(state.statuses.items())},
                violated={op: {status: sorted(found) for status, found in by_status.items()}
                          for op, by_status in state.violated.items()},
                violations=list(state.violations),
                observations=list(state.observations),
                counts={"request": state.counts["request"], "response": state.counts["response"],
                        "observations": state.counts["observations"]},
                by_rule=dict(sorted(state.by_rule.items())),
                unmatched=dict(state.unmatched.most_common()),
                outside_api=dict(state.outside_api.most_common()),
                problems=dict(state.problems.most_common()),
                not_recorded=state.not_recorded,
            )


def _count(counter: Counter[str], label: str) -> None:
    if label in counter or len(counter) < MAX_LABELS:
        counter[label] += 1


def _exchange(request: SeenRequest, response: SeenResponse | None) -> dict[str, Any]:
    """The exchange as the reports show it: redacted, bodies truncated, with a curl to the upstream."""
    return Exchange.from_parts(
        request.method, request.upstream_url, request.headers, request.body or b"",
        response.status if response is not None else 0,
        response.headers if response is not None else {}, (response.body or b"") if response is not None else b"",
    ).as_dict()
