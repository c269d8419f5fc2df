"""`--format html`: one self-contained page (inline CSS, no script, no external resource)."""

from __future__ import annotations

from html import escape

from conformance.diff.model import DiffResult
from conformance.diff.rules import LEVELS

_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1b1f24}
h1{font-size:1.3rem}code{font-size:.92em}
.counts span{display:inline-block;margin-right:1rem;padding:.2rem .6rem;border-radius:.3rem}
table{border-collapse:collapse;width:100%;margin-top:1rem}
th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}
.breaking{background:#ffebe9}.may-break{background:#fff8c5}.non-breaking{background:#dafbe1}
td.fails{font-weight:600}
"""


def to_html(result: DiffResult, old: str, new: str, fail_on: str) -> str:
    counts = result.counts()
    failing = set(result.at_or_above(fail_on))
    rows = "\n".join(
        f'<tr class="{c.level}"><td class="{"fails" if c in failing else ""}">{escape(c.level)}</td>'
        f"<td><code>{escape(c.operation)}</code></td><td>{escape(c.location)}</td>"
        f"<td><code>{escape(c.rule)}</code></td><td>{escape(c.message)}</td></tr>"
        for level in LEVELS for c in result.changes if c.level == level)
    body = (f"<table><thead><tr><th>level</th><th>operation</th><th>location</th><th>rule</th><th>message</th>"
            f"</tr></thead><tbody>\n{rows}\n</tbody></table>") if result.changes else "<p>No changes.</p>"
    badges = "".join(f'<span class="{level}">{counts[level]} {escape(level)}</span>' for level in LEVELS)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>Contract diff: {escape(old)} → {escape(new)}</title><style>{_CSS}</style></head><body>\n"
        f"<h1>Contract diff: <code>{escape(old)}</code> → <code>{escape(new)}</code></h1>\n"
        f"<p>{len(result.operations)} operations compared; failing at <code>{escape(fail_on)}</code> and above.</p>\n"
        f'<p class="counts">{badges}</p>\n{body}\n</body></html>\n'
    )
