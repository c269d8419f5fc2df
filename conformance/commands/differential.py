"""`monite-conformance run --api-version A --api-version B`: the differential run.

The suite runs once per version, each run a `monite-conformance run` of its own (a fresh
process: the suite's schemas, evidence and cleanup are per process, and a version's run must
not see another's) into `<report dir>/<version>/`; then the comparison of B with A
(`conformance.compare`: compare.json, compare.md, compare.html) goes into `<report dir>/`.

Exit code: the worst of the runs' own (`conformance.verdict.decision.worst_exit_code`);
`--fail-on-difference` makes any difference between the two versions at least a 1.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from conformance import interrupt
from conformance.commands.compare import show_differences
from conformance.commands.report_folder import point_latest, report_folder
from conformance.commands.run_options import resolve_run
from conformance.compare.differences import compare_runs
from conformance.findings import Finding
from conformance.compare.report import build, write_all
from conformance.compare.runs import RunUnreadable, load_run
from conformance.config import RunConfig
from conformance.config_file import FileConfig
from conformance.errors import ConfigError
from conformance.options import PROG, child_argv
from conformance.redaction import redact
from conformance.verdict.decision import EXIT_CODES, FAILURES, INTERRUPTED, worst_exit_code


def run_differential(given: dict[str, Any], versions: list[str], file: FileConfig, report_dir: Path | None,
                     fail_on_difference: bool) -> int:
    """`given`: the run options as the user gave them (None: not given); `file`: the configuration file's."""
    if len(versions) != 2:
        raise ConfigError(f"a differential run compares two API versions; --api-version was given {len(versions)} times")
    if versions[0] == versions[1]:
        raise ConfigError(f"a differential run compares two different API versions; both are {versions[0]}")
    folder, is_default = report_folder(report_dir)
    # Every option resolved and checked once per version, before anything runs; each version's
    # run gets them all as arguments, so it decides nothing anew.
    configs: list[RunConfig] = [resolve_run(given, version, file, (folder / version).resolve()) for version in versions]
    console = Console(file=sys.stdout, highlight=False)
    say = lambda text, style="": console.print(escape(redact(text)), style=style or None, soft_wrap=True)  # noqa: E731
    say(f"{PROG}: differential run, API {versions[0]} vs {versions[1]} → {folder}", "bold")

    codes: list[int] = []
    try:
        for version, config in zip(versions, configs):
            say(f"{PROG}: API {version} → {folder / version}", "bold")
            code = _run_version(child_argv(config.option_values(), config.config_file))
            codes.append(code)
            if code == EXIT_CODES[INTERRUPTED] or interrupt.requested():
                skipped = versions[len(codes):]
                say(f"{PROG}: interrupted; no comparison" + (f", API {', '.join(skipped)} not run" if skipped else ""),
                    "yellow")
                return EXIT_CODES[INTERRUPTED]
        with interrupt.deferred():  # the comparison's files are written whole
            differences = _compare(folder, versions, say)
        if interrupt.requested():
            say(f"{PROG}: interrupted after the comparison was written", "yellow")
            return EXIT_CODES[INTERRUPTED]
    finally:
        if is_default:
            point_latest(folder)
    code = differential_exit_code(codes, differences, fail_on_difference)
    say(f"differential run: exit {code} (API {versions[0]}: exit {codes[0]}, API {versions[1]}: exit {codes[1]}"
        + (", differences fail the run" if fail_on_difference and differences else "") + ")", "bold")
    return code


def differential_exit_code(codes: list[int], differences: list[Finding] | None, fail_on_difference: bool) -> int:
    """The worst of the runs' exit codes; with `fail_on_difference`, a difference is at least a failure."""
    if fail_on_difference and differences:
        codes = [*codes, EXIT_CODES[FAILURES]]
    return worst_exit_code(codes)


def _run_version(args: list[str]) -> int:
    """One version's run in a fresh process; its output goes to this console.

    The run is in a process group of its own, so the terminal's Ctrl-C reaches this process only,
    and each one is passed on exactly once: the first stops the run (it cleans up and writes its
    partial reports), a second makes it abandon the cleanup. No guessing whether it got the signal.
    """
    process = subprocess.Popen([sys.executable, "-m", "conformance.cli", *args], process_group=0)
    while True:
        try:
            return process.wait()
        except KeyboardInterrupt:
            process.send_signal(signal.SIGINT)


def _compare(folder: Path, versions: list[str], say: Callable[..., None]) -> list[Finding] | None:
    """compare.json, compare.md and compare.html of the second version's run against the first's."""
    try:
        base, new = (load_run(folder / version) for version in versions)
    except RunUnreadable as exc:
        say(f"{PROG}: no comparison: {exc}", "red")
        return None
    differences = compare_runs(base, new)
    written = write_all(folder, build(base, new, differences))
    show_differences(say, f"API {versions[0]} → {versions[1]}", differences, written)
    return differences
