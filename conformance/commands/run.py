"""`monite-conformance run`: the suite against a target, reports in one folder, a CI exit code.

The run is `pytest --pyargs conformance.suite` in this process, with the suite's options and
the report plugin (`conformance.report.plugin`). Before pytest starts, the options, the
baseline and the target are checked, so a bad option (exit 2) or a dead target or refused
credential (exit 3) is one line, not a page of identical test errors. Exit codes: see
`conformance.verdict.verdict` and the README's "Exit codes".
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sys
import traceback
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import IO, Annotated, Any

import typer
from rich.console import Console

from conformance.config import RunConfig
from conformance.errors import ConfigError
from conformance.redaction import redact

PROG = "monite-conformance"
EXIT_USAGE, EXIT_UNREACHABLE, EXIT_ERROR, EXIT_INTERRUPTED = 2, 3, 4, 130
REPORT_FILES = ("report.html", "junit.xml", "summary.json", "summary.md")


class Profile(str, Enum):
    quick = "quick"
    full = "full"


class Suite(str, Enum):
    all = "all"
    property = "property"
    scenario = "scenario"


def register(app: typer.Typer) -> None:
    app.command()(run)


def run(
    target: Annotated[str | None, typer.Option(
        help="emulator (in-process, default) | emulator-http | asgi:module:factory | a base URL "
             "[env MONITE_BASE_URL]")] = None,
    api_version: Annotated[list[str] | None, typer.Option(
        help="x-monite-version to send [env MONITE_API_VERSION, default 2024-05-25]; given twice (A, then B): "
             "a differential run, the suite once per version and the comparison of B with A")] = None,
    profile: Annotated[Profile, typer.Option(help="quick: the CI gate; full: deep property testing")] = Profile.quick,
    suite: Annotated[Suite, typer.Option(help="which tests to run")] = Suite.all,
    only: Annotated[list[str] | None, typer.Option(
        help="run only tests about these operation ids or tags (repeatable, comma-separated)")] = None,
    skip: Annotated[list[str] | None, typer.Option(
        help="skip tests about these operation ids or tags (repeatable, comma-separated)")] = None,
    report_dir: Annotated[Path | None, typer.Option(
        help="where the reports go [default: reports/<timestamp>/, with reports/latest pointing at it]")] = None,
    seed: Annotated[int | None, typer.Option(help="seed for generated data [env MONITE_SEED]")] = None,
    workers: Annotated[int, typer.Option(min=1, max=64, help="parallel pytest-xdist workers")] = 1,
    baseline: Annotated[Path | None, typer.Option(
        help="YAML/JSON file of accepted deviations: they do not fail the run but stay in the report")] = None,
    allow_production: Annotated[bool, typer.Option(
        "--allow-production", help="allow running against Monite's production API")] = False,
    rate_limit: Annotated[float | None, typer.Option(
        help="most requests per second on a target without the control plane [default: the limit the "
             "target advertises, 30 (documented) until it does; 0: no pacing]")] = None,
    allow_changes_to_existing: Annotated[bool, typer.Option(
        "--allow-changes-to-existing",
        help="a throwaway entity: also sync, push and PATCH resources the run did not create "
             "(PATCHed fields are restored)")] = False,
    require_complete: Annotated[bool, typer.Option(
        "--require-complete", help="fail (exit 5) when checks could not run (skipped tests, cases not sent)")] = False,
    fail_on_difference: Annotated[bool, typer.Option(
        "--fail-on-difference", help="differential run: exit 1 when the two versions behave differently")] = False,
) -> int:
    """Run the suite against a target and write report.html, junit.xml, summary.json and summary.md."""
    from conformance.commands.preflight import preflight

    versions = list(api_version or [])
    options = RunOptions(target=target, profile=profile, suite=suite, only=_names(only), skip=_names(skip),
                         seed=seed, workers=workers, baseline=baseline, allow_production=allow_production,
                         rate_limit=rate_limit, allow_changes_to_existing=allow_changes_to_existing,
                         require_complete=require_complete)
    if len(versions) > 1:
        from conformance.commands.differential import run_differential

        return run_differential(options, versions, report_dir, fail_on_difference)
    if fail_on_difference:
        raise ConfigError("--fail-on-difference belongs to a differential run: give --api-version twice")

    console = Console(file=sys.stdout, highlight=False)  # bound now: pytest's output is redirected later
    folder, is_default = report_folder(report_dir)
    config = options.resolve(versions[0] if versions else None, folder.resolve())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # library deprecation notices are not the user's business
            preflight(config)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    args = pytest_args(config)
    _say(console, f"{PROG}: {config.target} · API {config.api_version} · profile {config.profile} · "
                  f"suite {config.suite} → {folder}", style="bold")
    try:
        exit_code = _run_pytest(args, folder, console)
    finally:
        if is_default:
            point_latest(folder)
    return exit_code


@dataclass(frozen=True)
class RunOptions:
    """The options of `run` besides the API version and the report folder, as the user gave them
    (None: not given, so the environment or the default decides)."""

    target: str | None = None
    profile: Profile = Profile.quick
    suite: Suite = Suite.all
    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    seed: int | None = None
    workers: int = 1
    baseline: Path | None = None
    allow_production: bool = False
    rate_limit: float | None = None
    allow_changes_to_existing: bool = False
    require_complete: bool = False

    def resolve(self, api_version: str | None, report_dir: Path) -> RunConfig:
        """The run's configuration at `api_version`, with every option checked (ConfigError: exit 2)."""
        from conformance.spec.catalog import spec_catalog
        from conformance.verdict.baseline import load_baseline

        config = RunConfig.resolve(
            target=self.target, api_version=api_version, allow_production=self.allow_production or None,
            profile=self.profile.value, suite=self.suite.value, only=self.only, skip=self.skip, seed=self.seed,
            workers=self.workers, baseline=self.baseline, report_dir=report_dir, rate_limit=self.rate_limit,
            allow_changes_to_existing=self.allow_changes_to_existing or None,
            require_complete=self.require_complete or None)
        try:
            catalog = spec_catalog()
            for names in (config.only, config.skip):
                catalog.resolve(list(names))
            if self.baseline is not None:
                load_baseline(self.baseline)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        return config

    def cli_args(self, api_version: str, report_dir: Path) -> list[str]:
        """`monite-conformance run` arguments that give the same run at `api_version` into `report_dir`."""
        args = ["run", "--api-version", api_version, "--report-dir", str(report_dir),
                "--profile", self.profile.value, "--suite", self.suite.value, "--workers", str(self.workers)]
        for option, value in (("--target", self.target), ("--seed", self.seed), ("--baseline", self.baseline),
                              ("--rate-limit", self.rate_limit)):
            if value is not None:
                args += [option, str(value)]
        args += [f"--only={name}" for name in self.only] + [f"--skip={name}" for name in self.skip]
        for flag, on in (("--allow-production", self.allow_production),
                         ("--allow-changes-to-existing", self.allow_changes_to_existing),
                         ("--require-complete", self.require_complete)):
            if on:
                args.append(flag)
        return args


