"""Put back what a run allowed to change existing resources changed, where the API lets us.

With `--allow-changes-to-existing` (a throwaway entity) the suite may PATCH, sync, push,
disconnect and delete resources it did not create. Before the first test it reads the fields a
PATCH can set on every ledger account of the entity; after the last one it PATCHes the
accounts the run changed back to those values. A field that was null cannot be sent back
(a field sent as null is refused, A25) and is reported; deletions and disconnections cannot
be undone and are listed by `conformance.evidence.created.changes()`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from conformance.evidence.created import Change
from conformance.http.auth import api_headers
from conformance.http.pacing import send_paced

# What POST/PATCH /ledger_accounts can set (docs: api/ledger-accounts/patch-ledger-accounts-id).
PATCHABLE = ("name", "nominal_code", "description")
PAGE = 100  # within both documented ranges of `limit` (1..100 and 1..250)
MAX_PAGES = 100


def snapshot(base_url: str, api_version: str, entity_id: str, token: Callable[[], str],
             http: httpx.Client) -> dict[str, dict[str, Any]]:
    """Every ledger account of the entity: id -> the fields a PATCH can set (reads only)."""
    accounts: dict[str, dict[str, Any]] = {}
    params: dict[str, Any] = {"limit": PAGE}
    for _ in range(MAX_PAGES):
        response = send_paced(lambda: http.get(f"{base_url}/ledger_accounts", params=params,
                                               headers=api_headers(api_version, entity_id, token())))
        if response.status_code != 200:
            break
        body = response.json()
        for item in body.get("data") or []:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                accounts[item["id"]] = {name: item.get(name) for name in PATCHABLE}
        following = body.get("next_pagination_token")
        if not following:
            break
        params = {"limit": PAGE, "pagination_token": following}
    return accounts


def restore(changes: list[Change], before: dict[str, dict[str, Any]], base_url: str, api_version: str,
            token: Callable[[], str], http: httpx.Client) -> list[str]:
    """PATCH every changed ledger account back to `before`; one line per account on what happened."""
    lines = []
    for change in changes:
        if change.operation_id != "updateLedgerAccount":
            continue
        fields = before.get(change.id)
        if fields is None:
            lines.append(f"ledger account {change.id}: not restored (not seen before the run)")
            continue
        body = {name: value for name, value in fields.items() if value is not None}
        unset = sorted(name for name, value in fields.items() if value is None)
        try:
            response = send_paced(lambda: http.patch(f"{base_url}/ledger_accounts/{change.id}", json=body,
                                                     headers=api_headers(api_version, change.entity_id, token())))
        except httpx.HTTPError as exc:
            lines.append(f"ledger account {change.id}: not restored ({type(exc).__name__})")
            continue
        if not 200 <= response.status_code < 300:
            lines.append(f"ledger account {change.id}: not restored (PATCH answered {response.status_code})")
        elif unset:
            lines.append(f"ledger account {change.id}: restored, except {', '.join(unset)} (was null: "
                         f"a null cannot be sent back, A25)")
        else:
            lines.append(f"ledger account {change.id}: restored")
    return lines
