"""`--format text` (the default): a rich table per level, worst first, then the counts."""

from __future__ import annotations

import io

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from conformance.diff.model import DiffResult
from conformance.diff.catalogue import LEVELS

STYLES = {"breaking": "bold red", "may-break": "yellow", "non-breaking": "green"}


def renderable(result: DiffResult, old: str, new: str) -> RenderableType:
    parts: list[RenderableType] = [Text(f"{old} → {new}: {len(result.operations)} operations compared", style="bold")]
    for level in LEVELS:
        changes = result.of_level(level)
        if not changes:
            continue
        table = Table(title=f"{level} ({len(changes)})", title_style=STYLES[level], title_justify="left",
                      show_lines=False, expand=False)
        for column in ("operation", "location", "rule", "message"):
            table.add_column(column, overflow="fold")
        for change in changes:
            table.add_row(change.operation or "", change.location, change.rule.id, change.observed)
        parts.append(table)
    counts = result.counts()
    summary = Text("no changes") if not result.changes else Text(", ").join(
        Text(f"{counts[level]} {level}", style=STYLES[level] if counts[level] else "") for level in LEVELS)
    parts.append(summary)
    return Group(*parts)


def to_text(result: DiffResult, old: str, new: str, width: int = 160) -> str:
    """Plain text (no colour codes), for `--output FILE`."""
    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None, highlight=False, soft_wrap=False).print(
        renderable(result, old, new))
    return buffer.getvalue()
