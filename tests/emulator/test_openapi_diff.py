"""Compare the emulator's generated OpenAPI document with spec/monite-accounting.yaml.

Asserts that every operation of the spec exists in the emulator (method + path); every other
difference (status codes, parameters, required flags) is reported — printed, and written to
the file named by $MONITE_OPENAPI_DIFF when set — without failing the test.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from monite_emulator.app import create_app

SPEC = Path(__file__).parents[2] / "spec" / "monite-accounting.yaml"
METHODS = {"get", "post", "put", "patch", "delete", "head", "options"}


def _norm(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path.rstrip("/") or "/")


def _resolve(doc: dict, obj: Any) -> Any:
    while isinstance(obj, dict) and "$ref" in obj and isinstance(obj["$ref"], str) and obj["$ref"].startswith("#/"):
        target: Any = doc
        for part in obj["$ref"][2:].split("/"):
            target = target.get(part.replace("~1", "/").replace("~0", "~"), {}) if isinstance(target, dict) else {}
        obj = target
    return obj


def _ops(doc: dict, prefix: str = "") -> dict[tuple[str, str], dict]:
    out: dict[tuple[str, str], dict] = {}
    for path, item in (doc.get("paths") or {}).items():
        item = _resolve(doc, item)
        common = item.get("parameters", [])
        for method, op in item.items():
            if method not in METHODS or not isinstance(op, dict):
                continue
            params = {}
            for p in [*common, *op.get("parameters", [])]:
                p = _resolve(doc, p)
                if isinstance(p, dict) and "name" in p:
                    loc = p.get("in", "?")
                    name = p["name"].lower() if loc == "header" else p["name"]
                    params[(loc, name)] = bool(p.get("required", False))
            out[(method.upper(), _norm(prefix + path))] = {
                "statuses": {str(s) for s in (op.get("responses") or {})},
                "params": params,
                "body": "requestBody" in op,
                "body_required": bool(_resolve(doc, op.get("requestBody", {})).get("required", False)),
            }
    return out


def _spec_prefix(spec: dict) -> str:
    """Paths in the spec may be written relative to a server URL ending in /v1."""
    paths = list((spec.get("paths") or {}).keys())
    if paths and all(p.startswith("/v1") for p in paths):
        return ""
    for server in spec.get("servers") or []:
        if str(server.get("url", "")).rstrip("/").endswith("/v1"):
            return "/v1"
    return "/v1"


def diff(spec: dict, emu: dict) -> tuple[list[str], list[str]]:
    s_ops, e_ops = _ops(spec, _spec_prefix(spec)), _ops(emu)
    missing = [f"{m} {p}" for (m, p) in sorted(s_ops) if (m, p) not in e_ops]
    notes = [f"emulator-only operation: {m} {p}" for (m, p) in sorted(e_ops) if (m, p) not in s_ops]
    ignored_headers = {("header", "authorization")}
    for key in sorted(set(s_ops) & set(e_ops)):
        s, e = s_ops[key], e_ops[key]
        op = f"{key[0]} {key[1]}"
        for code in sorted(s["statuses"] - e["statuses"]):
            notes.append(f"{op}: status {code} in spec, not documented by the emulator")
        for code in sorted(e["statuses"] - s["statuses"]):
            notes.append(f"{op}: status {code} documented by the emulator, not in spec")
        for p in sorted(set(s["params"]) - set(e["params"]) - ignored_headers):
            notes.append(f"{op}: parameter {p[0]}:{p[1]} in spec only")
        for p in sorted(set(e["params"]) - set(s["params"]) - ignored_headers):
            notes.append(f"{op}: parameter {p[0]}:{p[1]} in emulator only")
        for p in sorted(set(s["params"]) & set(e["params"])):
            if s["params"][p] != e["params"][p]:
                notes.append(f"{op}: parameter {p[0]}:{p[1]} required spec={s['params'][p]} emulator={e['params'][p]}")
        if s["body"] != e["body"]:
            notes.append(f"{op}: request body spec={s['body']} emulator={e['body']}")
        elif s["body"] and s["body_required"] != e["body_required"]:
            notes.append(f"{op}: request body required spec={s['body_required']} emulator={e['body_required']}")
    return missing, notes


# Differences reviewed and accepted, each with why. Any other difference fails the test: a change
# to the spec or the emulator that makes them disagree must be fixed or added here with a reason.
REVIEWED = {
    # 404 on list and create endpoints: the spec declares it for a wrong /v1 path under the same
    # prefix (A9); FastAPI's document lists only what a route itself returns.
    "GET /v1/accounting_connections: status 404 in spec, not documented by the emulator",
    "GET /v1/accounting_synced_records: status 404 in spec, not documented by the emulator",
    "GET /v1/accounting_tax_rates: status 404 in spec, not documented by the emulator",
    "GET /v1/ledger_accounts: status 404 in spec, not documented by the emulator",
    "POST /v1/accounting_connections: status 404 in spec, not documented by the emulator",
    "POST /v1/ledger_accounts: status 404 in spec, not documented by the emulator",
    # 416 on the paginated lists: documented by the concepts page (a docs disagreement the spec
    # declares so a target answering it is judged, A13); the emulator follows the reference (422).
    "GET /v1/accounting_synced_records: status 416 in spec, not documented by the emulator",
    "GET /v1/accounting_tax_rates: status 416 in spec, not documented by the emulator",
    "GET /v1/ledger_accounts: status 416 in spec, not documented by the emulator",
    # 413 on POSTs without a documented body: the middleware refuses any body over 1 MiB (A18)
    # before routing, which FastAPI's document of the route cannot show.
    "POST /v1/accounting_connections/{}/disconnect: status 413 in spec, not documented by the emulator",
    "POST /v1/accounting_connections/{}/sync: status 413 in spec, not documented by the emulator",
    "POST /v1/accounting_synced_records/{}/push: status 413 in spec, not documented by the emulator",
}


def test_openapi_matches_spec() -> None:
    import yaml

    spec = yaml.safe_load(SPEC.read_text())
    with TestClient(create_app()) as c:
        emu = c.get("/openapi.json").json()
    missing, notes = diff(spec, emu)
    report = ["# emulator vs spec/monite-accounting.yaml", *[f"MISSING in emulator: {m}" for m in missing], *notes]
    text = "\n".join(report) + "\n"
    print(text)
    target = os.environ.get("MONITE_OPENAPI_DIFF")
    if target:
        Path(target).write_text(text)
    assert not missing, f"spec operations missing from the emulator: {missing}"
    unreviewed = sorted(set(notes) - REVIEWED)
    assert not unreviewed, f"differences between the emulator's document and the spec not reviewed: {unreviewed}"
    stale = sorted(REVIEWED - set(notes))
    assert not stale, f"reviewed differences that no longer exist (remove them from REVIEWED): {stale}"


def test_diff_helper_detects_differences() -> None:
    spec = {"paths": {"/v1/x/{id}": {"get": {"responses": {"200": {}, "404": {}},
                                              "parameters": [{"name": "q", "in": "query", "required": True}]}},
                      "/v1/y": {"post": {"responses": {"201": {}}}}}}
    emu = {"paths": {"/v1/x/{x_id}": {"get": {"responses": {"200": {}},
                                               "parameters": [{"name": "q", "in": "query"}]}}}}
    missing, notes = diff(spec, emu)
    assert missing == ["POST /v1/y"]
    assert any("status 404" in n for n in notes) and any("required spec=True" in n for n in notes)
