"""The six ways to show a diff, each one `Format` of the one formatter interface
(`conformance.report.formats`): a file name and a function of the report's data.

A diff's report data (`summary`) is its `DiffResult` (its findings and the operations compared)
with the labels of the two documents and the `--fail-on` threshold; a diff has no coverage
matrix (`None`). `diff --output FILE` writes one format under the user's file name through
`write_formats`; the file names here are those a report folder would hold.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from conformance.diff.model import DiffResult
from conformance.diff.render.html import to_html
from conformance.diff.render.json_report import to_json
from conformance.diff.render.junit import to_junit
from conformance.diff.render.markdown import to_markdown
from conformance.diff.render.sarif import to_sarif
from conformance.diff.render.text import to_text
from conformance.report.formats import Format, Summary, write_formats


def summary(result: DiffResult, old: str, new: str, fail_on: str) -> Summary:
    """The data every diff format renders: `old`/`new` label the documents, `fail_on` marks failures."""
    return {"result": result, "old": old, "new": new, "fail_on": fail_on}


def _labelled(to: Callable[[DiffResult, str, str, str], str]) -> Callable[[Summary, Any], str]:
    """A renderer of (result, old, new, fail_on) as a Formatter's renderer of (summary, matrix)."""
    return lambda data, _matrix: to(data["result"], data["old"], data["new"], data["fail_on"])


FORMATS: dict[str, Format] = {
    "text": Format("diff.txt", lambda data, _matrix: to_text(data["result"], data["old"], data["new"])),
    "markdown": Format("diff.md", _labelled(to_markdown)),
    "json": Format("diff.json", lambda data, _matrix: to_json(data["result"])),
    "html": Format("diff.html", _labelled(to_html)),
    "junit": Format("diff.junit.xml", _labelled(to_junit)),
    "sarif": Format("diff.sarif", _labelled(to_sarif)),
}


def _format(fmt: str) -> Format:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    return FORMATS[fmt]


def render(fmt: str, result: DiffResult, old: str, new: str, fail_on: str) -> str:
    """`result` as `fmt` text; `old`/`new` label the two documents, `fail_on` marks failures."""
    return _format(fmt).render(summary(result, old, new, fail_on), None)


def write(path: Path, fmt: str, result: DiffResult, old: str, new: str, fail_on: str) -> Path:
    """`result` as `fmt` into the file `path` (its folder created), under that name."""
    written = write_formats(path.parent, [Format(path.name, _format(fmt).renderer)],
                            summary(result, old, new, fail_on), None)
    return written[0]
