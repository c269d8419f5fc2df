"""SARIF 2.1.0: the one writer of findings for code scanning, used by `run`, `proxy` and `diff`.

Every command hands this module `Located` findings (a `conformance.findings.Finding`, a SARIF
level, a place in the spec file, the test or exchange it came from); the module writes one
SARIF log: each rule once (id, statement, source, kind), each finding one result pointing at
the line of the operation or schema in the spec, so GitHub code scanning annotates
`spec/…yaml` in a pull request. Levels: a failure or violation is `error`, an observation a
`note`; a diff maps its levels (breaking `error`, may-break `warning`, non-breaking `note`).

SARIF rule ids must be unique per rule: a documented rule's id is its source ("seed 003"),
which several rules share, so such a rule's SARIF id adds a slug of its statement
("seed-003/x-monite-entity-id-is-a-uuid"); every other id (A8, `monite_version_echoed`,
`request.missing-version`, `response-property-type-changed`) is kept as it is.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from conformance.findings import Finding, Rule
from conformance.redaction import redact
from conformance.openapi.locations import SpecLocation

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
SARIF_FILENAME = "report.sarif"

SarifLevel = Literal["error", "warning", "note", "none"]
DIFF_LEVELS: dict[str, SarifLevel] = {"breaking": "error", "may-break": "warning", "non-breaking": "note"}


@dataclass(frozen=True)
class Located:
    """One finding as code scanning shows it: how bad, where in the spec, and what produced it."""

    finding: Finding
    level: SarifLevel
    location: SpecLocation | None = None
    origin: str = ""  # the test id (run) or request line (proxy) it came from
    properties: dict[str, Any] = field(default_factory=dict, compare=False)


def sarif_rule_id(rule: Rule) -> str:
    """The SARIF id of `rule`: its own id, unless that is only its source (documented rules)."""
    if rule.id != rule.source or not rule.statement:
        return rule.id
    slug = re.sub(r"[^a-z0-9]+", "-", rule.statement.lower()).strip("-")[:60].rstrip("-")
    return f"{re.sub(r'[^A-Za-z0-9.]+', '-', rule.source).strip('-')}/{slug}"


def artifact_uri(path: Path, root: Path | None = None) -> tuple[str, str | None]:
    """The file's URI with the `%SRCROOT%` base: relative to `root`, else to the working directory
    (where CI checks the repository out), else to the repository that holds the file (its
    nearest ancestor with `.git`); an absolute file URI when none holds it (an installed spec)."""
    resolved = path.resolve()
    checkout = next((folder for folder in resolved.parents if (folder / ".git").exists()), None)
    for base in (root, Path.cwd(), checkout):
        if base is None:
            continue
        try:
            return resolved.relative_to(base.resolve()).as_posix(), SRCROOT
        except ValueError:
            continue
    return resolved.as_uri(), None


def sarif_log(tool: str, version: str, located: Iterable[Located], *, root: Path | None = None,
              properties: dict[str, Any] | None = None) -> dict[str, Any]:
    """One SARIF log of one run of `tool` (`version`): its rules and results, in the given order."""
    rules: dict[str, dict[str, Any]] = {}
    results = []
    for item in located:
        rule_id = sarif_rule_id(item.finding.rule)
        if rule_id not in rules:
            rules[rule_id] = _descriptor(rule_id, item.finding.rule)
        results.append(_result(item, rule_id, list(rules).index(rule_id), root))
    run: dict[str, Any] = {
        "tool": {"driver": {"name": tool, "version": version, "rules": list(rules.values())}},
        "results": results,
        "columnKind": "unicodeCodePoints",
    }
    if properties:
        run["properties"] = properties
    return {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def sarif_text(log: dict[str, Any]) -> str:
    """The log as JSON text, redacted (no secret reaches a SARIF upload)."""
    return redact(json.dumps(log, indent=2, ensure_ascii=False)) + "\n"


def _descriptor(rule_id: str, rule: Rule) -> dict[str, Any]:
    statement = rule.statement or rule.id
    return {
        "id": rule_id,
        "shortDescription": {"text": redact(statement)[:1000]},
        "fullDescription": {"text": redact(rule.citation())},
        "help": {"text": redact(f"{statement}\nSource: {rule.source or 'n/a'} ({rule.kind})")},
        "defaultConfiguration": {"level": "error" if rule.kind == "documented" else "note"},
        "properties": {"kind": rule.kind, "source": rule.source,
                       **({"level": rule.level} if rule.level else {}),
                       **({"side": rule.side} if rule.side else {}),
                       "tags": [rule.kind, *([rule.side] if rule.side else []), *([rule.level] if rule.level else [])]},
    }


def _result(item: Located, rule_id: str, index: int, root: Path | None) -> dict[str, Any]:
    finding = item.finding
    text = finding.message or finding.rule.citation()
    result: dict[str, Any] = {
        "ruleId": rule_id,
        "ruleIndex": index,
        "level": item.level,
        "message": {"text": redact(text)},
        # Stable across runs, so code scanning tracks one alert per rule, operation and test.
        "partialFingerprints": {"moniteFinding/v1": hashlib.sha256(
            "\x1f".join([rule_id, finding.operation or "", item.origin]).encode()).hexdigest()[:32]},
        "properties": {"kind": finding.rule.kind, "source": finding.rule.source,
                       **({"operation": finding.operation} if finding.operation else {}),
                       **({"origin": item.origin} if item.origin else {}),
                       **({"request": finding.request} if finding.request else {}),
                       **({"curl": finding.curl} if finding.curl else {}),
                       **item.properties},
    }
    if item.location is not None:
        uri, base = artifact_uri(item.location.path, root)
        artifact: dict[str, Any] = {"uri": uri, **({"uriBaseId": base} if base else {})}
        result["locations"] = [{"physicalLocation": {"artifactLocation": artifact,
                                                     "region": {"startLine": max(1, item.location.line)}}}]
    return result
