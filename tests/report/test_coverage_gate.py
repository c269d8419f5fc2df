"""Coverage in four dimensions (conformance/report/coverage.py) and the `--min-coverage` gate:
what counts as documented and as covered, the threshold on both sides, exit 6, bad values."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from conformance.config import RunConfig, parse_min_coverage
from conformance.errors import ConfigError
from conformance.exit_codes import exit_code
from conformance.report.coverage import SentRecorder, documented, gate, unmet
from tests.cli_support import CliRun, run_cli

DOC = {
    "openapi": "3.1.0",
    "paths": {
        "/things/{thing_id}": {
            "parameters": [{"$ref": "#/components/parameters/ThingId"}],
            "patch": {
                "operationId": "updateThing",
                "parameters": [
                    {"name": "order", "in": "query", "schema": {"type": "string", "enum": ["asc", "desc"]}},
                    {"name": "x-monite-version", "in": "header", "schema": {"type": "string"}},
                ],
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Patch"}}}},
                "responses": {
                    "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Page"}}}},
                    "204": {"description": "no body"},
                },
            },
        },
    },
    "components": {
        "parameters": {"ThingId": {"name": "thing_id", "in": "path", "required": True, "schema": {"type": "string"}}},
        "schemas": {
            "Patch": {"type": "object", "properties": {"kind": {"enum": ["a", "b", None]}, "name": {"type": "string"}}},
            "Thing": {"allOf": [{"type": "object", "properties": {"id": {"type": "string"}}},
                                {"properties": {"tags": {"type": "array", "items": {"type": "string"}}}}]},
            "Page": {"type": "object", "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}}},
        },
    },
}


def test_what_an_operation_documents() -> None:
    doc = documented(DOC)["updateThing"]
    assert doc.parameters == [("path", "thing_id"), ("query", "order"), ("header", "x-monite-version")]
    assert doc.enums == {"query:order": ["asc", "desc"], "body:/kind": ["a", "b"]}
    assert doc.fields == {"200": ["/data", "/data/items", "/data/items/id", "/data/items/tags",
                                  "/data/items/tags/items"]}


def _response(url: str, headers: dict[str, str], body: object | None = None) -> httpx.Response:
    request = httpx.Request("PATCH", url, headers=headers, json=body)
    return httpx.Response(200, request=request)


def test_the_recorder_keeps_documented_names_and_values_sent_at_the_runs_version() -> None:
    recorder = SentRecorder("2024-05-25", documented(DOC))
    recorder("updateThing", 200, _response("http://t/v1/things/1?order=desc&secret=x",
                                           {"x-monite-version": "2024-05-25"}, {"kind": "a", "name": "n"}))
    recorder("updateThing", 200, _response("http://t/v1/things/1?order=asc",
                                           {"x-monite-version": "2023-09-01"}, {"kind": "b"}))  # another version
    recorder("updateThing", 200, _response("http://t/v1/things/1?order=sideways", {}, {"kind": "zzz"}))
    assert recorder.drain() == {"updateThing": {
        "enums": ["body:/kind=a", "query:order=desc"],
        "parameters": ["header:x-monite-version", "path:thing_id", "query:order"]}}
    assert recorder.drain() == {}


def test_a_threshold_is_met_at_and_above_it_and_missed_below() -> None:
    dimensions = {"statuses": {"percent": 61.5}, "parameters": {"percent": 80.0}}
    assert unmet(dimensions, {"statuses": 61.5, "parameters": 80}) == []
    assert unmet(dimensions, {"statuses": 61.6, "parameters": 80}) == ["statuses 61.5% < 61.6%"]
    assert gate("conforms", ["statuses 61.5% < 61.6%"]) == "under-coverage"
    assert gate("incomplete", ["x"]) == "under-coverage"
    assert gate("failures", ["x"]) == "failures" and gate("conforms", []) == "conforms"
    assert exit_code("under-coverage") == 6


@pytest.mark.parametrize("text", ["statuses", "statuses=abc", "statuses=101", "lines=50", "statuses=-1", ","])
def test_a_bad_threshold_is_a_configuration_error(text: str) -> None:
    with pytest.raises(ConfigError, match="--min-coverage"):
        parse_min_coverage(text)


def test_thresholds_parse_into_the_run_configuration() -> None:
    config = RunConfig.resolve(env={}, min_coverage="statuses=90, parameters=80.5")
    assert config.min_coverage == (("statuses", 90.0), ("parameters", 80.5))


# -- the command, on both sides of a threshold -------------------------------------------------

NARROW = ("run", "--suite", "scenario", "--only", "tax-rates")


@pytest.fixture(scope="module")
def ungated(tmp_path_factory: pytest.TempPathFactory) -> CliRun:
    cwd = tmp_path_factory.mktemp("coverage")
    return run_cli(*NARROW, cwd=cwd, report_dir=cwd / "out")


def _dimensions(run: CliRun) -> dict[str, float]:
    return {name: entry["percent"] for name, entry in run.summary()["coverage"]["dimensions"].items()}


def test_summary_and_report_show_coverage_per_operation(ungated: CliRun) -> None:
    assert ungated.returncode == 0, ungated.stdout + ungated.stderr
    summary = ungated.summary()
    rates = summary["operations"]["listTaxRates"]["coverage"]
    assert rates["statuses"]["covered"] == sum(1 for cell in summary["operations"]["listTaxRates"]["statuses"].values()
                                               if cell["state"] != "not-exercised")
    assert rates["parameters"]["covered"] > 0 and rates["fields"]["covered"] > 0
    assert "query:limit" not in rates["parameters"]["missing"]  # the limit scenarios send it
    untouched = summary["operations"]["pushSyncedRecord"]["coverage"]  # not exercised (tests/commands/test_cli.py)
    assert untouched["statuses"]["covered"] == 0 and untouched["parameters"]["covered"] == 0
    assert all(0 < value < 100 for value in _dimensions(ungated).values())
    html = ungated.text("report.html")
    assert 'id="monite-coverage-table"' in html and 'data-coverage-operation="listTaxRates"' in html


def test_min_coverage_on_both_sides_of_the_threshold(ungated: CliRun, tmp_path: Path) -> None:
    measured = _dimensions(ungated)
    statuses, parameters = measured["statuses"], measured["parameters"]
    met = run_cli(*NARROW, "--min-coverage", f"statuses={statuses},parameters={parameters}",
                  cwd=tmp_path, report_dir=tmp_path / "met")
    assert met.returncode == 0, met.stdout + met.stderr
    assert met.summary()["verdict"] == "conforms" and met.summary()["coverage"]["unmet"] == []
    missed = run_cli(*NARROW, "--min-coverage", f"statuses={statuses},parameters={parameters + 0.1}",
                     cwd=tmp_path, report_dir=tmp_path / "missed")
    assert missed.returncode == 6, missed.stdout + missed.stderr
    summary = missed.summary()
    assert summary["verdict"] == "under-coverage"
    assert summary["coverage"]["unmet"] == [f"parameters {parameters:g}% < {parameters + 0.1:g}%"]
    assert "coverage below --min-coverage (exit 6)" in missed.stdout


def test_a_bad_min_coverage_is_one_line_and_exit_2(tmp_path: Path) -> None:
    run = run_cli(*NARROW, "--min-coverage", "branches=50", cwd=tmp_path)
    assert run.returncode == 2
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "--min-coverage" in lines[0], run.stderr