def _names(values: list[str] | None) -> tuple[str, ...]:
    return tuple(name.strip() for value in values or [] for name in value.split(",") if name.strip())


def pytest_args(config: RunConfig) -> list[str]:
    """The pytest command line of a run: every option explicit, so the pytest plugin resolves
    the same RunConfig (in this process and in xdist workers). Secrets stay in the environment."""
    import conformance

    assert config.report_dir is not None
    package_dir = Path(conformance.__file__).resolve().parent
    folder = Path(config.report_dir)
    args = [
        "--pyargs", "conformance.suite",
        "-p", "conformance.report.plugin",
        "-p", "no:cacheprovider",
        "-o", "addopts=",
        "-o", "junit_suite_name=monite-conformance",
        # The CLI imported the suite's modules before pytest could rewrite their asserts: expected.
        "-W", "ignore::pytest.PytestAssertRewriteWarning",
        # Test ids read "conformance/suite/...", whatever the working directory (baselines match them).
        f"--rootdir={package_dir.parent}",
        f"--confcutdir={package_dir}",
        "-q", "--tb=short", "-rfE",
        f"--monite-target={config.target}",
        f"--monite-api-version={config.api_version}",
        f"--monite-profile={config.profile}",
        f"--monite-suite={config.suite}",
        f"--monite-seed={config.seed}",
        f"--monite-report-dir={folder}",
        f"--monite-workers={config.workers}",
        f"--junitxml={folder / 'junit.xml'}",
        f"--html={folder / 'report.html'}", "--self-contained-html",
    ]
    args += [f"--monite-only={value}" for value in config.only]
    args += [f"--monite-skip={value}" for value in config.skip]
    if config.baseline is not None:
        args.append(f"--monite-baseline={config.baseline}")
    if config.rate_limit is not None:
        args.append(f"--monite-rate-limit={config.rate_limit}")
    for flag, on in (("--monite-allow-production", config.allow_production),
                     ("--monite-allow-changes-to-existing", config.allow_changes_to_existing),
                     ("--monite-require-complete", config.require_complete)):
        if on:
            args.append(flag)
    if config.workers > 1:
        args += ["-n", str(config.workers), "--dist", "worksteal"]
    return args


