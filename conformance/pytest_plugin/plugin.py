"""pytest plugin of the conformance suite: options, the run configuration, fixtures, evidence,
selection and cleanup. Loaded wherever pytest runs (the `pytest11` entry point).

So a plain `pytest --pyargs conformance.suite --monite-target URL` behaves like
`monite-conformance run` in everything but the report files: the same configuration
(`conformance.config.RunConfig`, resolved once here), the same selection, the same evidence
attached to each test's report, the same removal of what a test created, after every test
and again at the end of the session (also after a failure, a crash of the test or Ctrl-C).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import httpx
import pytest
from hypothesis.configuration import set_hypothesis_home_dir

from conformance import config as run_config
from conformance import config_file
from conformance.config import RunConfig
from conformance.options import CONFIG, NO_CONFIG, RUN_OPTIONS
from conformance.errors import ConfigError
from conformance.evidence import created, observer
from conformance.evidence.created import Created
from conformance.findings import OBSERVATION_PROPERTY, attach
from conformance.http.auth import TokenProvider, api_headers
from conformance.http.client import MoniteClient
from conformance.http.pacing import pace_at, pace_following, send_paced, stats as pacing_stats
from conformance.property.compat import without_local_constants
from conformance.pytest_plugin.selection import OPERATIONS_MARKER, TestScope, keep, scope_of
from conformance.redaction import redact
from conformance.safety import guard
from conformance.safety.cleanup import remove
from conformance.safety.restore import restore, snapshot
from conformance.openapi.catalog import spec_catalog
from conformance.target.control import EmulatorControl
from conformance.target.targets import Target, open_target

SCOPE_KEY = pytest.StashKey[TestScope]()
CONFIG_KEY = pytest.StashKey[RunConfig]()
ERROR_KEY = pytest.StashKey[str]()
CLEANUP_FAILURES_KEY = pytest.StashKey[list[str]]()  # what a test's cleanup could not remove
CHANGES_BEFORE_KEY = pytest.StashKey[int]()
CHANGES_KEY = pytest.StashKey[list[str]]()
PACED_BEFORE_KEY = pytest.StashKey[dict[str, Any]]()  # the process's pacing stats before the test


def pytest_addoption(parser: pytest.Parser) -> None:
    """`--monite-<option>` for every option of `conformance.options.RUN_OPTIONS` that has a flag."""
    group = parser.getgroup("monite", "Monite conformance run (see README; options fall back to the "
                                      "configuration file, then MONITE_*)")
    for option in (*RUN_OPTIONS, CONFIG):
        if not option.cli:
            continue
        if option.kind == "bool":
            group.addoption(option.pytest_flag, action="store_true", default=None, help=option.described)
        elif option.kind == "names":
            group.addoption(option.pytest_flag, action="append", default=[], help=option.described)
        else:
            group.addoption(option.pytest_flag, default=None, help=option.described,
                            choices=option.choices or None)
    group.addoption(NO_CONFIG.pytest_flag, action="store_true", default=False, help=NO_CONFIG.help)


class ResolvedRun:
    """Handed to `pytest.main` by `monite-conformance run`: the configuration it resolved and
    checked, so this session does not resolve it again (xdist workers still do, from the
    options the run wrote out in full)."""

    def __init__(self, run: RunConfig) -> None:
        self.run = run


def resolve_from_options(config: pytest.Config) -> RunConfig:
    """The run configuration from this pytest run's options, then the configuration file, then
    the environment."""
    for plugin in config.pluginmanager.get_plugins():
        if isinstance(plugin, ResolvedRun):
            return plugin.run
    given = {option.name: config.getoption(option.pytest_flag) for option in RUN_OPTIONS if option.cli}
    file = config_file.load(_path(config.getoption(CONFIG.pytest_flag)),
                            disabled=config.getoption(NO_CONFIG.pytest_flag))
    return RunConfig.resolve(file=file, **given)


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "property: schemathesis property tests driven by the spec")
    config.addinivalue_line("markers", "scenario: hand-written behaviour scenarios")
    config.addinivalue_line("markers", "assumption: checks a choice the docs do not dictate")
    config.addinivalue_line("markers", f"{OPERATIONS_MARKER}(*operation_ids): the operations a scenario is about")
    config.addinivalue_line("markers", "footprint(walks=(), changes=()): the entity's lists a scenario module walks "
                                       "and changes on a remote target (conformance/commands/remote_workers.py)")
    try:
        resolved = resolve_from_options(config)
    except ConfigError as exc:
        # Reported when a test needs the target (the project's own tests may not).
        config.stash[ERROR_KEY] = str(exc)
        return
    config.stash[CONFIG_KEY] = resolved
    run_config.set_current(resolved)
    _hypothesis_outside_the_working_directory()
    without_local_constants()  # the same cases in every process (xdist workers too): the seed decides


def _hypothesis_outside_the_working_directory() -> None:
    """Hypothesis writes nothing into the user's working directory (the property schemas are
    built at collection, before any fixture runs). No example database is used at all, so all
    it keeps is its Unicode tables, the same for every run: kept in the user's cache folder
    they are computed once, not in every run (about a second each time), unless
    HYPOTHESIS_STORAGE_DIRECTORY says where to keep them."""
    if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
        set_hypothesis_home_dir(str(_cache_folder()))


def _cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "monite-conformance" / "hypothesis"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:  # no writable home: a fresh folder, the tables computed again
        return Path(tempfile.mkdtemp(prefix="monite-hypothesis-"))
    return folder


def run_config_of(config: pytest.Config) -> RunConfig:
    """This run's configuration; a configuration error ends the run (exit 2 through the CLI)."""
    if ERROR_KEY in config.stash:
        pytest.exit(f"configuration error: {config.stash[ERROR_KEY]}", returncode=2)
    return config.stash[CONFIG_KEY]


