"""The proxy's report.sarif: valid SARIF 2.1.0; violations on the --fail-on side are errors, the
other side's warnings, each with the proxy rule's id and source, on the operation's spec line."""

from __future__ import annotations

import json
from pathlib import Path

from conformance.proxy.catalogue import BY_ID
from conformance.proxy.sarif import render_sarif
from conformance.proxy.server import RunningProxy
from conformance.openapi.files import spec_path
from tests.proxy.helpers import Service, seed
from tests.sarif.validate import load_valid, place, results, schema_errors


def test_violations_are_errors_on_the_operations_line(proxy: RunningProxy, service: Service, emulator: str) -> None:
    seed(emulator, ledger_accounts=3)
    service.get("/ledger_accounts", params={"limit": 500})
    service.get("/accounting_connections", without=("x-monite-version",))
    service.get("/accounting_tax_rates")
    proxy.session.settled_traffic()
    folder = Path(proxy.session.write_reports()["report_dir"])
    log = load_valid(folder / "report.sarif")

    errors = results(log, "error")
    assert sorted(item["ruleId"] for item in errors) == ["request.limit-out-of-range", "request.missing-version"]
    assert results(log, "warning") == [] and results(log, "note") == []
    rules = {rule["id"]: rule for rule in log["runs"][0]["tool"]["driver"]["rules"]}
    for item in errors:
        assert rules[item["ruleId"]]["properties"]["source"] == BY_ID[item["ruleId"]].source
        assert rules[item["ruleId"]]["properties"]["side"] == "request"
    lines = spec_path().read_text(encoding="utf-8").splitlines()
    where = {item["ruleId"]: place(item) for item in errors}
    for rule, (path, operation) in {"request.limit-out-of-range": ("/ledger_accounts", "listLedgerAccounts"),
                                    "request.missing-version": ("/accounting_connections",
                                                                "listAccountingConnections")}.items():
        uri, line = where[rule]
        assert uri.endswith("spec/monite-accounting.yaml")
        assert lines[line - 1] == "    get:" and lines[line].strip() == f"operationId: {operation}", rule
        assert lines[line - 2] == f"  {path}:", rule

    # With --fail-on response the service's own violations are reported, not failing: warnings.
    summary = json.loads((folder / "summary.json").read_text())
    summary["proxy"]["fail_on"] = "response"
    other_side = json.loads(render_sarif(summary))
    assert schema_errors(other_side) == []
    assert [item["level"] for item in results(other_side)] == ["warning", "warning"]
