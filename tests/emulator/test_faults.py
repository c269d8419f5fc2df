"""Fault rules: every kind, counts, seeded probability, matching, listing, clearing, reset, the CLI."""

from __future__ import annotations

import logging
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from emu_helpers import Api, get_token
from monite_emulator.app import create_app
from monite_emulator.cli import parse_fault_spec
from monite_emulator.settings import EmulatorSettings

ROOT = Path(__file__).parents[2]
RATE_HEADERS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "X-RateLimit-Limit-Second",
                "X-RateLimit-Remaining-Second")


def add(client: TestClient, **rule) -> dict:
    r = client.post("/_emulator/faults", json=rule)
    assert r.status_code == 201, r.text
    return r.json()


def first_account(api: Api) -> str:
    return api.get("/v1/ledger_accounts", params={"limit": 1}).json()["data"][0]["id"]


# --- status answers -------------------------------------------------------------------------
def test_429_has_retry_after_and_rate_limit_headers(seeded: Api, caplog: pytest.LogCaptureFixture) -> None:
    account = first_account(seeded)
    rule = add(seeded.client, operation="getLedgerAccount", status=429, retry_after=3)
    with caplog.at_level(logging.WARNING, logger="monite_emulator.faults"):
        r = seeded.get(f"/v1/ledger_accounts/{account}")
    assert r.status_code == 429
    assert r.json() == {"error": {"message": "Too many requests; retry after the Retry-After seconds"}}
    assert r.headers["Retry-After"] == "3" and r.headers["RateLimit-Reset"] == "3"
    assert all(name in r.headers for name in RATE_HEADERS)
    assert r.headers["RateLimit-Remaining"] == "0" and r.headers["X-RateLimit-Remaining-Second"] == "0"
    assert r.headers["x-emulator-fault"] == rule["id"] == "f1"
    assert r.headers["x-request-id"] and r.headers["x-monite-version"] == "2024-05-25"
    assert [rec.getMessage() for rec in caplog.records] == [
        f"fault f1 (status 429) injected into GET /v1/ledger_accounts/{account}"]
    after = seeded.get(f"/v1/ledger_accounts/{account}")  # times defaults to 1
    assert after.status_code == 200 and "x-emulator-fault" not in after.headers


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_have_the_documented_body(api: Api, status: int) -> None:
    add(api.client, operation="listAccountingConnections", status=status)
    r = api.get("/v1/accounting_connections")
    assert r.status_code == status
    assert set(r.json()) == {"error"} and set(r.json()["error"]) == {"message"} and r.json()["error"]["message"]
    assert "Retry-After" not in r.headers
    assert api.get("/v1/accounting_connections").status_code == 200


def test_503_with_retry_after_and_own_message(api: Api) -> None:
    add(api.client, operation="listAccountingConnections", status=503, retry_after=2, message="maintenance")
    r = api.get("/v1/accounting_connections")
    assert (r.status_code, r.headers["Retry-After"], r.json()) == (503, "2", {"error": {"message": "maintenance"}})


def test_a_fault_answers_before_the_version_and_token_checks(client: TestClient) -> None:
    add(client, method="GET", path="/accounting_connections", status=503)
    r = client.get("/v1/accounting_connections")  # no headers at all
    assert r.status_code == 503 and r.headers["x-emulator-fault"] == "f1"
    assert client.get("/v1/accounting_connections").status_code == 400  # the rule is spent: A1 again


# --- counts, matching ------------------------------------------------------------------------
def test_times_counts_and_listing(api: Api) -> None:
    add(api.client, operation="get_accounting_connections", status=500, times=2)  # Monite's operation id
    assert [api.get("/v1/accounting_connections").status_code for _ in range(3)] == [500, 500, 200]
    listed = api.client.get("/_emulator/faults").json()["faults"]
    assert listed == [{"id": "f1", "kind": "status", "operation": "get_accounting_connections", "status": 500,
                       "times": 2, "seed": 0, "hits": 2, "remaining": 0}]


def test_always_until_removed(api: Api) -> None:
    rule = add(api.client, operation="listAccountingConnections", status=502, times="always")
    assert [api.get("/v1/accounting_connections").status_code for _ in range(4)] == [502] * 4
    assert api.client.delete(f"/_emulator/faults/{rule['id']}").json()["hits"] == 4
    assert api.get("/v1/accounting_connections").status_code == 200
    assert api.client.delete("/_emulator/faults/f1").status_code == 404


