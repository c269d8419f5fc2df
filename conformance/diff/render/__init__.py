"""The five ways to show a diff; each module renders a `DiffResult` to one format."""

from __future__ import annotations

from conformance.diff.model import DiffResult
from conformance.diff.render.html import to_html
from conformance.diff.render.json_report import to_json
from conformance.diff.render.junit import to_junit
from conformance.diff.render.markdown import to_markdown
from conformance.diff.render.sarif import to_sarif
from conformance.diff.render.text import to_text

FORMATS = ("text", "markdown", "json", "html", "junit", "sarif")


def render(fmt: str, result: DiffResult, old: str, new: str, fail_on: str) -> str:
    """`result` as `fmt` text; `old`/`new` label the two documents, `fail_on` marks failures."""
    if fmt == "text":
        return to_text(result, old, new)
    if fmt == "markdown":
        return to_markdown(result, old, new, fail_on)
    if fmt == "json":
        return to_json(result)
    if fmt == "html":
        return to_html(result, old, new, fail_on)
    if fmt == "junit":
        return to_junit(result, old, new, fail_on)
    if fmt == "sarif":
        return to_sarif(result, old, new, fail_on)
    raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
