"""`monite-conformance run`: the suite against a target, reports in one folder, a CI exit code.

The run is `pytest --pyargs conformance.suite` in this process, with the suite's options and
the report plugin (`conformance.report.plugin`). Before pytest starts, the options, the
baseline and the target are checked, so a bad option (exit 2) or a dead target or refused
credential (exit 3) is one line, not a page of identical test errors. Exit codes: see
`conformance.verdict.decision` and the README's "Exit codes".
"""

from __future__ import annotations

import contextlib
import json
import sys
import traceback
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pluggy
import typer
from rich.console import Console

from conformance import config_file, interrupt
from conformance.commands import remote_workers
from conformance.commands.report_folder import point_latest, report_folder
from conformance.commands.run_options import command, resolve_run
from conformance.config import RunConfig
from conformance.errors import ConfigError
from conformance.exit_codes import ERROR, INTERRUPTED, UNREACHABLE, USAGE, exit_code
from conformance.options import PROG, pytest_argv
from conformance.redaction import redact

EXIT_USAGE, EXIT_UNREACHABLE, EXIT_ERROR, EXIT_INTERRUPTED = USAGE, UNREACHABLE, ERROR, INTERRUPTED
REPORT_FILES = ("report.html", "junit.xml", "summary.json", "summary.md", "report.sarif")
_hookimpl = pluggy.HookimplMarker("pytest")  # = pytest.hookimpl, without importing pytest at start-up


def register(app: typer.Typer) -> None:
    app.command("run")(command(run, "Run the suite against a target and write report.html, junit.xml, "
                                    "summary.json and summary.md."))


def run(given: dict[str, Any]) -> int:
    """`monite-conformance run`: `given` holds every option by name, None where not given."""
    from conformance.commands.preflight import preflight

    file = config_file.load(given.pop("config"), disabled=bool(given.pop("no_config")))
    versions = list(given.pop("api_version") or file.run.get("api_version", ()))
    fail_on_difference = bool(given.pop("fail_on_difference") or False)
    report_dir = given.pop("report_dir") or file.run.get("report_dir")
    if len(versions) > 1:
        from conformance.commands.differential import run_differential

        return run_differential(given, versions, file, report_dir, fail_on_difference)
    if fail_on_difference:
        raise ConfigError("--fail-on-difference belongs to a differential run: give --api-version twice")

    console = Console(file=sys.stdout, highlight=False)  # bound now: pytest's output is redirected later
    folder, is_default = report_folder(report_dir)
    workers_given = given.get("workers") is not None or "workers" in file.run
    config = resolve_run(given, versions[0] if versions else None, file, folder.resolve())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # library deprecation notices are not the user's business
            preflight(config)
            # A remote target: enough workers to hide its round trip (`--workers N` wins).
            workers = remote_workers.plan(config, workers_given)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    config = workers.config
    args = pytest_args(config, remote=workers.remote)
    _say(console, f"{PROG}: {config.target} · API {config.api_version} · profile {config.profile} · "
                  f"suite {config.suite} → {folder}"
                  + (f" · configuration {config.config_file}" if config.config_file else "")
                  + (f" · {workers.describe()}" if workers.describe() else ""), style="bold")
    interrupt.moment("before-pytest")
    try:
        with remote_workers.shared_slots(workers):
            exit_code = _run_pytest(args, folder, console, config,
                                    extra_plugins=[remote_workers.SideBySide()] if workers.side_by_side else [])
    finally:
        if is_default:
            point_latest(folder)
    return exit_code



def pytest_args(config: RunConfig, remote: bool = False) -> list[str]:
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
        # Only the plugins the run uses, by name (after the report plugin, as autoloading had
        # them): a plugin installed beside the suite (one that reorders tests, say) cannot change
        # a run, and pytest does not rewrite the asserts of every module of every plugin's
        # distribution (~250 schemathesis modules) again on each run.
        "--disable-plugin-autoload", *_plugin_args(config),
        "-o", "addopts=",
        "-o", "junit_suite_name=monite-conformance",
        # The CLI imported the suite's modules before pytest could rewrite their asserts: expected.
        "-W", "ignore::pytest.PytestAssertRewriteWarning",
        # Test ids read "conformance/suite/...", whatever the working directory (baselines match them).
        f"--rootdir={package_dir.parent}",
        f"--confcutdir={package_dir}",
        "-q", "--tb=short", "-rfE",
        f"--junitxml={folder / 'junit.xml'}",
        f"--html={folder / 'report.html'}", "--self-contained-html",
        *pytest_argv(config.option_values(), config.config_file),
    ]
    return args + xdist_args(config, remote)


def xdist_args(config: RunConfig, remote: bool = False) -> list[str]:
    """How the run spreads its tests over pytest-xdist workers (none: all in this process).

    On an emulator the run starts itself, each worker has its own, and `--dist loadscope` is
    read by the suite's plugin as "fixed groups, each in collection order in one worker"
    (`conformance.pytest_plugin.scheduling`): the same results as one process. On a remote
    target (no control plane) tests run side by side only where they cannot disturb each other
    (`remote_workers`: its scheduler and the turns its workers take). Elsewhere (our emulator
    over HTTP) tests go to whichever worker is free."""
    if config.workers <= 1:
        return []
    workers = ["-n", str(config.workers)]
    if config.starts_emulator:
        return workers + ["--dist", "loadscope"]
    if remote:
        return workers + ["--dist", "loadscope", "-p", "conformance.commands.remote_workers"]
    return workers + ["--dist", "worksteal"]