def test_matching_by_operation_template_glob_and_method(seeded: Api) -> None:
    account = first_account(seeded)
    add(seeded.client, path="/v1/ledger_accounts/{ledger_account_id}", method="PATCH", status=500)
    add(seeded.client, path="/accounting_tax_rates*", status=502)
    assert seeded.get(f"/v1/ledger_accounts/{account}").status_code == 200  # GET: the method does not match
    assert seeded.patch(f"/v1/ledger_accounts/{account}", json={}).status_code == 500
    assert seeded.get("/v1/ledger_accounts").status_code == 200  # another template
    assert seeded.get("/v1/accounting_tax_rates").status_code == 502
    assert seeded.get("/v1/accounting_tax_rates").status_code == 200


def test_first_rule_added_wins(api: Api) -> None:
    add(api.client, operation="listAccountingConnections", status=500)
    add(api.client, operation="listAccountingConnections", status=503)
    assert [api.get("/v1/accounting_connections").status_code for _ in range(3)] == [500, 503, 200]


def test_control_plane_is_never_faulted(client: TestClient) -> None:
    add(client, method="POST", path="/*", status=503, times="always")
    assert client.post("/_emulator/reset").status_code == 200


def _pattern(seed: int) -> list[int]:
    with TestClient(create_app()) as client:
        api = Api(client, get_token(client), str(uuid.uuid4()))
        add(client, operation="listAccountingConnections", status=503, probability=0.3, seed=seed)
        return [api.get("/v1/accounting_connections").status_code for _ in range(40)]


def test_probability_is_seeded_and_deterministic() -> None:
    first, again, other = _pattern(7), _pattern(7), _pattern(8)
    assert first == again
    assert 0 < first.count(503) < 40 and set(first) == {200, 503}
    assert first != other


# --- delay and drop ---------------------------------------------------------------------------
def test_delay_then_normal_answer(api: Api) -> None:
    add(api.client, operation="listAccountingConnections", delay_seconds=0.3)
    started = time.monotonic()
    r = api.get("/v1/accounting_connections")
    assert time.monotonic() - started >= 0.3
    assert r.status_code == 200 and r.json() == {"data": []} and r.headers["x-emulator-fault"] == "f1"


def test_slow_error(api: Api) -> None:
    add(api.client, operation="listAccountingConnections", status=504, delay_seconds=0.2)
    started = time.monotonic()
    assert api.get("/v1/accounting_connections").status_code == 504
    assert time.monotonic() - started >= 0.2


def test_drop_in_process_raises_what_httpx_raises(api: Api) -> None:
    add(api.client, operation="listAccountingConnections", drop=True)
    with pytest.raises(httpx.RemoteProtocolError):
        api.get("/v1/accounting_connections")
    assert api.get("/v1/accounting_connections").status_code == 200


# --- domain faults ------------------------------------------------------------------------------
def _connection(api: Api) -> dict:
    return api.get("/v1/accounting_connections").json()["data"][0]


def test_sync_error_leaves_errors_and_the_next_sync_clears_them(seeded: Api) -> None:
    before = _connection(seeded)
    add(seeded.client, kind="sync_error", connection_id=before["id"], message="Xero is down")
    assert seeded.post(f"/v1/accounting_connections/{before['id']}/sync").status_code == 202
    seeded.client.post("/_emulator/jobs/run")
    failed = _connection(seeded)
    assert failed["errors"] == [{"message": "Xero is down"}]
    assert failed["status"] == "connected" and failed["last_pull"] == before["last_pull"]
    seeded.post(f"/v1/accounting_connections/{before['id']}/sync")
    seeded.client.post("/_emulator/jobs/run")
    healed = _connection(seeded)
    assert healed["errors"] == [] and healed["last_pull"] != before["last_pull"]


