"""pytest plugin behind `monite-conformance run`: selection, evidence, baseline, reports.

Loaded with `-p conformance.report.plugin` (the CLI does it). On every process that runs
tests (also xdist workers) it tells the recorder which test is running, attaches what the
test saw to its report, redacts the report, and turns baseline-matched failures into
accepted deviations. On the controller it gathers the reports and, at the end, writes
summary.json and summary.md into --monite-report-dir and puts the coverage matrix at the
top of the pytest-html report; finally it scrubs every file in that folder.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance import recorder
from conformance.errors import ConfigError, TargetUnreachable
from conformance.redaction import redact
from conformance.report import baseline as baseline_mod
from conformance.report import janitor
from conformance.report.html import exchange_html, render_sections
from conformance.report.matrix import Matrix, build_matrix
from conformance.report.meta import now, run_metadata, set_html_environment
from conformance.report.operations import Catalog, spec_catalog
from conformance.report.redact_reports import redact_report
from conformance.report.results import RunResults
from conformance.report.scrub import scrub_tree
from conformance.report.selection import OPERATIONS_MARKER, TestScope, keep, scope_of
from conformance.report.summary import build_summary, render_markdown, write_json
from conformance.report.verdict import verdict_of

SUITES = ("all", "property", "scenario")
_SCOPE = pytest.StashKey[TestScope]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("monite-report", "Monite conformance reports")
    group.addoption("--monite-report-dir", default=None, help="write summary.json / summary.md here")
    group.addoption("--monite-suite", default="all", choices=SUITES, help="which tests to run")
    group.addoption("--monite-only", action="append", default=[],
                    help="run only tests about these operation ids or tags (comma-separated)")
    group.addoption("--monite-skip", action="append", default=[],
                    help="skip tests about these operation ids or tags (comma-separated)")
    group.addoption("--monite-baseline", default=None, help="YAML/JSON file of accepted deviations")
    group.addoption("--monite-workers", default=1, type=int, help="xdist workers (recorded in the report)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{OPERATIONS_MARKER}(*operation_ids): the operations a scenario is about")
    plugin = ReportPlugin(config)
    config.pluginmanager.register(plugin, "monite-report")
    if not plugin.is_worker and config.pluginmanager.hasplugin("html"):
        config.pluginmanager.register(_HtmlHooks(plugin), "monite-report-html")


def _names(values: list[str]) -> list[str]:
    return [name.strip() for value in values for name in value.split(",") if name.strip()]


class ReportPlugin:
    """The hooks of one pytest run, and what they gather."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.catalog: Catalog = spec_catalog()
        path = config.getoption("--monite-baseline")
        try:
            self.baseline = baseline_mod.load_baseline(path) if path else []
            only = _names(config.getoption("--monite-only"))
            self.only = self.catalog.resolve(only) if only else None
            self.skip = self.catalog.resolve(_names(config.getoption("--monite-skip")))
        except (ConfigError, ValueError) as exc:
            raise pytest.UsageError(str(exc)) from None
        self.suite: str = config.getoption("--monite-suite")
        self.results = RunResults()
        self.started = time.time()
        self.meta: dict[str, Any] = {}
        self.summary: dict[str, Any] | None = None
        self.matrix: Matrix | None = None
        self.collection_errors: list[str] = []
        self.exit_message: str | None = None  # pytest.exit()'s message, e.g. a configuration error
        report_dir = config.getoption("--monite-report-dir")
        self.report_dir = Path(report_dir) if report_dir else None
        self.is_worker = hasattr(config, "workerinput")

    # -- every process that runs tests -------------------------------------------------------

    @pytest.hookimpl(trylast=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.meta = run_metadata(self.config, self.suite, self.only, self.skip)
        set_html_environment(self.config, self.meta)

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        kept, dropped = [], []
        for item in items:
            scope = scope_of(item, self.catalog)
            item.stash[_SCOPE] = scope
            (kept if keep(scope, self.suite, self.only, self.skip, self.catalog) else dropped).append(item)
        if dropped:
            self.config.hook.pytest_deselected(items=dropped)
            items[:] = kept

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Any:
        recorder.begin(item.nodeid)
        try:
            yield
        finally:
            recorder.begin(None)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
        outcome = yield
        report: pytest.TestReport = outcome.get_result()
        scope = item.stash.get(_SCOPE, None) or scope_of(item, self.catalog)
        named = self.catalog.from_test_id(report.nodeid)  # e.g. a schemathesis subtest "...[GET /path]"
        if named is not None and named.operation_id not in scope.operations:
            scope = TestScope(scope.kind, scope.operations | {named.operation_id},
                              scope.tags | frozenset(named.tags))
        seen = recorder.drain(with_exchanges=report.failed)
        report.monite_seen = seen  # type: ignore[attr-defined]
        report.monite_kind = scope.kind  # type: ignore[attr-defined]
        report.monite_operations = sorted(scope.operations)  # type: ignore[attr-defined]
        if call.excinfo is not None and call.excinfo.errisinstance(TargetUnreachable):
            report.monite_unreachable = True  # type: ignore[attr-defined]
        redact_report(report)
        if report.failed and seen["exchanges"]:
            _add_html_extra(report, exchange_html(seen["exchanges"][-1]))
        if report.failed and report.when == "call" and self.baseline:
            self._maybe_accept(report, scope)

    def _maybe_accept(self, report: pytest.TestReport, scope: TestScope) -> None:
        called = {op for op, _, _ in report.monite_seen["calls"]}  # type: ignore[attr-defined]
        deviation = baseline_mod.find(self.baseline, report.nodeid, set(scope.operations) | called,
                                      set(scope.tags), report.longreprtext)
        if deviation is None:
            return
        report.outcome = "skipped"
        report.wasxfail = f"accepted deviation: {deviation.reason}"  # type: ignore[attr-defined]
        report.monite_accepted = deviation.reason  # type: ignore[attr-defined]

    # -- the controller (or the only process) ------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        redact_report(report)
        if not self.is_worker:
            self.results.record(report)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collection_errors.append(redact(f"{report.nodeid}: {report.longreprtext}")[:4000])

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        # Also called for pytest.exit(); only Ctrl-C is an interruption.
        if excinfo.errisinstance(KeyboardInterrupt):
            self.results.interrupted = True
        else:
            self.exit_message = redact(str(getattr(excinfo.value, "msg", excinfo.value)))

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self.is_worker:
            return
        verdict = verdict_of(int(exitstatus), self.results, bool(self.collection_errors))
        self.meta["finished_at"] = now()
        self.meta["duration_seconds"] = round(time.time() - self.started, 3)
        self.matrix = build_matrix(self.catalog, self.results)
        self.summary = build_summary(self.meta, self.results, self.matrix, self.catalog, verdict,
                                     stale=self._stale())
        self.summary["collection_errors"] = self.collection_errors
        self.summary["exit_message"] = self.exit_message
        if self.report_dir is not None:
            self.report_dir.mkdir(parents=True, exist_ok=True)
            write_json(self.report_dir / "summary.json", self.summary)
            (self.report_dir / "summary.md").write_text(render_markdown(self.summary, self.matrix),
                                                        encoding="utf-8")

    def _stale(self) -> list[str]:
        used = {rec.accepted_reason for rec in self.results.accepted()}
        return [f"{dev.label}: {dev.reason}" for dev in self.baseline if dev.reason not in used]

    @pytest.hookimpl(trylast=True)
    def pytest_unconfigure(self) -> None:
        if not self.is_worker and self.report_dir is not None and self.report_dir.is_dir():
            scrub_tree(self.report_dir)


@pytest.fixture(autouse=True)
def _monite_remove_leftovers(request: pytest.FixtureRequest) -> Iterator[None]:
    """After every test (also a failed or interrupted one): undo what it created on a remote
    target and did not undo itself (see `janitor`); a failure to undo is reported, not raised."""
    janitor.take()
    yield
    leftovers = janitor.take()
    if not leftovers:
        return
    try:
        config = request.getfixturevalue("monite_config")
        if config.is_emulator:
            return
        target = request.getfixturevalue("monite_target")
        tokens = request.getfixturevalue("monite_tokens")
        http = request.getfixturevalue("monite_http")
    except pytest.FixtureLookupError:
        return
    for failure in janitor.remove(leftovers, target.base_url, target.api_version, tokens.token, http):
        request.node.user_properties.append(("monite_cleanup_failure", redact(failure)))


def _add_html_extra(report: pytest.TestReport, fragment: str) -> None:
    try:
        from pytest_html import extras
    except ImportError:
        return
    report.extras = [*getattr(report, "extras", []), extras.html(fragment)]  # type: ignore[attr-defined]


class _HtmlHooks:
    """pytest-html hooks, registered only when pytest-html is active."""

    def __init__(self, plugin: ReportPlugin) -> None:
        self.plugin = plugin

    def pytest_html_report_title(self, report: Any) -> None:
        report.title = "Monite accounting API conformance"

    def pytest_html_results_summary(self, prefix: list[str], summary: list[str], postfix: list[str],
                                    session: pytest.Session) -> None:
        if self.plugin.summary is not None and self.plugin.matrix is not None:
            prefix.extend(render_sections(self.plugin.summary, self.plugin.matrix))
