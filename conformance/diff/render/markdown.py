"""`--format markdown`: a changelog for a pull-request comment or release notes.

It reads top-down the way a reviewer asks: is anything breaking (the verdict line, against
`--fail-on`), which operations changed and how badly (one table row each, worst first), then
per operation its changes grouped by level, each a sentence with its place and the rule id to
look up. Operations compared without change are listed last, folded.
"""

from __future__ import annotations

from collections import defaultdict

from conformance.diff.model import DiffResult
from conformance.diff.catalogue import LEVELS, SEVERITY, level_of
from conformance.findings import Finding

HEADINGS = {"breaking": "Breaking", "may-break": "May break", "non-breaking": "Non-breaking"}
MARKS = {"breaking": "🔴", "may-break": "🟠", "non-breaking": "🟢"}
_OPERATION = "operation"


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _line(text: str) -> str:
    return " ".join(text.split())


def _where(change: Finding) -> str:
    """The place as a reader says it: "request body `/name`", "query parameter `limit`"."""
    location = change.location
    if location == _OPERATION:
        return ""
    head, _, pointer = location.partition(" /")
    for kind in ("parameter ", "header ", "security scheme "):
        if kind in head:
            before, _, name = head.rpartition(kind)
            head = f"{before}{kind}`{name}`"
            break
    return f"{head} `/{pointer}`" if pointer else head


def _verdict(result: DiffResult, fail_on: str) -> str:
    failing = result.at_or_above(fail_on)
    threshold = "any change" if fail_on == "any" else f"`{fail_on}` or worse"
    if failing:
        return (f"❌ **{len(failing)} change{'s' if len(failing) != 1 else ''} at {threshold}** "
                f"(`--fail-on {fail_on}`)")
    return f"✅ No change at {threshold} (`--fail-on {fail_on}`)"


def to_markdown(result: DiffResult, old: str, new: str, fail_on: str = "breaking") -> str:
    counts = result.counts()
    by_operation: dict[str, list[Finding]] = defaultdict(list)
    for change in result.changes:
        by_operation[change.operation or ""].append(change)

    def worst(operation: str) -> int:
        return max(SEVERITY[level_of(change.rule)] for change in by_operation[operation])

    changed = sorted(by_operation, key=lambda operation: (-worst(operation), operation))
    lines = [f"## API contract changes: `{_cell(old)}` → `{_cell(new)}`", ""]
    if not result.changes:
        lines += [f"No changes in the {len(result.operations)} operations compared.", ""]
        return "\n".join(lines)
    lines += [_verdict(result, fail_on), "",
              " · ".join(f"{MARKS[level]} **{counts[level]}** {level}" for level in LEVELS)
              + f" — {len(changed)} of {len(result.operations)} operations changed", "",
              "| operation | " + " | ".join(HEADINGS[level] for level in LEVELS) + " |",
              "|---|" + "---:|" * len(LEVELS)]
    for operation in changed:
        tally = {level: sum(1 for c in by_operation[operation] if c.rule.level == level) for level in LEVELS}
        lines.append(f"| [`{_cell(operation)}`](#{_anchor(operation)}) | "
                     + " | ".join(str(tally[level]) if tally[level] else "" for level in LEVELS) + " |")
    lines.append("")
    for operation in changed:
        lines += [f"### {MARKS[LEVELS[2 - worst(operation)]]} `{operation}`", ""]
        for level in LEVELS:
            changes = [change for change in by_operation[operation] if change.rule.level == level]
            if not changes:
                continue
            lines.append(f"**{HEADINGS[level]}**")
            lines.append("")
            for change in changes:
                where = _where(change)
                lines.append(f"- {where + ': ' if where else ''}{_line(change.observed)} · `{change.rule.id}`")
            lines.append("")
    unchanged = [operation for operation in result.operations if operation not in by_operation]
    if unchanged:
        lines += [f"<details><summary>{len(unchanged)} operation{'s' if len(unchanged) != 1 else ''} "
                  "compared without change</summary>", "",
                  *(f"- `{operation}`" for operation in unchanged), "", "</details>", ""]
    return "\n".join(lines)


def _anchor(operation: str) -> str:
    """GitHub's heading anchor for `### <mark> \\`METHOD /path\\``: lower case, punctuation dropped."""
    text = f"{operation}".lower()
    kept = "".join(ch for ch in text if ch.isalnum() or ch in " -_")
    return "-" + kept.replace(" ", "-")
