"""`--allow-changes-to-existing` (issue 9, item 1): on a throwaway entity the suite may change
what it did not create; it then lists every such change and PATCHes ledger accounts back.

Against the sandbox-like deployment without control plane (`tests/deployments`), a test that
changes seeded resources the way the suite's tests may (PATCH two ledger accounts, sync the
connection) runs under the suite's plugin and report. Afterwards the seeded accounts hold their
fields again, summary.json and summary.md list every change, and the report names the option.
Without the option the same test is refused before anything is sent (the guard).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.deployments.launcher import serve

REPO = Path(__file__).resolve().parents[2]
CHANGING_TEST = '''
def test_changes_seeded_resources(monite_client):
    accounts = monite_client.get("/ledger_accounts", params={"limit": 2}).json()["data"]
    for account in accounts:
        answer = monite_client.request("PATCH", f"/ledger_accounts/{account['id']}",
                                       json={"name": "changed by the suite", "nominal_code": "999"})
        assert answer.status_code == 200, answer.text
    connection = monite_client.get("/accounting_connections").json()["data"][0]
    assert monite_client.request("POST", f"/accounting_connections/{connection['id']}/sync").status_code == 202
'''


def _run(served, workdir: Path, *options: str) -> subprocess.CompletedProcess[str]:
    (workdir / "test_changing.py").write_text(CHANGING_TEST, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITE_")} | served.env
    return subprocess.run(
        [sys.executable, "-m", "pytest", str(workdir / "test_changing.py"), "-p", "conformance.report.plugin",
         "-p", "no:cacheprovider", "-q", "-o", "addopts=", f"--monite-target={served.base_url}",
         f"--monite-report-dir={workdir / 'report'}", *options],
        cwd=workdir, env=env, capture_output=True, text=True, timeout=900, check=False)


def test_changes_to_existing_are_listed_and_patched_fields_restored(tmp_path: Path) -> None:
    with serve("control_plane_hidden") as served:
        done = _run(served, tmp_path, "--monite-allow-changes-to-existing")
        changed = served.changed()
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    summary = json.loads((tmp_path / "report" / "summary.json").read_text())
    assert summary["run"]["allow_changes_to_existing"] is True
    listed = [item["what"] for item in summary["changed_existing"]]
    assert sum(what.startswith("updateLedgerAccount ") for what in listed) == 2, listed
    assert any(what.startswith("syncAccountingConnection ") for what in listed), listed
    accounts = [change for change in changed if change.kind == "ledger_account"]
    still_changed = [change.describe() for change in accounts
                     if {"name", "nominal_code"} & set(change.fields)]
    assert not still_changed, f"PATCHed fields were not put back: {still_changed}"
    markdown = (tmp_path / "report" / "summary.md").read_text()
    assert "--allow-changes-to-existing" in markdown and "updateLedgerAccount" in markdown
    assert "restored" in done.stdout, done.stdout[-2000:]


def test_without_the_option_nothing_existing_is_changed(tmp_path: Path) -> None:
    with serve("control_plane_hidden") as served:
        done = _run(served, tmp_path)
        changed = served.changed()
    assert changed == [], [change.describe() for change in changed]
    summary = json.loads((tmp_path / "report" / "summary.json").read_text())
    assert summary["counts"]["skipped"] == 1 and summary["changed_existing"] == [], done.stdout[-2000:]
