"""report.sarif of a run: its failures as errors and its observations as notes, on the spec's lines.

A failure's rule is what failed: each schemathesis check it reported (a Monite check by its
catalogue entry in `conformance.checks.catalogue`, a built-in check by its name and title), or for a
scenario the rule its assertion cites (`conformance.suite.scenarios.catalogue`; the message starts
with the rule's citation), else the test itself. An observation is already a `Finding`.
Each points at the operation it is about, and at the documented status it got when there is one.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from conformance.checks import catalogue as check_catalogue
from conformance.findings import Finding, Rule
from conformance.report.sarif import SARIF_FILENAME, Located, sarif_log, sarif_text
from conformance.openapi.files import spec_path
from conformance.openapi.locations import SpecLines, SpecLocation, spec_lines
from conformance.suite.scenarios import catalogue as scenario_catalogue

TOOL = "monite-conformance"
BUILTIN_SOURCE = "spec/monite-accounting.yaml (schemathesis built-in check)"


@lru_cache(maxsize=1)
def _catalogue() -> tuple[dict[str, Rule], tuple[Rule, ...]]:
    checks = {rule.id: rule for rule in check_catalogue.ALL_RULES}
    scenario = tuple(value for value in vars(scenario_catalogue).values() if isinstance(value, Rule))
    # The longest citation first, so a rule whose citation extends another's wins.
    return checks, tuple(sorted(scenario, key=lambda rule: -len(rule.citation())))


def failure_rules(failure: dict[str, Any]) -> list[Rule]:
    """The rules one failure of summary.json broke (at least one)."""
    checks, scenario = _catalogue()
    found = []
    for item in failure.get("checks") or []:
        name = str(item.get("check", ""))
        if name:
            found.append(checks.get(name) or Rule(name, "documented", str(item.get("title") or name), BUILTIN_SOURCE))
    if found:
        return list(dict.fromkeys(found))
    reason = re.sub(r"^\w*(Error|Violated): ", "", str(failure.get("reason") or ""))
    cited = next((rule for rule in scenario if reason.startswith(rule.citation())), None)
    if cited is not None:
        return [cited]
    test = str(failure.get("test", ""))
    function = test.split("[", 1)[0]
    return [Rule(f"test:{function}", "documented", f"{function} passes", function.split("::", 1)[0])]


def _location(lines: SpecLines, operation: str | None, status: Any = None) -> SpecLocation:
    if status:
        return lines.locate(operation, "responses", str(status))
    return lines.locate(operation)


def run_located(summary: dict[str, Any], spec: Path | None = None) -> list[Located]:
    """Every failure (one result per rule it broke) and every observation of a run's summary."""
    lines = spec_lines(spec or spec_path())
    located = []
    for failure in summary.get("failures", []):
        exchange = failure.get("exchange") or {}
        status = exchange.get("status_code")
        request = f"{exchange.get('method', '')} {exchange.get('url', '')} -> {status}".strip() if exchange else ""
        for rule in failure_rules(failure):
            finding = rule.finding(failure.get("operation"), observed=str(failure.get("reason") or ""),
                                   request=request)
            located.append(Located(finding, "error", _location(lines, failure.get("operation"), status),
                                   origin=str(failure.get("test", "")),
                                   properties={"outcome": failure.get("outcome", "failed")}))
    for observation in summary.get("observations", []):
        finding = Finding.from_dict(observation)
        located.append(Located(finding, "note", _location(lines, finding.operation), origin=str(observation.get("test", ""))))
    return located


def render_sarif(summary: dict[str, Any], matrix: Any = None) -> str:
    """report.sarif: the `Formatter` of a run's report folder."""
    run = summary.get("run") or {}
    log = sarif_log(TOOL, str(run.get("suite_version", "")), run_located(summary),
                    properties={"verdict": summary.get("verdict"), "target": run.get("target"),
                                "api_version": run.get("api_version")})
    return sarif_text(log)


FILENAME = SARIF_FILENAME