# The plugins a run loads (`--disable-plugin-autoload` leaves out the rest): the suite's own,
# schemathesis' (how a check failure reads), hypothesis' (its options and statistics), pytest-html
# with the metadata plugin it reads, and xdist where the run has workers. By entry-point name,
# except schemathesis: `-p NAME` also marks the module NAME for assert rewriting, and its entry
# point is named like the whole package (~240 modules rewritten on every run and in every worker).
RUN_PLUGINS = ("monite_conformance", "schemathesis.pytest.plugin", "hypothesispytest", "metadata", "html",
               "html_fixtures")


def _plugin_args(config: RunConfig) -> list[str]:
    names = RUN_PLUGINS + (("xdist",) if config.workers > 1 else ())
    return [arg for name in names for arg in ("-p", name)]


def _run_pytest(args: list[str], folder: Path, console: Console, config: RunConfig,
                extra_plugins: list[Any] | None = None) -> int:
    import pytest

    from conformance.pytest_plugin.plugin import ResolvedRun

    from conformance.report.console import ProgressPlugin, print_summary
    from conformance.report.scrub import scrub_tree
    from conformance.safety.cleanup import abandoned

    folder.mkdir(parents=True, exist_ok=True)
    progress = ProgressPlugin(console)
    stopper = InterruptPlugin()
    before = interrupt.count()
    with _output_to(folder / "pytest.log") as log:
        interrupt.defer()  # until collection starts: pytest loading its plugins is not to be cut short
        try:
            status = int(pytest.main(args, plugins=[progress, ResolvedRun(config), stopper, *(extra_plugins or [])]))
        except KeyboardInterrupt:
            status = -1
        except Exception as exc:  # pytest itself broke: its traceback goes to pytest.log, not the console
            traceback.print_exception(exc, file=log)
            # Ctrl-C can land where pytest cannot format the interrupt's traceback (a frame without
            # a line number): still an interruption, and the session's teardown has run.
            status = -1 if _caused_by_interrupt(exc) else int(pytest.ExitCode.INTERNAL_ERROR)
        finally:
            stopper.started()
            log.finish()
    with interrupt.deferred():  # the reports are written; finish them (a second Ctrl-C does not wait)
        interrupted = status == -1 or interrupt.count() > before
        interrupt.handled()
        scrub_tree(folder)
        summary = _read_summary(folder / "summary.json")
        for line in abandoned():
            _say(console, f"{PROG}: cleanup abandoned at a second Ctrl-C; left on the target: {line}", style="red")
        if summary is None:
            # pytest stopped before the session ended (bad option, crash): no verdict to read.
            code = EXIT_INTERRUPTED if interrupted or status == pytest.ExitCode.INTERRUPTED else (
                EXIT_USAGE if status == pytest.ExitCode.USAGE_ERROR else EXIT_ERROR)
            _say(console, f"{PROG}: the run stopped early (pytest exit {status}); see {folder / 'pytest.log'}",
                 style="red")
            for line in _tail(folder / "pytest.log", 5):
                _say(console, f"  {line}")
            return code
        code = exit_code(summary["verdict"])
        if interrupted:
            code = EXIT_INTERRUPTED
        print_summary(console, summary, folder, code)
        return code


class InterruptPlugin:
    """pytest hooks that make a Ctrl-C stop the run wherever it landed (`conformance.interrupt`).

    Every collection step and test boundary is a checkpoint: a Ctrl-C that a library swallowed
    is raised again there. The session's end (reports, and the teardown that cleans up after an
    interrupted test) runs with the first Ctrl-C deferred; one that arrives before the verdict is
    taken makes it "interrupted".
    """

    def __init__(self) -> None:
        self._starting = True
        self._config: Any = None

    def started(self) -> None:
        """pytest has loaded: end the deferral `_run_pytest` began (once)."""
        if self._starting:
            self._starting = False
            interrupt.resume()

    @_hookimpl(tryfirst=True)
    def pytest_collectstart(self) -> None:
        if self._starting:
            self.started()
            interrupt.moment("collection")
        interrupt.check()

    def pytest_collectreport(self) -> None:
        interrupt.check()

    @_hookimpl(tryfirst=True)
    def pytest_collection_finish(self) -> None:
        interrupt.check()

    def pytest_configure(self, config: Any) -> None:
        self._config = config

    @_hookimpl(tryfirst=True)
    def pytest_runtest_logstart(self) -> None:
        # An xdist controller collects nothing: its first test's start ends the deferral, and
        # the tests run in the workers: for this process a test's moment is its start.
        self.started()
        if self._config is not None and self._config.pluginmanager.has_plugin("dsession"):
            interrupt.moment("test")
        interrupt.check()

    @_hookimpl(tryfirst=True)
    def pytest_runtest_call(self) -> None:
        interrupt.moment("test")

    def pytest_runtest_logfinish(self) -> None:
        interrupt.check()

    def pytest_keyboard_interrupt(self) -> None:
        interrupt.handled()

    @_hookimpl(hookwrapper=True, tryfirst=True)
    def pytest_sessionfinish(self, session: Any) -> Iterator[None]:
        self.started()
        interrupt.defer()
        try:
            interrupt.moment("reports")
            if interrupt.pending():  # noted here, or swallowed on the way: the run stops for it all the same
                plugin = session.config.pluginmanager.get_plugin("monite-report")
                if plugin is not None:
                    plugin.results.interrupted = True
                session.exitstatus = 2  # pytest.ExitCode.INTERRUPTED
                interrupt.handled()
            yield
        finally:
            interrupt.resume()


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


def _say(console: Console, text: str, style: str = "") -> None:
    from rich.markup import escape

    console.print(escape(redact(text)), style=style or None, highlight=False, soft_wrap=True)
