"""The rule table as Markdown, for the README (a test keeps the README's copy in step)."""

from __future__ import annotations

from conformance.diff.catalogue import RULES, SCHEMA_KINDS, SCHEMA_MATRIX, from_oasdiff

OURS = "†"


def rule_table_markdown() -> str:
    """Schema rules as a matrix (id = `<kind>-<suffix>`), then every other rule; † marks ids that are ours."""
    lines = ["| schema rule: `<kind>-…` | `request-parameter-…` | `request-property-…` | `response-property-…` |",
             "|---|---|---|---|"]
    for suffix, *_ in SCHEMA_MATRIX:
        cells = []
        for kind in SCHEMA_KINDS:
            rule = RULES.get(f"{kind}-{suffix}")
            cells.append("—" if rule is None else f"{rule.level}{'' if from_oasdiff(rule) else ' ' + OURS}")
        lines.append(f"| `{suffix}` | " + " | ".join(cells) + " |")
    lines += ["", "| rule | level | meaning |", "|---|---|---|"]
    schema_ids = {f"{kind}-{suffix}" for suffix, *_ in SCHEMA_MATRIX for kind in SCHEMA_KINDS}
    for rule in RULES.values():
        if rule.id not in schema_ids:
            mark = "" if from_oasdiff(rule) else f" {OURS}"
            lines.append(f"| `{rule.id}`{mark} | {rule.level} | {rule.statement} |")
    return "\n".join(lines) + "\n"
