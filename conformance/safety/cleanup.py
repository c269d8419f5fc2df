"""Undo what a test created on a target, even when the test failed or was interrupted.

Scenarios clean up after themselves; generated property tests (schemathesis) do not know
what they created. `conformance.evidence.created` tracks every creation the run saw; after
each test whatever is still open is deleted (ledger accounts) or disconnected (connections)
with the suite's partner token. The pytest plugin does this after every test, so it happens
with or without the report plugin, on failure and on Ctrl-C.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from conformance import interrupt
from conformance.evidence.created import Created
from conformance.http.auth import api_headers
from conformance.http.pacing import send_paced

_UNDO_REQUEST = {
    "ledger_account": ("DELETE", "/ledger_accounts/{id}"),
    "connection": ("POST", "/accounting_connections/{id}/disconnect"),
}

_abandoned: list[str] = []


def remove(leftovers: list[Created], base_url: str, api_version: str, token: Callable[[], str],
           http: httpx.Client) -> list[str]:
    """Undo each leftover; return what could not be undone (one line each, no secrets).

    A first Ctrl-C does not stop the cleanup (it takes effect once it is done); a second one
    abandons it: what is left is returned and kept for the command to print (`abandoned`).
    """
    failures = []
    with interrupt.deferred():
        for n, item in enumerate(leftovers):
            method, path = _UNDO_REQUEST[item.kind]
            url = base_url + path.format(id=item.id)
            try:
                if interrupt.insisted():
                    raise KeyboardInterrupt
                interrupt.moment("cleanup")
                headers = api_headers(api_version, item.entity_id, token())
                response = send_paced(lambda: http.request(method, url, headers=headers))
            except KeyboardInterrupt:  # Ctrl-C a second time: leave the rest, say what it is
                left = [f"{rest.label()}: not undone (cleanup abandoned at a second Ctrl-C)" for rest in leftovers[n:]]
                _abandoned.extend(left)
                failures.extend(left)
                break
            except httpx.HTTPError as exc:
                failures.append(f"{item.label()}: {type(exc).__name__}")
                continue
            if not (200 <= response.status_code < 300 or response.status_code == 404):
                failures.append(f"{item.label()}: {method} answered {response.status_code}")
    return failures


def abandoned() -> list[str]:
    """What cleanups of this process left on the target at a second Ctrl-C (one line each)."""
    return list(_abandoned)
