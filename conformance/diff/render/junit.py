"""`--format junit`: one testcase per operation compared; one failure per change at or above `--fail-on`.

Changes below the threshold are listed in the testcase's system-out, so a CI page shows them
without failing on them.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from conformance.diff.model import DiffResult
from conformance.diff.catalogue import level_of


def to_junit(result: DiffResult, old: str, new: str, fail_on: str) -> str:
    failing = set(result.at_or_above(fail_on))
    suite = ET.Element("testsuite", name="monite-conformance diff", tests=str(len(result.operations)),
                       failures=str(len({c.operation for c in failing})), errors="0", skipped="0")
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", name="old", value=old)
    ET.SubElement(properties, "property", name="new", value=new)
    ET.SubElement(properties, "property", name="fail-on", value=fail_on)
    for operation in result.operations:
        case = ET.SubElement(suite, "testcase", classname="diff", name=operation)
        notes = []
        for change in (c for c in result.changes if c.operation == operation):
            level, rule = level_of(change.rule), change.rule.id
            line = f"[{level}] {rule} at {change.location}: {change.observed}"
            if change in failing:
                failure = ET.SubElement(case, "failure", type=rule,
                                        message=f"{level}: {change.location}: {change.observed}")
                failure.text = line
            else:
                notes.append(line)
        if notes:
            ET.SubElement(case, "system-out").text = "\n".join(notes)
    ET.indent(suite)
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"
