"""Write the four reports of the proxied traffic into one folder, then scrub it of secrets.

Each file is written to a temporary name and renamed, so a reader (or a second write on
demand) never sees half a report.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from conformance.proxy.recorder import Traffic
from conformance.proxy.report_html import render_html
from conformance.proxy.report_junit import render_junit
from conformance.proxy.report_matrix import traffic_matrix
from conformance.proxy.sarif import render_sarif
from conformance.proxy.report_summary import build_summary, render_markdown
from conformance.proxy.fail_on import FailOn, exit_code, verdict
from conformance.report.formats import JSON, Format, write_formats
from conformance.report.sarif import SARIF_FILENAME
from conformance.openapi.catalog import Catalog
from conformance.report.scrub import scrub_text

PROXY_FORMATS = (JSON, Format("summary.md", render_markdown), Format("junit.xml", lambda summary, _: render_junit(summary)),
                 Format("report.html", render_html), Format(SARIF_FILENAME, render_sarif))
REPORT_FILES = tuple(formatter.filename for formatter in PROXY_FORMATS)


def write_reports(folder: Path, traffic: Traffic, catalog: Catalog, meta: dict[str, Any],
                  fail_on: FailOn) -> dict[str, Any]:
    """Write the reports; returns what `/_proxy/report` answers: folder, verdict, exit code, counts."""
    matrix = traffic_matrix(catalog, traffic)
    meta = {**meta, "fail_on": fail_on.value,
            "written_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
    code = exit_code(traffic, fail_on)
    summary = build_summary(meta, traffic, matrix, verdict(traffic, fail_on), code)
    write_formats(folder, PROXY_FORMATS, summary, matrix, write=_write)
    return {"report_dir": str(folder), "verdict": summary["verdict"], "exit_code": code, "counts": summary["counts"]}


def _write(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(scrub_text(text), encoding="utf-8")
    os.replace(temporary, path)
