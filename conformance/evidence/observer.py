"""Which operation answered which status: the raw material of the report's coverage matrix.

Every response the suite sees (property tests and scenarios alike) is passed to `observe`.
The report plugin (`conformance.report.plugin`) says which test is running (`begin`) and
collects what that test saw after each phase (`drain`), so the data travels with the test's
report, also from pytest-xdist workers to the controller. Without the plugin (a plain pytest
run) no test is running and `observe` does nothing. Creations and removals also go to
`conformance.safety.cleanup`, which undoes leftovers on remote targets.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from conformance.evidence import created
from conformance.findings import Finding, TestEvidence
from conformance.http.exchange import Exchange, shown_body
from conformance.redaction import redact, redact_headers
from conformance.openapi.catalog import spec_catalog

# Keep this many of a test's last responses, to show the request behind a failure.
KEEP_LAST = 3


@dataclass
class _Seen:
    calls: dict[tuple[str, int], int] = field(default_factory=dict)  # (operation id, status) -> count
    unmatched: dict[str, int] = field(default_factory=dict)  # "METHOD /path -> status" -> count
    last: deque[Any] = field(default_factory=lambda: deque(maxlen=KEEP_LAST))
    check_failures: list[dict[str, str]] = field(default_factory=list)  # schemathesis' failures
    not_sent: dict[str, int] = field(default_factory=dict)  # operation id -> cases withheld
    observations: list[dict[str, Any]] = field(default_factory=list)  # Finding.as_dict() of each


_lock = threading.Lock()
_current: str | None = None
_seen = _Seen()
# Called with (operation id, status, response) for every response to a spec operation: the
# report layer records the observed contract this way (conformance.report.observed).
Listener = Callable[[str, int, Any], None]
_listeners: list[Listener] = []


# Called with (test id or None, response) for every response observed, to a spec operation or
# not: `--record` writes them to a HAR file this way (conformance.report.har).
ExchangeListener = Callable[[str | None, Any], None]
_exchange_listeners: list[ExchangeListener] = []


def listen_exchanges(listener: ExchangeListener) -> None:
    """Pass every observed response, with the test that was running, to `listener` (until unlistened)."""
    with _lock:
        _exchange_listeners.append(listener)


def unlisten_exchanges(listener: ExchangeListener) -> None:
    with _lock:
        if listener in _exchange_listeners:
            _exchange_listeners.remove(listener)


def listen(listener: Listener) -> None:
    """Pass every response to a spec operation to `listener` too (until `unlisten`)."""
    with _lock:
        _listeners.append(listener)


def unlisten(listener: Listener) -> None:
    with _lock:
        if listener in _listeners:
            _listeners.remove(listener)


def begin(nodeid: str | None) -> None:
    """Attribute the responses from now on to test `nodeid` (None: to nobody, drop them)."""
    global _current, _seen
    with _lock:
        _current = nodeid
        _seen = _Seen()


def observe(response: Any) -> None:
    """Note that the operation behind `response.request` answered `response.status_code`.

    Takes an httpx.Response or a schemathesis Response (whose request is a requests
    PreparedRequest): anything with `.status_code` and a `.request` with `.method`, `.url`.
    """
    request = getattr(response, "request", None)
    method = str(getattr(request, "method", "") or "")
    url = str(getattr(request, "url", "") or "")
    status = int(getattr(response, "status_code", 0) or 0)
    if not method or not url:
        return
    for exchange_listener in tuple(_exchange_listeners):
        exchange_listener(_current, response)
    catalog = spec_catalog()
    operation = catalog.match(method, url)
    if operation is not None:
        created.note(operation.operation_id, status, response)
        for listener in tuple(_listeners):
            listener(operation.operation_id, status, response)
    if _current is None:
        return
    # A wrong method answered 405 exercises the 405 documented for every operation of that path.
    operations = [operation] if operation is not None else catalog.on_path(url) if status == 405 else []
    with _lock:
        if _current is None:
            return
        for op in operations:
            key = (op.operation_id, status)
            _seen.calls[key] = _seen.calls.get(key, 0) + 1
        if not operations and "/_emulator" not in url:
            path = url.split("?", 1)[0]
            label = redact(f"{method} {path} -> {status}")
            _seen.unmatched[label] = _seen.unmatched.get(label, 0) + 1
        _seen.last.append(response)


def httpx_hook(response: httpx.Response) -> None:
    """An httpx `response` event hook: read the body (hooks run before it is read), observe."""
    response.read()
    observe(response)


def finding(check: str, title: str, message: str) -> None:
    """A check failed on the current test's last response (from schemathesis' filter_failure)."""
    with _lock:
        if _current is not None and len(_seen.check_failures) < 20:
            _seen.check_failures.append({"check": check, "title": redact(title), "message": redact(message)[:2000]})


def withheld(operation_id: str) -> None:
    """A generated case was not sent (it would change data the run did not create)."""
    with _lock:
        _seen.not_sent[operation_id] = _seen.not_sent.get(operation_id, 0) + 1


def observation(finding: Finding) -> None:
    """A deviation from an assumption or a probe's answer, reported instead of failing
    (`conformance.expectations.kinds`, and the property tests' excused check failures)."""
    with _lock:
        if _current is not None and len(_seen.observations) < 50:
            _seen.observations.append(finding.as_dict())


def drain(with_exchanges: bool = False) -> TestEvidence:
    """What the current test saw since the last drain, as a (partial) evidence record.

    `with_exchanges` adds its last responses (redacted, with curl): only a failure needs them.
    """
    global _seen
    with _lock:
        seen, _seen = _seen, _Seen()
    return TestEvidence(
        calls=[[op, status, count] for (op, status), count in sorted(seen.calls.items())],
        unmatched=dict(sorted(seen.unmatched.items())),
        exchanges=[exchange_of(response).as_dict() for response in seen.last] if with_exchanges else [],
        check_failures=seen.check_failures,
        not_sent=dict(sorted(seen.not_sent.items())),
        observations=seen.observations,
    )


def exchange_of(response: Any) -> Exchange:
    """An Exchange (redacted, with curl) for an httpx or a schemathesis response."""
    if hasattr(response, "read") and hasattr(response, "is_success"):  # httpx.Response
        return Exchange.from_response(response)
    request = response.request
    body = getattr(request, "body", None) or b""
    if isinstance(body, str):
        body = body.encode()
    return Exchange(
        method=str(request.method),
        url=redact(str(request.url)),
        request_headers=redact_headers({str(k): str(v) for k, v in dict(request.headers).items()}),
        request_body=shown_body(body),
        status_code=int(response.status_code),
        response_headers=redact_headers({str(k): ", ".join(v) if isinstance(v, list) else str(v)
                                         for k, v in dict(response.headers).items()}),
        response_body=shown_body(getattr(response, "content", b"") or b""),
    )
