"""`monite-conformance compare BASE NEW`: what changed between two runs (the nightly drift watch).

Exit codes (`conformance.exit_codes`): 0 nothing to fail on; 1 a difference `--fail-on` names
(default: a regression); 2 a usage error or a BASE/NEW that is not a run's summary.json.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from conformance.compare.differences import REGRESSION_KINDS, compare_runs, kind_of
from conformance.compare.report import build, write_all
from conformance.compare.runs import RunUnreadable, load_run
from conformance.errors import ConfigError
from conformance.exit_codes import exit_code
from conformance.findings import Finding
from conformance.redaction import redact

SHOWN = 20


class FailOn(str, Enum):
    regression = "regression"
    any = "any"
    none = "none"


def compare(
    base: Annotated[Path, typer.Argument(help="the run to compare against: a report folder or its summary.json")],
    new: Annotated[Path, typer.Argument(help="the run to judge: a report folder or its summary.json")],
    report_dir: Annotated[Path | None, typer.Option(
        help="where compare.json, compare.md and compare.html go [default: NEW's report folder]")] = None,
    fail_on: Annotated[FailOn, typer.Option(
        help="exit 1 on a regression (pass → fail), on any difference, or never")] = FailOn.regression,
) -> int:
    """Compare two runs: verdicts, statuses, fields, headers and observations per operation."""
    try:
        base_run, new_run = load_run(base), load_run(new)
    except RunUnreadable as exc:
        raise ConfigError(str(exc)) from None
    differences = compare_runs(base_run, new_run)
    report = build(base_run, new_run, differences)
    folder = report_dir if report_dir is not None else new_run.folder
    try:
        written = write_all(folder, report)
    except OSError as exc:
        raise ConfigError(f"cannot write the comparison to {folder}: {exc.strerror or exc}") from None

    console = Console(file=sys.stdout, highlight=False)
    say = lambda text, style="": console.print(escape(redact(text)), style=style or None, soft_wrap=True)  # noqa: E731
    show_differences(say, f"{base_run.source} → {new_run.source}", differences, written)

    failing = (fail_on is FailOn.any and bool(differences)) or (
        fail_on is FailOn.regression and any(kind_of(d) in REGRESSION_KINDS for d in differences))
    return exit_code("differences" if failing else "no-difference")


def register(app: typer.Typer) -> None:
    app.command("compare")(compare)


def show_differences(say: Callable[..., None], title: str, differences: list[Finding],
                     written: list[Path]) -> None:
    """The console's account of a comparison: the count, the first differences, the files."""
    total = len(differences)
    say(f"compare: {title}: " + (f"{total} difference{'s' if total != 1 else ''}" if total else "no difference"),
        "bold")
    for difference in differences[:SHOWN]:
        kind = kind_of(difference)
        style = "red" if kind in REGRESSION_KINDS else ("green" if kind == "fixed" else "")
        say(f"  {kind:<20} {difference.operation or '–':<32} {difference.observed}", style)
    if total > SHOWN:
        say(f"  … and {total - SHOWN} more (see compare.md)")
    say("reports: " + ", ".join(str(path) for path in written))
