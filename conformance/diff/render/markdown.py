"""`--format markdown`: counts, then one table per level (for a PR comment or a job summary)."""

from __future__ import annotations

from conformance.diff.model import DiffResult
from conformance.diff.rules import LEVELS


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def to_markdown(result: DiffResult, old: str, new: str) -> str:
    counts = result.counts()
    lines = [f"# Contract diff: `{_cell(old)}` → `{_cell(new)}`", "",
             f"{len(result.operations)} operations compared · "
             + " · ".join(f"**{counts[level]}** {level}" for level in LEVELS), ""]
    if not result.changes:
        lines += ["No changes.", ""]
    for level in LEVELS:
        changes = [change for change in result.changes if change.level == level]
        if not changes:
            continue
        lines += [f"## {level} ({len(changes)})", "", "| operation | location | rule | message |", "|---|---|---|---|"]
        lines += [f"| `{_cell(c.operation)}` | {_cell(c.location)} | `{c.rule}` | {_cell(c.message)} |"
                  for c in changes]
        lines.append("")
    return "\n".join(lines)
