"""report.sarif of `run` and `diff --format sarif`: valid SARIF 2.1.0, stable rule ids with their
source, and each result on the line of the spec it is about (so code scanning annotates the spec).

The proxy's report.sarif is tested with the proxy's fixtures: tests/proxy/test_proxy_sarif.py.
Lines are judged by reading the spec file's text here, not by the module that computed them.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from conformance.diff import diff_documents
from conformance.diff.load import load_document
from conformance.diff.render import render
from conformance.diff.catalogue import RULES
from conformance.diff.select import DEFAULT_PATHS
from conformance.openapi.files import load_spec, spec_path
from tests.cli_support import REPO, CliRun, run_cli
from tests.sarif.validate import load_valid, place, results, schema_errors

SPEC_URI = "spec/monite-accounting.yaml"
VERSION_NOT_ECHOED = "asgi:tests.faults.check_faults:version_not_echoed"
METHOD_LINE = re.compile(r"^    (get|put|post|patch|delete):\s*$")


def operation_at(text: str, line: int) -> str:
    """The operationId of the operation whose block holds `line` (1-based) of a spec's text."""
    lines = text.splitlines()
    start = next(index for index in range(line - 1, -1, -1) if METHOD_LINE.match(lines[index]))
    for following in lines[start + 1:start + 4]:
        found = re.match(r"^      operationId:\s*(\S+)", following)
        if found:
            return found.group(1)
    raise AssertionError(f"no operationId below line {start + 1}")


def spec_line(line: int, path: Path | None = None) -> str:
    return (path or spec_path()).read_text(encoding="utf-8").splitlines()[line - 1]


# -- the schema itself catches a broken log ----------------------------------------------------

def test_the_schema_rejects_what_sarif_forbids(tmp_path: Path) -> None:
    good = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [
        {"ruleId": "r", "level": "error", "message": {"text": "m"},
         "locations": [{"physicalLocation": {"artifactLocation": {"uri": SPEC_URI}, "region": {"startLine": 3}}}]}]}]}
    assert schema_errors(good) == []
    for breakage in ("level", "line", "version", "message"):
        bad = copy.deepcopy(good)
        result = bad["runs"][0]["results"][0]
        if breakage == "level":
            result["level"] = "fatal"
        elif breakage == "line":
            result["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
        elif breakage == "version":
            bad["version"] = "2.0.0"
        else:
            del result["message"]
        assert schema_errors(bad), breakage


# -- run ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> CliRun:
    """A target that does not echo x-monite-version: the Monite check fails on every response.
    Run from the checkout, as CI does, so the spec's URI is relative."""
    out = tmp_path_factory.mktemp("sarif-broken") / "out"
    return run_cli("run", "--only", "getTaxRate", "--target", VERSION_NOT_ECHOED, cwd=REPO, report_dir=out)


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> CliRun:
    out = tmp_path_factory.mktemp("sarif-clean") / "out"
    return run_cli("run", "--suite", "scenario", "--only", "tax-rates", cwd=REPO, report_dir=out)


def test_run_failures_are_errors_of_the_broken_rule_on_the_operation(broken: CliRun) -> None:
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert broken.report_dir is not None
    log = load_valid(broken.report_dir / "report.sarif")
    errors = results(log, "error")
    failed = {failure["test"] for failure in broken.summary()["failures"]}
    assert errors and {item["properties"]["origin"] for item in errors} == failed
    echoed = [item for item in errors if item["ruleId"] == "monite_version_echoed"]
    assert echoed, [item["ruleId"] for item in errors]
    rules = {rule["id"]: rule for rule in log["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["monite_version_echoed"]["properties"]["source"].startswith("docs: api/concepts/")
    assert rules["monite_version_echoed"]["properties"]["kind"] == "documented"
    text = spec_path().read_text(encoding="utf-8")
    for item in echoed:
        uri, line = place(item)
        assert uri == SPEC_URI and item["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert operation_at(text, line) == "getTaxRate", line
        status = str((item["properties"].get("request") or "").rsplit("-> ", 1)[-1])
        assert re.match(rf'^\s+"?{status}"?:', spec_line(line)), (status, spec_line(line))


def test_run_observations_are_notes_and_a_clean_run_has_no_error(clean: CliRun) -> None:
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert clean.report_dir is not None
    log = load_valid(clean.report_dir / "report.sarif")
    assert results(log, "error") == []
    summary = clean.summary()
    notes = results(log, "note")
    assert len(notes) == len(summary["observations"]) > 0
    assert {item["ruleId"] for item in notes} == {obs["rule"] for obs in summary["observations"]}
    text = spec_path().read_text(encoding="utf-8")
    for item, observation in zip(notes, summary["observations"]):
        uri, line = place(item)
        assert uri == SPEC_URI and operation_at(text, line) == observation["operation"]


# -- diff ---------------------------------------------------------------------------------------

def test_diff_sarif_maps_levels_and_points_at_the_operation() -> None:
    result = diff_documents(load_document("spec@2023-09-01"), load_document("spec@2024-05-25"), DEFAULT_PATHS)
    spec = load_spec()
    log = json.loads(render("sarif", result, "spec@2023-09-01", "spec@2024-05-25", "breaking"))
    assert schema_errors(log) == []
    found = results(log)
    assert len(found) == len(result.changes) > 0
    expected_level = {"breaking": "error", "may-break": "warning", "non-breaking": "note"}
    text = spec_path().read_text(encoding="utf-8")
    for item, change in zip(found, result.changes):
        assert item["ruleId"] == change.rule.id and item["level"] == expected_level[RULES[change.rule.id].level]
        uri, line = place(item)
        assert uri.endswith(SPEC_URI)
        method, path = change.operation.split(" ", 1)
        assert operation_at(text, line) == spec["paths"][path][method.lower()]["operationId"]


OLD = """openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /things:
    get:
      operationId: listThings
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  count: {type: integer}
"""


def test_diff_cli_writes_sarif_on_the_new_files_lines(tmp_path: Path) -> None:
    (tmp_path / "old.yaml").write_text(OLD)
    (tmp_path / "new.yaml").write_text(OLD.replace("count: {type: integer}", "count: {type: string}"))
    run = run_cli("diff", "old.yaml", "new.yaml", "--all-paths", "--format", "sarif", "--output", "diff.sarif",
                  cwd=tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr  # a response type change breaks clients
    log = load_valid(tmp_path / "diff.sarif")
    [item] = results(log)
    assert item["ruleId"] == "response-property-type-changed" and item["level"] == "error"
    rule = log["runs"][0]["tool"]["driver"]["rules"][item["ruleIndex"]]
    assert rule["id"] == item["ruleId"] and "oasdiff" in rule["properties"]["source"]
    uri, line = place(item)
    assert uri == "new.yaml" and spec_line(line, tmp_path / "new.yaml").strip() == '"200":'
