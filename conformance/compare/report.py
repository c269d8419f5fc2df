"""compare.json (machines), compare.md (a CI summary or PR comment), compare.html (people).

Each file is one `Format` of the one formatter interface (`conformance.report.formats`), written
by `write_formats`; the report's data is `build`'s dict (the differences as compare.json lists
them, both runs' metadata, the counts) and there is no coverage matrix. compare.html comes from
the Jinja2 template `conformance/report/templates/compare_report.html.j2`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conformance.compare.differences import KINDS, counts, difference_dict
from conformance.compare.runs import Run
from conformance.findings import Finding
from conformance.redaction import redact
from conformance.report.formats import Format, Summary, write_formats
from conformance.report.templating import render
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


def build(base: Run, new: Run, differences: list[Finding]) -> dict[str, Any]:
    return {
        "differences": [difference_dict(found) for found in differences],
        "base": metadata(base),
        "new": metadata(new),
        "counts": counts(differences),
    }


def render_json(report: Summary, _matrix: Any = None) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def _write_redacted(path: Path, text: str) -> None:
    path.write_text(redact(text), encoding="utf-8")


def write_all(folder: Path, report: dict[str, Any]) -> list[Path]:
    """Every format into `folder` (created), each text redacted."""
    return write_formats(folder, FORMATS, report, None, write=_write_redacted)


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


_FIELDS_NOTE = ("Fields, types, nullability and headers are compared only when both summaries carry the "
                "observed contract")


def _fields_note(report: dict[str, Any]) -> str | None:
    """Why fields were not compared (without its closing "(`observed`)."), or None."""
    if report["base"]["observed_contract"] and report["new"]["observed_contract"]:
        return None
    return _FIELDS_NOTE


def render_markdown(report: Summary, _matrix: Any = None) -> str:
    lines = [f"## Monite conformance: compare — {_headline(report)}", "",
             "| | BASE | NEW |", "|---|---|---|"]
    lines += [f"| {key} | {_md(a)} | {_md(b)} |" for key, a, b in _meta_rows(report)]
    lines.append("")
    note = _fields_note(report)
    if note:
        lines += [f"_{note} (`observed`)._", ""]
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


def render_html(report: Summary, _matrix: Any = None) -> str:
    """compare.html, from `compare_report.html.j2` (every text escaped and redacted there)."""
    differences = [{"kind": d["kind"], "operations": _operations(d), "status": d.get("status"), "detail": d["detail"]}
                   for d in report["differences"]]
    return render("compare_report.html.j2", headline=_headline(report), meta=_meta_rows(report),
                  fields_note=_fields_note(report), differences=differences,
                  kinds=[(kind, report["counts"][kind], meaning) for kind, meaning in KINDS.items()]) + "\n"


FORMATS: tuple[Format, ...] = (Format("compare.json", render_json), Format("compare.md", render_markdown),
                               Format("compare.html", render_html))
FILES = tuple(formatter.filename for formatter in FORMATS)
