"""compare.json (machines), compare.md (a CI summary or PR comment), compare.html (people)."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from conformance.compare.differences import KINDS, Difference, counts
from conformance.compare.runs import Run
from conformance.redaction import redact

FILES = ("compare.json", "compare.md", "compare.html")
# Run metadata shown side by side, in this order (summary.json's "run" keys).
META_KEYS = ("target", "api_version", "profile", "suite", "seed", "suite_version", "spec_sha256",
             "started_at", "duration_seconds")


def metadata(run: Run) -> dict[str, Any]:
    summary = run.summary
    return {
        "summary": str(run.source),
        "verdict": summary.get("verdict"),
        "run": summary.get("run", {}),
        "counts": summary.get("counts", {}),
        "observed_contract": isinstance(summary.get("observed"), dict),
    }


def build(base: Run, new: Run, differences: list[Difference]) -> dict[str, Any]:
    return {
        "differences": [difference.as_dict() for difference in differences],
        "base": metadata(base),
        "new": metadata(new),
        "counts": counts(differences),
    }


def write_all(folder: Path, report: dict[str, Any]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in (("compare.json", json.dumps(report, indent=2, ensure_ascii=False) + "\n"),
                       ("compare.md", render_markdown(report)), ("compare.html", render_html(report))):
        path = folder / name
        path.write_text(redact(text), encoding="utf-8")
        written.append(path)
    return written


def _meta_rows(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    base, new = report["base"], report["new"]
    rows = [("summary", base["summary"], new["summary"]), ("verdict", str(base["verdict"]), str(new["verdict"]))]
    for key in META_KEYS:
        rows.append((key, _value(base["run"].get(key)), _value(new["run"].get(key))))
    for key in ("passed", "failed", "error", "accepted", "skipped", "observations"):
        rows.append((key, _value(base["counts"].get(key)), _value(new["counts"].get(key))))
    rows.append(("observed contract", "yes" if base["observed_contract"] else "no",
                 "yes" if new["observed_contract"] else "no"))
    return rows


def _value(value: Any) -> str:
    return "" if value is None else str(value)


def _headline(report: dict[str, Any]) -> str:
    c = report["counts"]
    if not c["total"]:
        return "no difference"
    parts = [f"{c[kind]} {kind}" for kind in KINDS if c[kind]]
    return f"{c['total']} difference{'s' if c['total'] != 1 else ''}: " + ", ".join(parts)


def _fields_note(report: dict[str, Any]) -> str | None:
    if report["base"]["observed_contract"] and report["new"]["observed_contract"]:
        return None
    return ("Fields, types, nullability and headers are compared only when both summaries carry the "
            "observed contract (`observed`).")


def render_markdown(report: dict[str, Any]) -> str:
    lines = [f"## Monite conformance: compare — {_headline(report)}", "",
             "| | BASE | NEW |", "|---|---|---|"]
    lines += [f"| {key} | {_md(a)} | {_md(b)} |" for key, a, b in _meta_rows(report)]
    lines.append("")
    note = _fields_note(report)
    if note:
        lines += [f"_{note}_", ""]
    if report["differences"]:
        lines += ["| kind | operation | status | detail |", "|---|---|---|---|"]
        for d in report["differences"]:
            shown = ", ".join(f"`{op}`" for op in _operations(d)) or "–"
            lines.append(f"| {d['kind']} | {shown} | {d.get('status') or ''} | {_md(d['detail'])} |")
        lines.append("")
    return "\n".join(lines) + "\n"


def _operations(difference: dict[str, Any]) -> list[str]:
    """The operations a difference is about (reports written before `operations` existed: `operation`)."""
    return list(difference.get("operations") or ([difference["operation"]] if difference.get("operation") else []))


def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")[:400]


_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#1b1f23}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#f6f8fa}code{font-size:13px}.regression td:first-child{color:#b42318;font-weight:600}
.fixed td:first-child{color:#067647;font-weight:600}.none{color:#067647}
"""


def render_html(report: dict[str, Any]) -> str:
    e = html.escape
    meta = "".join(f"<tr><th>{e(k)}</th><td>{e(a)}</td><td>{e(b)}</td></tr>" for k, a, b in _meta_rows(report))
    kinds = "".join(f"<tr><td>{e(kind)}</td><td>{report['counts'][kind]}</td><td>{e(text)}</td></tr>"
                    for kind, text in KINDS.items())
    if report["differences"]:
        rows = "".join(
            f"<tr class=\"{e(d['kind'])}\"><td>{e(d['kind'])}</td>"
            f"<td>{', '.join(f'<code>{e(op)}</code>' for op in _operations(d)) or '–'}</td>"
            f"<td>{e(d.get('status') or '')}</td><td>{e(d['detail'])}</td></tr>" for d in report["differences"])
        table = f"<table><tr><th>kind</th><th>operation</th><th>status</th><th>detail</th></tr>{rows}</table>"
    else:
        table = '<p class="none">No difference between the two runs.</p>'
    note = _fields_note(report)
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>compare: {e(_headline(report))}"
            f"</title><style>{_CSS}</style></head><body><h1>Monite conformance: compare</h1>"
            f"<p><strong>{e(_headline(report))}</strong></p>"
            f"<table><tr><th></th><th>BASE</th><th>NEW</th></tr>{meta}</table>"
            + (f"<p><em>{e(note).replace('(`observed`)', '(<code>observed</code>)')}</em></p>" if note else "")
            + f"<h2>Differences</h2>{table}<h2>Kinds</h2>"
            f"<table><tr><th>kind</th><th>count</th><th>meaning</th></tr>{kinds}</table></body></html>\n")