def _run_pytest(args: list[str], folder: Path, console: Console) -> int:
    import pytest

    from conformance.report.console import ProgressPlugin, print_summary
    from conformance.report.scrub import scrub_tree
    from conformance.verdict.verdict import EXIT_CODES

    folder.mkdir(parents=True, exist_ok=True)
    progress = ProgressPlugin(console)
    with _output_to(folder / "pytest.log") as log:
        try:
            status = int(pytest.main(args, plugins=[progress]))
        except KeyboardInterrupt:
            status = -1
        except Exception as exc:  # pytest itself broke: its traceback goes to pytest.log, not the console
            traceback.print_exception(exc, file=log)
            # Ctrl-C can land where pytest cannot format the interrupt's traceback (a frame without
            # a line number): still an interruption, and the session's teardown has run.
            status = -1 if _caused_by_interrupt(exc) else int(pytest.ExitCode.INTERNAL_ERROR)
        finally:
            log.finish()
    scrub_tree(folder)
    summary = _read_summary(folder / "summary.json")
    if summary is None:
        # pytest stopped before the session ended (bad option, crash): no verdict to read.
        code = EXIT_INTERRUPTED if status in (-1, pytest.ExitCode.INTERRUPTED) else (
            EXIT_USAGE if status == pytest.ExitCode.USAGE_ERROR else EXIT_ERROR)
        _say(console, f"{PROG}: the run stopped early (pytest exit {status}); see {folder / 'pytest.log'}",
             style="red")
        for line in _tail(folder / "pytest.log", 5):
            _say(console, f"  {line}")
        return code
    code = EXIT_CODES.get(summary["verdict"], EXIT_ERROR)
    if status == -1:
        code = EXIT_INTERRUPTED
    print_summary(console, summary, folder, code)
    return code


def _caused_by_interrupt(exc: BaseException) -> bool:
    """Whether a KeyboardInterrupt is in `exc`'s chain of causes and contexts."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


@contextlib.contextmanager
def _output_to(path: Path) -> Iterator[Any]:
    """Send pytest's own console output (stdout and stderr) to `path`, redacted."""
    from conformance.report.scrub import RedactingWriter

    with path.open("w", encoding="utf-8") as handle:
        writer = RedactingWriter(handle)
        saved: tuple[IO[str], IO[str]] = (sys.stdout, sys.stderr)
        sys.stdout = sys.stderr = writer  # type: ignore[assignment]
        try:
            yield writer
        finally:
            sys.stdout, sys.stderr = saved


def _read_summary(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _tail(path: Path, lines: int) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return []
    return [line for line in text.splitlines() if line.strip()][-lines:]


def report_folder(report_dir: Path | None) -> tuple[Path, bool]:
    """The folder this run writes to; True when it is the default reports/<timestamp>/."""
    if report_dir is not None:
        return report_dir, False
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    base = Path("reports")
    folder, n = base / stamp, 1
    while folder.exists():
        n += 1
        folder = base / f"{stamp}-{n}"
    return folder, True


def point_latest(folder: Path) -> None:
    """Make reports/latest a symlink to the newest run folder (replaced atomically)."""
    latest = folder.parent / "latest"
    temporary = folder.parent / f".latest-{os.getpid()}"
    try:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        temporary.symlink_to(folder.name, target_is_directory=True)
        os.replace(temporary, latest)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink()


def _say(console: Console, text: str, style: str = "") -> None:
    from rich.markup import escape

    console.print(escape(redact(text)), style=style or None, highlight=False, soft_wrap=True)
