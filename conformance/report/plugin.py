"""pytest plugin behind `monite-conformance run`: turns the tests' evidence into reports.

Loaded with `-p conformance.report.plugin` (the CLI does it), on top of the always-loaded
`conformance.pytest_plugin` (configuration, selection, evidence, cleanup). On every process
that runs tests (also xdist workers) it redacts each report and turns baseline-matched
failures into accepted deviations. On the controller it gathers the reports and, at the end,
writes summary.json and summary.md into the report folder and puts the coverage matrix at
the top of the pytest-html report; finally it scrubs every file in that folder.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from conformance.config import RunConfig
from conformance.errors import ConfigError, TargetUnreachable
from conformance.evidence import observer
from conformance.findings import attach, evidence_of
from conformance.pytest_plugin.plugin import CONFIG_KEY
from conformance.redaction import redact
from conformance.report import coverage as coverage_mod
from conformance.report.har import HarRecorder, join_parts
from conformance.report.html import exchange_html, render_sections
from conformance.report.incomplete import incomplete
from conformance.report.matrix import Matrix, build_matrix
from conformance.report.meta import now, run_metadata, set_html_environment
from conformance.report.observed import ObservedContract, Recorder
from conformance.report.redact_reports import redact_report
from conformance.report.sandbox import probe_cost, sandbox_section
from conformance.report.scrub import scrub_tree
from conformance.report.formats import write_formats
from conformance.report.summary import RUN_FORMATS, build_summary
from conformance.openapi.catalog import Catalog, spec_catalog
from conformance.openapi.versions import contract_document
from conformance.verdict import baseline as baseline_mod
from conformance.verdict.results import RunResults
from conformance.verdict.decision import verdict_of


def pytest_configure(config: pytest.Config) -> None:
    if CONFIG_KEY not in config.stash:
        return  # a configuration error: the run ends before any test, with nothing to report
    plugin = ReportPlugin(config, config.stash[CONFIG_KEY])
    config.pluginmanager.register(plugin, "monite-report")
    if not plugin.is_worker and config.pluginmanager.hasplugin("html"):
        config.pluginmanager.register(_HtmlHooks(plugin), "monite-report-html")


class ReportPlugin:
    """The hooks of one pytest run, and what they gather."""

    def __init__(self, config: pytest.Config, run: RunConfig) -> None:
        self.config = config
        self.run = run
        self.catalog: Catalog = spec_catalog()
        try:
            self.baseline = baseline_mod.load_baseline(run.baseline) if run.baseline else []
            # The configuration file's expected deviations per operation: baseline entries too.
            self.baseline += [baseline_mod.Deviation(**entry) for entry in run.expected]
        except (ConfigError, ValueError) as exc:
            raise pytest.UsageError(str(exc)) from None
        self.results = RunResults()
        self.started = time.time()
        self.meta: dict[str, Any] = {}
        self.summary: dict[str, Any] | None = None
        self.matrix: Matrix | None = None
        self.collection_errors: list[str] = []
        self.exit_message: str | None = None  # pytest.exit()'s message, e.g. a configuration error
        self.report_dir = Path(run.report_dir) if run.report_dir else None
        self.is_worker = hasattr(config, "workerinput")
        # What this process's tests saw (sent along with each test's report), and, on the
        # controller, the whole run's observed contract.
        self.recorder = Recorder(run.api_version)
        self.observed = ObservedContract()
        observer.listen(self.recorder)
        # What the tests sent (documented parameters and enum values), for coverage.
        self.documented = coverage_mod.documented(contract_document(run.api_version))
        self.sent_recorder = coverage_mod.SentRecorder(run.api_version, self.documented)
        self.sent = coverage_mod.SentContract()
        observer.listen(self.sent_recorder)
        self.har: HarRecorder | None = None
        if run.record and self.report_dir is not None:
            worker = str(getattr(config, "workerinput", {}).get("workerid", "main"))
            self.har = HarRecorder(self.report_dir, worker)
            observer.listen_exchanges(self.har)
        self.not_sent: dict[str, int] = {}  # operation id -> generated cases withheld (controller)
        self.rate_limit_probe: dict[str, Any] | None = None  # the 429 probe's cost (controller)
        self.arrived: list[pytest.TestReport] = []  # reports from xdist workers, not yet recorded
        self.collected: dict[str, int] = {}  # node id -> position in the workers' collection

    # -- every process that runs tests -------------------------------------------------------

    @pytest.hookimpl(trylast=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.meta = run_metadata(self.run)
        set_html_environment(self.config, self.meta)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
        outcome = yield
        report: pytest.TestReport = outcome.get_result()
        evidence = evidence_of(report)
        evidence.observed = self.recorder.contract.drain()
        evidence.sent = self.sent_recorder.drain()
        if call.excinfo is not None and call.excinfo.errisinstance(TargetUnreachable):
            evidence.unreachable = True
        attach(report, evidence)
        redact_report(report)
        if report.failed and evidence.exchanges:
            _add_html_extra(report, exchange_html(evidence.exchanges[-1]))
        if report.failed and report.when == "call" and self.baseline:
            self._maybe_accept(report)

    def _maybe_accept(self, report: pytest.TestReport) -> None:
        evidence = evidence_of(report)
        called = {op for op, _, _ in evidence.calls}
        deviation = baseline_mod.find(self.baseline, report.nodeid, set(evidence.operations) | called,
                                      set(evidence.tags), report.longreprtext)
        if deviation is None:
            return
        report.outcome = "skipped"
        setattr(report, "wasxfail", f"accepted deviation: {deviation.reason}")  # pytest's own xfail mark
        evidence.accepted = deviation.reason
        attach(report, evidence)

    # -- the controller (or the only process) ------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        redact_report(report)
        if self.is_worker:
            return
        if self.config.pluginmanager.has_plugin("dsession"):
            self.arrived.append(report)  # from xdist workers: taken in collection order at the end
        else:
            self._record(report)

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        if not self.collected:
            self.collected = {nodeid: index for index, nodeid in enumerate(ids)}

    def _record_arrived(self) -> None:
        """The workers' reports in collection order (each test's phases in the order they came),
        as a one-process run records them: the results, the observed contract and its examples
        do not depend on which worker finished first."""
        last = len(self.collected)
        ordered = sorted(enumerate(self.arrived), key=lambda pair: (self.collected.get(pair[1].nodeid, last), pair[0]))
        self.arrived = []
        for _, report in ordered:
            self._record(report)

    def _record(self, report: pytest.TestReport) -> None:
        evidence = evidence_of(report)
        self.results.record(report, evidence)
        self.observed.merge(evidence.observed)
        self.sent.merge(evidence.sent)
        for operation, count in evidence.not_sent.items():
            self.not_sent[operation] = self.not_sent.get(operation, 0) + int(count)
        self.rate_limit_probe = probe_cost(report.user_properties) or self.rate_limit_probe

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
        self._record_arrived()
        could_not_run = incomplete(self.results, self.not_sent)
        verdict = verdict_of(int(exitstatus), self.results, bool(self.collection_errors),
                             incomplete=self.run.require_complete and not could_not_run["complete"])
        self.meta["finished_at"] = now()
        self.meta["duration_seconds"] = round(time.time() - self.started, 3)
        self.matrix = build_matrix(self.catalog, self.results)
        measured = coverage_mod.coverage(self.matrix, self.documented, self.sent.as_dict(), self.observed.as_dict())
        minimum = dict(self.run.min_coverage)
        missed = coverage_mod.unmet(measured["dimensions"], minimum)
        verdict = coverage_mod.gate(verdict, missed)
        self.summary = build_summary(self.meta, self.results, self.matrix, self.catalog, verdict,
                                     stale=self._stale(), observed=self.observed.as_dict(),
                                     incomplete=could_not_run)
        coverage_mod.add_to_summary(self.summary, measured, minimum, missed)
        self.summary["collection_errors"] = self.collection_errors
        self.summary["sandbox"] = sandbox_section(self.matrix, self.results, self.not_sent,
                                                  bool(self.run.lifecycle_entity_id), self.rate_limit_probe,
                                                  self.run.rate_limit_probe)
        self.summary["exit_message"] = self.exit_message
        if self.report_dir is not None:
            write_formats(self.report_dir, RUN_FORMATS, self.summary, self.matrix)

    def _stale(self) -> list[str]:
        used = {rec.accepted_reason for rec in self.results.accepted()}
        return [f"{dev.label}: {dev.reason}" for dev in self.baseline if dev.reason not in used]

    @pytest.hookimpl(trylast=True)
    def pytest_unconfigure(self) -> None:
        observer.unlisten(self.recorder)
        observer.unlisten(self.sent_recorder)
        if self.har is not None:
            observer.unlisten_exchanges(self.har)
            if not self.is_worker and self.report_dir is not None:
                from conformance import __version__

                join_parts(self.report_dir, __version__, {
                    "target": redact(self.run.target), "api_version": self.run.api_version,
                    "target_is_emulator": self.run.starts_emulator, "spec_sha256": self.meta.get("spec_sha256")})
        if not self.is_worker and self.report_dir is not None and self.report_dir.is_dir():
            scrub_tree(self.report_dir)


def _add_html_extra(report: pytest.TestReport, fragment: str) -> None:
    try:
        from pytest_html import extras
    except ImportError:
        return
    setattr(report, "extras", [*getattr(report, "extras", []), extras.html(fragment)])  # pytest-html's protocol


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
