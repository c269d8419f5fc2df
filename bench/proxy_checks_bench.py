"""What the proxy's checks cost per exchange, without any network: `Inspector.inspect` on a
recorded request and answer, for one object, a 12-item page and a 250-item page; and the
schema validation alone with jsonschema-rs (what the proxy uses) against `jsonschema`.

    python bench/proxy_checks_bench.py
"""

from __future__ import annotations

import json
import platform
import time
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from conformance.openapi.contract import SPEC_URI, spec_contract
from conformance.proxy.inspector import Inspector
from conformance.proxy.recorder import Recorder
from conformance.proxy.traffic import SeenRequest, SeenResponse
from conformance.openapi.files import load_spec

HEADERS = {"x-monite-version": "2024-05-25", "x-monite-entity-id": "9d2b4c8f-2087-4738-ba91-7359683c49a4",
           "authorization": "Bearer bench-token-0000"}
ACCOUNT = {"id": "7b9e2f14-5c3a-4d8e-b1f6-0a2c4e6d8f10", "created_at": "2024-01-15T09:30:00Z",
           "updated_at": "2024-01-15T09:30:00Z", "is_bank_account": False, "status": "Active", "type": "Asset",
           "is_external": True, "currency": "EUR", "current_balance": 1250000, "name": "Accounts Receivable",
           "description": "Amounts owed by customers for invoiced sales.", "nominal_code": "610", "subtype": "Current"}


def _per_call_ms(action: Any, repeat: int) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        action()
    return (time.perf_counter() - started) / repeat * 1000


def _page(items: int) -> dict[str, Any]:
    return {"data": [ACCOUNT] * items, "next_pagination_token": "t", "prev_pagination_token": None}


def main() -> None:
    inspector = Inspector(spec_contract(), Recorder(), assumptions_bind=True)
    answer_headers = {"content-type": "application/json", "x-monite-version": "2024-05-25"}
    cases = [("GET /ledger_accounts/{id}", f"/v1/ledger_accounts/{ACCOUNT['id']}", [], ACCOUNT, 2000),
             ("GET /ledger_accounts?limit=12", "/v1/ledger_accounts", [("limit", "12")], _page(12), 500),
             ("GET /ledger_accounts (250 items)", "/v1/ledger_accounts", [], _page(250), 50)]
    spec = load_spec()
    registry = Registry().with_resource(SPEC_URI, DRAFT202012.create_resource(spec))
    slow = Draft202012Validator({"$ref": f"{SPEC_URI}#/components/schemas/LedgerAccountList"}, registry=registry,
                                format_checker=Draft202012Validator.FORMAT_CHECKER)
    fast = spec_contract().operations["listLedgerAccounts"].responses["200"].schema
    assert fast is not None
    print(f"Python {platform.python_version()}")
    print()
    print("| exchange | inspect ms (all checks, JSON parsing included) |")
    print("|---|---:|")
    for label, path, query, body, repeat in cases:
        request = SeenRequest("GET", path, query, HEADERS, b"", f"http://upstream{path}")
        response = SeenResponse(200, answer_headers, json.dumps(body).encode())
        assert inspector.inspect(request, response) == []
        print(f"| {label} | {_per_call_ms(lambda: inspector.inspect(request, response), repeat):.3f} |")
    print()
    print("| 250-item page, schema validation only | ms |")
    print("|---|---:|")
    page = _page(250)
    print(f"| jsonschema-rs (the proxy) | {_per_call_ms(lambda: fast.errors(page), 50):.3f} |")
    print(f"| jsonschema (Draft202012Validator) | {_per_call_ms(lambda: list(slow.iter_errors(page)), 10):.3f} |")


if __name__ == "__main__":
    main()
