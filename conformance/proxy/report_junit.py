"""junit.xml of the proxied traffic: one testcase per operation the service used, a failure per
operation that broke a rule (every violation listed in it), observations as properties."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from conformance.redaction import redact

SUITE = "monite-conformance-proxy"
UNMATCHED_CASE = "requests matching no operation"


def render_junit(summary: dict[str, Any]) -> str:
    cases: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for op_id, entry in summary["operations"].items():
        if entry["exchanges"]:
            cases[op_id] = {"violations": [], "observations": []}
    for kind in ("violations", "observations"):
        for item in summary[kind]:
            name = item["operation"] if item["operation"] in summary["operations"] else UNMATCHED_CASE
            cases.setdefault(name, {"violations": [], "observations": []})[kind].append(item)
    if summary["unmatched_requests"]:
        cases.setdefault(UNMATCHED_CASE, {"violations": [], "observations": []})
    # Violations past the recorded ones are counted in summary.json but have no details here.
    failures = sum(1 for case in cases.values() if case["violations"])
    suite = ET.Element("testsuite", name=SUITE, tests=str(len(cases)), failures=str(failures), errors="0",
                       skipped="0", timestamp=summary["proxy"]["started_at"])
    for name, found in sorted(cases.items()):
        case = ET.SubElement(suite, "testcase", classname="proxy", name=name)
        if found["observations"]:
            properties = ET.SubElement(case, "properties")
            for item in found["observations"]:
                ET.SubElement(properties, "property", name="monite_observation", value=redact(_line(item)))
        if found["violations"]:
            rules = sorted({item["rule"] for item in found["violations"]})
            failure = ET.SubElement(case, "failure", type=",".join(rules),
                                    message=redact(f"{len(found['violations'])} violation(s): {', '.join(rules)}"))
            failure.text = redact("\n\n".join(_details(item) for item in found["violations"]))
    root = ET.Element("testsuites", name=SUITE, tests=suite.get("tests", "0"), failures=suite.get("failures", "0"))
    root.append(suite)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _line(item: dict[str, Any]) -> str:
    label = f"assumption {item['assumption']}" if item.get("assumption") else item["kind"]
    return (f"{item['side']} {item['rule']} ({label}): expected {item['expected']}; got {item['observed']} "
            f"[{item['source']}]")


def _details(item: dict[str, Any]) -> str:
    exchange = item.get("exchange") or {}
    return (f"{_line(item)}\n{exchange.get('method', '')} {exchange.get('url', '')} -> "
            f"{exchange.get('status_code', '')}\nreproduce: {exchange.get('curl', '')}")
