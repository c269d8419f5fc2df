"""What `monite-conformance run` prints: a progress bar while it runs, a short verdict after.

pytest's own terminal output goes to pytest.log in the report folder; the console gets only
this, so a CI log shows the verdict, the failures (one line each) and where the evidence is.
Everything printed comes from redacted data and passes through `redact` once more.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from conformance.findings import evidence_of
from conformance.redaction import redact
from conformance.report.incomplete import describe

SHOWN_RULES = 12  # observed rules listed on the console
_VERDICT_STYLE = {
    "conforms": ("green", "the target conforms"),
    "incomplete": ("yellow", "incomplete: checks could not run (--require-complete)"),
    "under-coverage": ("yellow", "coverage below --min-coverage"),
    "failures": ("red", "conformance failures"),
    "unreachable": ("red", "target unreachable or credentials rejected"),
    "interrupted": ("yellow", "interrupted: results are partial"),
    "usage": ("red", "configuration error"),
    "no-tests": ("red", "no test selected"),
    "error": ("red", "the suite itself failed (see pytest.log)"),
}


def say(console: Console, text: str, style: str = "") -> None:
    console.print(escape(redact(text)), style=style or None, highlight=False, soft_wrap=True)


class ProgressPlugin:
    """pytest hooks (controller side) that drive a rich progress bar, or plain failure lines."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.live = console.is_terminal
        self.progress = Progress(TextColumn("[bold]testing"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.fields[failed]} failed"), TimeElapsedColumn(),
                                 console=console, transient=True, auto_refresh=False)
        self.task = self.progress.add_task("tests", total=None, failed=0)
        self.failed = 0
        self.done = 0

    def pytest_configure(self, config: pytest.Config) -> None:
        if config.pluginmanager.hasplugin("xdist"):
            config.pluginmanager.register(_XdistCount(self), "monite-progress-xdist")

    def set_total(self, total: int) -> None:
        if self.progress.tasks[0].total is None and not self.live:
            say(self.console, f"running {total} tests")  # a CI log has no progress bar
        self.progress.update(self.task, total=total)
        self._refresh()

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        if not hasattr(session.config, "workerinput") and session.items:
            self.set_total(len(session.items))

    def pytest_sessionstart(self) -> None:
        if self.live:
            self.progress.start()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.failed and evidence_of(report).accepted is None:
            self.failed += 1
            reason = getattr(getattr(report.longrepr, "reprcrash", None), "message", "") or ""
            first = next((line for line in str(reason).splitlines() if line.strip()), "")
            line = f"FAILED {report.nodeid}" + (f" - {first[:160]}" if first else "")
            if self.live:
                self.progress.console.print(escape(redact(line)), style="red", highlight=False)
            else:
                say(self.console, line)
        if report.when == "teardown":
            self.done += 1
        self.progress.update(self.task, completed=self.done, failed=self.failed)
        self._refresh()

    def _refresh(self) -> None:
        if self.live:
            self.progress.refresh()

    def pytest_sessionfinish(self) -> None:
        if self.live:
            self.progress.stop()


class _XdistCount:
    def __init__(self, progress: ProgressPlugin) -> None:
        self.progress = progress

    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        self.progress.set_total(len(ids))


def print_summary(console: Console, summary: dict[str, Any], report_dir: Path, exit_code: int) -> None:
    """The verdict, counts, per-operation results, failures and where the reports are."""
    counts = summary["counts"]
    table = Table(title="operations", show_edge=False, header_style="bold")
    for column in ("operation", "result", "tests", "statuses seen"):
        table.add_column(column)
    colours = {"failed": "red", "passed": "green", "accepted": "yellow", "not-exercised": "dim"}
    for op_id, op in summary["operations"].items():
        seen = [key for key, cell in op["statuses"].items() if cell["state"] != "not-exercised"]
        seen += [f"{status}?" for status in op["undocumented_statuses"]]
        colour = colours.get(op["result"], "")
        table.add_row(op_id, f"[{colour}]{op['result']}[/]" if colour else op["result"],
                      str(op["tests"]), escape(" ".join(seen)))
    console.print(table)
    for failure in summary["failures"][:25]:
        say(console, f"  ✗ {failure['operation'] or 'n/a'}: {failure['test']}: {failure['reason']}", "red")
    if len(summary["failures"]) > 25:
        say(console, f"  … {len(summary['failures']) - 25} more failures in the report")
    for item in summary["accepted"]:
        say(console, f"  ! accepted: {item['test']}: {item['reason']}", "yellow")
    for item in summary.get("cleanup_failures", []):
        say(console, f"  left on the target (remove by hand): {item['what']}", "yellow")
    rows = summary.get("observations_by_rule") or []
    for row in rows[:SHOWN_RULES]:
        say(console, f"  ~ observed {row['rule']} ×{row['count']}: {row['sentence']}", "cyan")
        if row["examples"]:
            say(console, f"      e.g. {row['examples'][0]['curl'] or row['examples'][0]['request']}", "dim")
    if len(rows) > SHOWN_RULES:
        say(console, f"  … {len(rows) - SHOWN_RULES} more observed rules in the report")
    if summary.get("exit_message"):
        say(console, f"  {summary['exit_message']}", "red")
    coverage = summary["coverage"]
    say(console, f"{counts['passed']} passed, {counts['failed']} failed, {counts['error']} errors, "
                 f"{counts['accepted']} accepted, {counts['skipped']} skipped, {counts['observations']} observations; "
                 f"{coverage['exercised_pairs']}/{coverage['documented_pairs']} documented operation×status pairs "
                 f"exercised in {summary['run']['duration_seconds']:.1f} s")
    dimensions = coverage.get("dimensions") or {}
    if dimensions:
        say(console, "coverage: " + ", ".join(f"{name} {entry['percent']:g}% ({entry['covered']}/{entry['documented']})"
                                              for name, entry in dimensions.items()))
    for line in coverage.get("unmet") or []:
        say(console, f"  below --min-coverage: {line}", "yellow")
    say(console, f"reports: {report_dir}/report.html (junit.xml, summary.json, summary.md, report.sarif, pytest.log)")
    colour, text = _VERDICT_STYLE.get(summary["verdict"], ("red", summary["verdict"]))
    could_not_run = describe(summary.get("incomplete"))
    if could_not_run and colour == "green":
        colour = "yellow"  # it conforms in what ran; not everything ran
    say(console, f"{text}" + (f" — {could_not_run}" if could_not_run else "") + f" (exit {exit_code})",
        f"bold {colour}")