def test_deauthorize_on_the_next_sync(seeded: Api) -> None:
    connection = _connection(seeded)
    add(seeded.client, kind="deauthorize", entity_id=seeded.entity_id)
    seeded.post(f"/v1/accounting_connections/{connection['id']}/sync")
    seeded.client.post("/_emulator/jobs/run")
    after = _connection(seeded)
    assert after["status"] == "deauthorized" and after["errors"][0]["message"]
    assert seeded.post(f"/v1/accounting_connections/{connection['id']}/sync").status_code == 409  # A6


def test_other_connections_are_untouched(seeded: Api) -> None:
    add(seeded.client, kind="sync_error", connection_id=str(uuid.uuid4()))
    connection = _connection(seeded)
    seeded.post(f"/v1/accounting_connections/{connection['id']}/sync")
    seeded.client.post("/_emulator/jobs/run")
    assert _connection(seeded)["errors"] == []
    assert seeded.client.get("/_emulator/faults").json()["faults"][0]["hits"] == 0


def test_push_keeps_failing_until_cleared(seeded: Api) -> None:
    records = seeded.get("/v1/accounting_synced_records", params={"object_type": "bill", "limit": 1}).json()["data"]
    record = records[0]["id"]  # index 0: a push of it normally succeeds
    add(seeded.client, kind="push_error", record_id=record, message="VAT code rejected")
    for _ in range(2):
        assert seeded.post(f"/v1/accounting_synced_records/{record}/push").json()["sync_status"] == "pending"
        seeded.client.post("/_emulator/jobs/run")
        settled = seeded.get(f"/v1/accounting_synced_records/{record}").json()
        assert (settled["sync_status"], settled["errors"]) == ("error", {"message": "VAT code rejected"})
    assert seeded.client.delete("/_emulator/faults").json() == {"cleared": 1}
    seeded.post(f"/v1/accounting_synced_records/{record}/push")
    seeded.client.post("/_emulator/jobs/run")
    assert seeded.get(f"/v1/accounting_synced_records/{record}").json()["sync_status"] == "done"


def test_domain_faults_are_logged(seeded: Api, caplog: pytest.LogCaptureFixture) -> None:
    connection = _connection(seeded)
    add(seeded.client, kind="sync_error")
    seeded.post(f"/v1/accounting_connections/{connection['id']}/sync")
    with caplog.at_level(logging.WARNING, logger="monite_emulator.faults"):
        seeded.client.post("/_emulator/jobs/run")
    assert [r.getMessage() for r in caplog.records] == [
        f"fault f1 (sync_error) injected: the sync of connection {connection['id']} fails"]


# --- listing, clearing, reset -------------------------------------------------------------------
def test_clear_and_reset_remove_rules(client: TestClient) -> None:
    add(client, operation="getTaxRate", status=500)
    add(client, kind="push_error")
    assert [r["id"] for r in client.get("/_emulator/faults").json()["faults"]] == ["f1", "f2"]
    assert client.delete("/_emulator/faults").json() == {"cleared": 2}
    assert client.get("/_emulator/faults").json() == {"faults": []}
    add(client, operation="getTaxRate", status=500)
    client.post("/_emulator/reset")
    assert client.get("/_emulator/faults").json() == {"faults": []}
    assert add(client, operation="getTaxRate", status=500)["id"] == "f1"  # ids start again


def test_configured_rules_come_back_on_reset() -> None:
    settings = EmulatorSettings(faults=[{"operation": "listAccountingConnections", "status": 503}])
    with TestClient(create_app(settings)) as client:
        api = Api(client, get_token(client), str(uuid.uuid4()))
        assert api.get("/v1/accounting_connections").status_code == 503
        client.post("/_emulator/reset")
        api = Api(client, get_token(client), api.entity_id)
        assert client.get("/_emulator/faults").json()["faults"][0]["hits"] == 0
        assert api.get("/v1/accounting_connections").status_code == 503