# -- selection --------------------------------------------------------------------------------

def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """--monite-suite / --monite-only / --monite-skip (README "How --only/--skip pick tests")."""
    if CONFIG_KEY not in config.stash:
        return
    resolved = config.stash[CONFIG_KEY]
    catalog = spec_catalog()
    try:
        only = catalog.resolve(list(resolved.only)) if resolved.only else None
        skip = catalog.resolve(list(resolved.skip))
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
    kept, dropped = [], []
    for item in items:
        scope = scope_of(item, catalog)
        item.stash[SCOPE_KEY] = scope
        (kept if keep(scope, resolved.suite, only, skip, catalog) else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """On an emulator the run starts itself (one per worker), `--dist loadscope` spreads the
    tests in fixed groups, so the results do not depend on the spreading
    (`conformance.pytest_plugin.scheduling`); elsewhere xdist's own schedulers."""
    resolved = config.stash.get(CONFIG_KEY, None)
    if resolved is None or not resolved.starts_emulator or config.getvalue("dist") != "loadscope":
        return None
    from conformance.pytest_plugin.scheduling import make_scheduler

    return make_scheduler(config, log)


# -- evidence ---------------------------------------------------------------------------------

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[None]:
    item.stash[CHANGES_BEFORE_KEY] = len(created.changes())
    item.stash[PACED_BEFORE_KEY] = pacing_stats()
    observer.begin(item.nodeid)
    try:
        yield
    finally:
        observer.begin(None)


@pytest.hookimpl(hookwrapper=True, trylast=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Attach what the test saw in this phase, and what it is about, to its report: one
    `TestEvidence` (`conformance.findings`), plain data so it travels from xdist workers.
    Innermost wrapper (trylast), so other plugins' wrappers find the evidence attached.
    Observations also become junit XML properties (`monite_observation`)."""
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    evidence = observer.drain(with_exchanges=report.failed)
    for entry in evidence.observations:  # deviations from assumptions, judged when they were seen
        shown = {key: entry[key] for key in ("rule", "source", "message")}
        recorded = (OBSERVATION_PROPERTY, json.dumps(shown, ensure_ascii=False))
        report.user_properties.append(recorded)
        item.user_properties.append(recorded)  # junit XML writes the teardown report's properties
    if call.excinfo is not None and call.excinfo.errisinstance(guard.ChangeRefused):
        _as_skipped(report, str(call.excinfo.value))
    elif report.when == "call" and report.passed and evidence.not_sent and not evidence.calls:
        withheld = sum(evidence.not_sent.values())
        _as_skipped(report, f"{guard.NOT_SENT}: all {withheld} generated cases")
    if report.when == "teardown":  # changes to what the run did not create (allowed runs only)
        evidence.changed_existing = [change.describe()
                                     for change in created.changes()[item.stash.get(CHANGES_BEFORE_KEY, 0):]]
        now, then = pacing_stats(), item.stash.get(PACED_BEFORE_KEY, {})
        evidence.waited_seconds = round(now.get("waited_seconds", 0) - then.get("waited_seconds", 0), 3)
        evidence.waits_on_429 = int(now.get("waits_on_429", 0) - then.get("waits_on_429", 0))
        evidence.paced_requests = int(now.get("requests", 0) - then.get("requests", 0))
        if evidence.paced_requests or evidence.waited_seconds or evidence.waits_on_429:
            evidence.peak_in_flight = int(now.get("peak_in_flight", 0))
            evidence.advertised_limit = now.get("advertised_limit")
        evidence.cleanup_failures = item.stash.get(CLEANUP_FAILURES_KEY, [])
    scope = item.stash.get(SCOPE_KEY, None)
    if scope is None:
        scope = item.stash[SCOPE_KEY] = scope_of(item, spec_catalog())
    catalog = spec_catalog()
    named = catalog.from_test_id(report.nodeid)  # a schemathesis item "...[GET /path]"
    evidence.kind = scope.kind
    evidence.operations = sorted(set(scope.operations) | ({named.operation_id} if named is not None else set()))
    evidence.tags = sorted(set(scope.tags) | (set(named.tags) if named is not None else set()))
    attach(report, evidence)


def _as_skipped(report: pytest.TestReport, reason: str) -> None:
    """A test that could not run without changing the user's data is a skip with the reason,
    never a pass and never a failure."""
    report.outcome = "skipped"
    report.longrepr = (str(report.location[0]), (report.location[1] or 0) + 1, f"Skipped: {reason}")


# -- fixtures ---------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def monite_config(pytestconfig: pytest.Config) -> RunConfig:
    return run_config_of(pytestconfig)


@pytest.fixture(scope="session")
def monite_profile(monite_config: RunConfig) -> str:
    return monite_config.profile


@pytest.fixture(scope="session")
def monite_seed(monite_config: RunConfig) -> int:
    return monite_config.seed


@pytest.fixture(scope="session")
def monite_target(monite_config: RunConfig) -> Iterator[Target]:
    with open_target(monite_config) as target:
        yield target


@pytest.fixture(scope="session")
def monite_http(monite_target: Target) -> Iterator[httpx.Client]:
    """A bare client to the target's origin (no auth, no default headers), observed."""
    with monite_target.http_client() as http:
        http.event_hooks["request"] = [_guard_hook]
        http.event_hooks["response"] = [observer.httpx_hook]
        yield http


def _guard_hook(request: httpx.Request) -> None:
    """No request of the suite changes what the run did not create (`conformance.safety.guard`)."""
    guard.check(request.method, str(request.url), request.headers.get("x-monite-entity-id"))


@pytest.fixture(scope="session")
def emulator_control(monite_target: Target, monite_http: httpx.Client) -> EmulatorControl | None:
    """The emulator's control plane, or None: the one answer to "is this our emulator?"."""
    return EmulatorControl.discover(monite_target, monite_http)


@pytest.fixture(scope="session")
def monite_pacing(monite_config: RunConfig, emulator_control: EmulatorControl | None) -> Iterator[None]:
    """Requests are spaced under the rate limit the target advertises (the documented 30/s until
    it does) on a target without the control plane."""
    if emulator_control is None and monite_config.pacing_rate:
        # The limit the target advertises, --rate-limit as a cap; the workers share it.
        pace_following(monite_config.rate_limit or None, share=monite_config.workers)
    else:
        pace_at(None)
    yield
    pace_at(None)


@pytest.fixture(scope="session")
def monite_guard(monite_config: RunConfig, emulator_control: EmulatorControl | None, monite_target: Target,
                 monite_http: httpx.Client, monite_pacing: None) -> Iterator[TokenProvider]:
    """On a target without the control plane, only what the run created may be changed, or what
    does not exist at all (its GET answers 404 for the run's entities and the request's own).
    Yields the session's token provider (`monite_tokens`): no request goes out before the rule."""
    on = emulator_control is None and not monite_config.allow_changes_to_existing
    tokens = TokenProvider(monite_target, monite_http)
    with monite_target.http_client() as probes:  # unobserved: a probe is not the test's request

        def exists(resource_url: str, entity_id: str) -> bool:
            headers = api_headers(monite_target.api_version, entity_id, tokens.token())
            try:
                return send_paced(lambda: probes.get(resource_url, headers=headers)).status_code != 404
            except Exception:  # noqa: BLE001 (absence not proven, e.g. a header httpx cannot send: refuse)
                return True

        entities = tuple(entity for entity in (monite_target.entity_id, monite_target.other_entity_id,
                                               monite_config.lifecycle_entity_id) if entity)
        global _remover
        if emulator_control is None:
            _remover = partial(remove, base_url=monite_target.base_url, api_version=monite_target.api_version,
                               token=tokens.token, http=monite_http)
        # The lifecycle entity stays guarded even with --allow-changes-to-existing.
        always = (monite_config.lifecycle_entity_id,) if emulator_control is None and monite_config.lifecycle_entity_id else ()
        guard.enforce(on, exists if on or always else None, entities, always=always)
        try:
            yield tokens
        finally:  # the session's sweep (also after Ctrl-C): whatever is still open is removed
            _remove_leftovers()
            _remover = None
            guard.enforce(False)


@pytest.fixture(scope="session")
def monite_tokens(monite_guard: TokenProvider) -> TokenProvider:
    """Tokens for every request of the session, fetched and refreshed at /auth/token."""
    return monite_guard


@pytest.fixture(scope="session")
def monite_lifecycle_entity(monite_config: RunConfig) -> str | None:
    """The entity the run may connect and disconnect in on a remote target (README "Run against
    the sandbox"): no active connection of its own; what the run creates there is its own,
    disconnected after the test and again at the end of the session. None: not given."""
    return monite_config.lifecycle_entity_id


@pytest.fixture()
def monite_client(monite_target: Target, monite_tokens: TokenProvider, monite_http: httpx.Client) -> MoniteClient:
    return MoniteClient(monite_target, monite_tokens, monite_http)


# -- cleanup ----------------------------------------------------------------------------------

# Removes what the run left open on a target without the control plane; set by `monite_guard`
# (the emulator with its control plane is reset per test and thrown away with the run).
_remover: Callable[[list[Created]], list[str]] | None = None


def _remove_leftovers() -> list[str]:
    """Remove what is open in `created`; what could not be removed, one line each."""
    leftovers = created.take()
    remover = _remover
    if not leftovers or remover is None:
        return []
    return remover(leftovers)


@pytest.fixture(autouse=True)
def _monite_remove_leftovers(request: pytest.FixtureRequest) -> Iterator[None]:
    """After every test (also a failed or interrupted one): undo what it created on the
    target and did not undo itself; a failure to undo is reported on the test, not raised."""
    _remove_leftovers()  # what earlier code left open (session setup) is nobody's test's
    yield
    failures = [redact(failure) for failure in _remove_leftovers()]
    if failures:  # the teardown report carries them (`TestEvidence.cleanup_failures`)
        request.node.stash[CLEANUP_FAILURES_KEY] = failures


@pytest.fixture(scope="session", autouse=True)
def _monite_restore_existing(request: pytest.FixtureRequest) -> Iterator[None]:
    """With --allow-changes-to-existing on a target without the control plane: note the ledger
    accounts' fields before the first test, PATCH back the ones the run changed after the last
    (`conformance.safety.restore`), and say on the terminal what was restored and what was not."""
    resolved = request.config.stash.get(CONFIG_KEY, None)
    if resolved is None or not resolved.allow_changes_to_existing or request.getfixturevalue("emulator_control"):
        yield
        return
    target: Target = request.getfixturevalue("monite_target")
    tokens: TokenProvider = request.getfixturevalue("monite_tokens")
    http: httpx.Client = request.getfixturevalue("monite_http")
    before = snapshot(target.base_url, target.api_version, target.entity_id, tokens.token, http)
    created.track_changes(True)
    try:
        yield
    finally:
        created.track_changes(False)
        restored = restore(created.changes(), before, target.base_url, target.api_version, tokens.token, http)
        request.config.stash[CHANGES_KEY] = [change.describe() for change in created.changes()] + restored


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """What a run allowed to change existing resources changed, and what it put back."""
    lines = config.stash.get(CHANGES_KEY, [])
    if lines:
        terminalreporter.section("changes to resources the run did not create (--allow-changes-to-existing)")
        for line in lines:
            terminalreporter.write_line(redact(line))
