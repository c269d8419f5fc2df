"""`monite-conformance run`: the suite against a target, reports in one folder, a CI exit code.

The run is `pytest --pyargs conformance.suite` in this process, with the suite's options and
the report plugin (`conformance.report.plugin`). Before pytest starts, the options, the
baseline and the target are checked, so a bad option (exit 2) or a dead target or refused
credential (exit 3) is one line, not a page of identical test errors. Exit codes: see
`conformance.report.verdict` and the README's "Exit codes".
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sys
import warnings
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import IO, Annotated, Any

import typer
from rich.console import Console

try:  # Typer >= 0.2x carries its own copy of click
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover - older Typer on the real click
    from click import exceptions as click_errors  # type: ignore[no-redef]

from conformance.commands import proxy as proxy_command
from conformance.errors import ConfigError, TargetUnreachable
from conformance.redaction import redact

PROG = "monite-conformance"
EXIT_USAGE, EXIT_UNREACHABLE, EXIT_ERROR, EXIT_INTERRUPTED = 2, 3, 4, 130
REPORT_FILES = ("report.html", "junit.xml", "summary.json", "summary.md")

app = typer.Typer(name=PROG, add_completion=False, no_args_is_help=True,
                  pretty_exceptions_enable=False,
                  help="Conformance suite for Monite's accounting-integration API.")


class Profile(str, Enum):
    quick = "quick"
    full = "full"


class Suite(str, Enum):
    all = "all"
    property = "property"
    scenario = "scenario"


@app.callback()
def _root() -> None:
    """Conformance suite for Monite's accounting-integration API."""


proxy_command.register(app)


@app.command()
def run(
    target: Annotated[str | None, typer.Option(
        help="emulator (in-process, default) | emulator-http | asgi:module:factory | a base URL "
             "[env MONITE_BASE_URL]")] = None,
    api_version: Annotated[str | None, typer.Option(
        help="x-monite-version to send [env MONITE_API_VERSION, default 2024-05-25]")] = None,
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
) -> int:
    """Run the suite against a target and write report.html, junit.xml, summary.json and summary.md."""
    from conformance.preflight import preflight
    from conformance.report.baseline import load_baseline
    from conformance.report.operations import spec_catalog
    from conformance.target import TargetConfig

    console = Console(file=sys.stdout, highlight=False)  # bound now: pytest's output is redirected later
    config = TargetConfig.from_env(target=target, api_version=api_version, allow_production=allow_production)
    try:
        config.validate()
        catalog = spec_catalog()
        for names in (only or [], skip or []):
            catalog.resolve([name.strip() for value in names for name in value.split(",") if name.strip()])
        if baseline is not None:
            load_baseline(baseline)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # library deprecation notices are not the user's business
            preflight(config)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    folder, is_default = _report_folder(report_dir)
    args = _pytest_args(folder, config, profile.value, suite.value, only or [], skip or [], seed, workers,
                        baseline, allow_production)
    _say(console, f"{PROG}: {config.target} · API {config.api_version} · profile {profile.value} · "
                  f"suite {suite.value} → {folder}", style="bold")
    try:
        exit_code = _run_pytest(args, folder, console)
    finally:
        if is_default:
            _point_latest(folder)
    return exit_code


def _pytest_args(folder: Path, config: Any, profile: str, suite: str, only: list[str], skip: list[str],
                 seed: int | None, workers: int, baseline: Path | None, allow_production: bool) -> list[str]:
    import conformance

    package_dir = Path(conformance.__file__).resolve().parent
    folder = folder.resolve()
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
        f"--monite-profile={profile}",
        f"--monite-suite={suite}",
        f"--monite-report-dir={folder}",
        f"--monite-workers={workers}",
        f"--junitxml={folder / 'junit.xml'}",
        f"--html={folder / 'report.html'}", "--self-contained-html",
    ]
    args += [f"--monite-only={value}" for value in only]
    args += [f"--monite-skip={value}" for value in skip]
    if seed is not None:
        args.append(f"--monite-seed={seed}")
    if baseline is not None:
        args.append(f"--monite-baseline={baseline}")
    if allow_production:
        args.append("--monite-allow-production")
    if workers > 1:
        args += ["-n", str(workers), "--dist", "worksteal"]
    return args


def _run_pytest(args: list[str], folder: Path, console: Console) -> int:
    import pytest

    from conformance.report.console import ProgressPlugin, print_summary
    from conformance.report.scrub import scrub_tree
    from conformance.report.verdict import EXIT_CODES

    folder.mkdir(parents=True, exist_ok=True)
    progress = ProgressPlugin(console)
    with _output_to(folder / "pytest.log") as log:
        try:
            status = int(pytest.main(args, plugins=[progress]))
        except KeyboardInterrupt:
            status = -1
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
    print_summary(console, summary, folder, code)
    return code


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


def _report_folder(report_dir: Path | None) -> tuple[Path, bool]:
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


def _point_latest(folder: Path) -> None:
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


def _fail(message: str, code: int) -> int:
    """Print `message` as the one line of an error (no traceback) and return the exit code."""
    from rich.markup import escape

    message = message.replace("Value error, ", "").strip().splitlines()[0] if message.strip() else "error"
    Console(stderr=True, highlight=False).print(
        f"{PROG}: error: {escape(redact(message))}", style="red", soft_wrap=True)
    return code


def main(argv: list[str] | None = None) -> None:
    """Console entry point: one line and exit 2 for a bad option, never a traceback."""
    try:
        code = app(args=argv, prog_name=PROG, standalone_mode=False)
    except click_errors.NoArgsIsHelpError:
        code = EXIT_USAGE  # Typer has printed the help already
    except click_errors.UsageError as exc:
        code = _fail(exc.format_message(), EXIT_USAGE)
    except ConfigError as exc:
        code = _fail(str(exc), EXIT_USAGE)
    except TargetUnreachable as exc:
        code = _fail(str(exc), EXIT_UNREACHABLE)
    except click_errors.ClickException as exc:
        code = _fail(exc.format_message(), exc.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        code = EXIT_INTERRUPTED
    except typer.Exit as exc:
        code = exc.exit_code
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