@pytest.mark.parametrize(("rule", "field"), [
    ({"operation": "getLedgerAccount"}, "kind"),
    ({"kind": "explode", "operation": "getLedgerAccount"}, "kind"),
    ({"operation": "getLedgerAcount", "status": 503}, "operation"),
    ({"status": 503}, "operation"),
    ({"operation": "getLedgerAccount", "status": 422}, "status"),
    ({"operation": "getLedgerAccount", "status": 302}, "status"),
    ({"operation": "getLedgerAccount", "status": "503"}, "status"),
    ({"operation": "getLedgerAccount", "status": 503, "times": 0}, "times"),
    ({"operation": "getLedgerAccount", "status": 503, "probability": 0}, "probability"),
    ({"operation": "getLedgerAccount", "status": 503, "probability": 1.5}, "probability"),
    ({"operation": "getLedgerAccount", "delay_seconds": 1000}, "delay_seconds"),
    ({"operation": "getLedgerAccount", "kind": "delay"}, "delay_seconds"),
    ({"operation": "getLedgerAccount", "status": 503, "colour": "red"}, "colour"),
    ({"method": "BREW", "status": 503}, "method"),
    ({"path": "ledger_accounts", "status": 503}, "path"),
    ({"operation": "getLedgerAccount", "status": 503, "record_id": str(uuid.uuid4())}, "record_id"),
    ({"kind": "sync_error", "connection_id": "not-a-uuid"}, "connection_id"),
    ({"kind": "sync_error", "operation": "getLedgerAccount"}, "operation"),
    ({"kind": "push_error", "connection_id": str(uuid.uuid4())}, "connection_id"),
])
def test_bad_rules_are_422_naming_the_field(client: TestClient, rule: dict, field: str) -> None:
    r = client.post("/_emulator/faults", json=rule)
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"] == ["body", field] and r.json()["detail"][0]["msg"]


def test_non_object_rule_is_422(client: TestClient) -> None:
    assert client.post("/_emulator/faults", json=[1]).status_code == 422
    assert client.post("/_emulator/faults", content=b"{", headers={"content-type": "application/json"}).status_code == 422


# --- CLI ------------------------------------------------------------------------------------------
def test_fault_spec_strings() -> None:
    assert parse_fault_spec("operation=getLedgerAccount status=503 times=2") == {
        "operation": "getLedgerAccount", "status": 503, "times": 2}
    assert parse_fault_spec("method=GET path=/v1/ledger_accounts/* drop=true probability=0.25 seed=7") == {
        "method": "GET", "path": "/v1/ledger_accounts/*", "drop": True, "probability": 0.25, "seed": 7}
    assert parse_fault_spec("kind=sync_error message='Xero is down'") == {"kind": "sync_error", "message": "Xero is down"}


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "monite_emulator", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)


@pytest.mark.parametrize("args", [["--fault", "status"], ["--fault", "operation=nope status=503"],
                                  ["--faults", "/no/such/file.yaml"]])
def test_bad_fault_options_one_line_exit_2(args: list[str]) -> None:
    p = _cli(*args)
    lines = [line for line in p.stderr.splitlines() if line.strip()]
    assert p.returncode == 2 and len(lines) == 1 and lines[0].startswith("monite-emulator: error:"), p.stderr


def test_bad_rule_in_file_names_it(tmp_path: Path) -> None:
    rules = tmp_path / "faults.yaml"
    rules.write_text("faults:\n  - operation: getLedgerAccount\n    status: 503\n  - kind: sync_error\n    times: -1\n")
    p = _cli("--faults", str(rules))
    assert p.returncode == 2 and "rule 2" in p.stderr and "times" in p.stderr and len(p.stderr.splitlines()) == 1


def test_served_with_fault_options(tmp_path: Path) -> None:
    rules = tmp_path / "faults.yaml"
    rules.write_text("- {operation: listTaxRates, status: 503, retry_after: 2}\n")
    proc = subprocess.Popen([sys.executable, "-m", "monite_emulator", "--port", "0", "--faults", str(rules),
                             "--fault", "operation=getTaxRate drop=true"], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert proc.stdout is not None
        banner = proc.stdout.readline()  # "monite-emulator 0.1.0 on http://127.0.0.1:PORT (...)"
        assert "2 fault rule(s)" in banner, banner
        base = banner.split(" on ", 1)[1].split()[0]
        # The banner comes once the socket listens: the call waits for the server, however slow to start.
        listed = httpx.get(base + "/_emulator/faults", timeout=300).json()["faults"]
        # --fault rules first, then the file's
        assert [(r["id"], r["kind"], r.get("operation")) for r in listed] == [
            ("f1", "drop", "getTaxRate"), ("f2", "status", "listTaxRates")]
    finally:
        proc.terminate()
        proc.wait(timeout=300)  # a hang guard only
