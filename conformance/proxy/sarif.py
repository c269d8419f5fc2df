"""report.sarif of the proxy: each recorded violation and observation, on the spec's lines.

A violation on the `--fail-on` side is an `error`, one on the other side a `warning` (reported,
not failing the proxy's exit code), an observation a `note`. The rule comes from the proxy's
catalogue (`conformance.proxy.catalogue`), so its statement and source are the catalogue's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conformance.findings import Finding, Rule
from conformance.proxy.catalogue import BY_ID
from conformance.report.sarif import Located, SarifLevel, sarif_log, sarif_text
from conformance.openapi.files import spec_path
from conformance.openapi.locations import spec_lines

TOOL = "monite-conformance proxy"


def _rule(record: dict[str, Any]) -> Rule:
    known = BY_ID.get(str(record.get("rule", "")))
    if known is not None:
        return known
    return Rule.from_dict({"id": record.get("rule", ""), "kind": record.get("kind", "documented"),
                           "statement": record.get("expected", ""), "source": record.get("source", ""),
                           "side": record.get("side")})


def _level(rule: Rule, fail_on: str, observation: bool) -> SarifLevel:
    if observation:
        return "note"
    return "error" if fail_on in ("any", rule.side or "response") else "warning"


def proxy_located(summary: dict[str, Any], spec: Path | None = None) -> list[Located]:
    """The proxy summary's violations and observations, located at their operation and status."""
    lines = spec_lines(spec or spec_path())
    fail_on = str((summary.get("proxy") or {}).get("fail_on", "request"))
    located = []
    for records, observation in ((summary.get("violations") or [], False), (summary.get("observations") or [], True)):
        for record in records:
            rule = _rule(record)
            exchange = record.get("exchange") or {}
            status = exchange.get("status_code")
            request = f"{exchange.get('method', '')} {exchange.get('url', '')} -> {status}" if exchange else ""
            finding = Finding(rule, record.get("operation"), expected=str(record.get("expected", "")),
                              observed=str(record.get("observed", "")), request=request,
                              curl=str(exchange.get("curl", "")), assumption=record.get("assumption"))
            where = (lines.locate(finding.operation, "responses", str(status)) if status and rule.side == "response"
                     else lines.locate(finding.operation))
            located.append(Located(finding, _level(rule, fail_on, observation), where, origin=request))
    return located


def render_sarif(summary: dict[str, Any], matrix: Any = None) -> str:
    """report.sarif: the `Formatter` of the proxy's report folder."""
    from conformance import __version__

    meta = summary.get("proxy") or {}
    return sarif_text(sarif_log(TOOL, __version__, proxy_located(summary),
                                properties={"verdict": summary.get("verdict"), "fail_on": meta.get("fail_on"),
                                            "upstream": meta.get("upstream")}))
