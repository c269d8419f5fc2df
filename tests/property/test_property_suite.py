"""The property tests as shipped: quick passes on the clean emulator and reaches every operation
in every phase, a rate-limited target is paced to completion, and the HTTP transport works.

Each test runs `pytest --pyargs conformance.suite -m property` in a subprocess (as a user
would) and reads what was sent from the statistics file the property tests write.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from conformance.openapi.catalog import spec_catalog
from conformance.openapi.files import load_spec
from tests.faults.run_suite import SuiteResult, run_suite

GENERATED_PHASES = ("examples", "coverage", "fuzzing")


def operation_ids() -> list[str]:
    return sorted(spec_catalog().by_id)


def run_property_tests(target: str, stats_file: Path, monkeypatch: pytest.MonkeyPatch,
                       *args: str) -> tuple[SuiteResult, dict[str, Any]]:
    monkeypatch.setenv("MONITE_PROPERTY_STATS", str(stats_file))
    result = run_suite(target, "-m", "property", *args)
    stats = json.loads(stats_file.read_text()) if stats_file.exists() else {"cases": [], "waits_on_429": 0}
    return result, stats


def linked_operations() -> tuple[set[str], set[str]]:
    """(operations some link leaves from, operations some link leads to), per the spec."""
    sources_by_response: dict[str, str] = {}
    for path_item in load_spec()["paths"].values():
        for operation in path_item.values():
            for response in operation.get("responses", {}).values():
                ref = response.get("$ref", "")
                if ref:
                    sources_by_response[ref.rsplit("/", 1)[-1]] = operation["operationId"]
    sources, targets = set(), set()
    for name, response in load_spec()["components"]["responses"].items():
        for link in (response.get("links") or {}).values():
            sources.add(sources_by_response[name])
            targets.add(link["operationId"])
    return sources, targets


def test_quick_passes_on_the_emulator_and_reaches_every_operation(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    result, stats = run_property_tests("emulator", tmp_path / "stats.json", monkeypatch, "--monite-profile", "quick")
    assert result.returncode == 0 and not result.failed, result.output[-4000:]
    assert not result.skipped, f"nothing may be skipped on the emulator: {result.skipped}"
    modes: dict[tuple[str, str], set[str]] = defaultdict(set)
    via_link: set[str] = set()
    for row in stats["cases"]:
        modes[(row["phase"], row["operation_id"])].add(row["mode"])
        if row["via_link"]:
            via_link.add(row["operation_id"])
    for operation_id in operation_ids():
        assert modes[("examples", operation_id)], f"examples phase never sent {operation_id}"
        for phase in ("coverage", "fuzzing"):
            assert modes[(phase, operation_id)] == {"positive", "negative"}, (phase, operation_id)
    sources, targets = linked_operations()
    for operation_id in sources:
        assert modes[("stateful", operation_id)], f"no scenario called {operation_id}"
    assert targets <= via_link, f"no scenario reached {targets - via_link} through a link"


def test_a_rate_limited_target_is_paced_to_completion(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """3 requests a second (well under what the suite sends in-process, even on a loaded machine):
    the run meets 429s, waits Retry-After, and still passes."""
    result, stats = run_property_tests("asgi:tests.faults.check_faults:rate_limited", tmp_path / "stats.json",
                                       monkeypatch, "-k",
                                       "test_coverage and accounting_tax_rates")
    assert result.returncode == 0 and not result.failed, result.output[-4000:]
    assert stats["waits_on_429"] > 0, "the target never said 429: the limit did not bite"
    assert all(row["status_code"] != 429 for row in stats["cases"]), "a 429 reached the checks unpaced"


def test_the_emulator_over_http(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result, stats = run_property_tests("emulator-http", tmp_path / "stats.json", monkeypatch, "-k", "test_examples")
    assert result.returncode == 0 and not result.failed, result.output[-4000:]
    assert {row["operation_id"] for row in stats["cases"]} == set(operation_ids())


def test_hypothesis_writes_only_into_the_users_cache(tmp_path: Path) -> None:
    """No example database, and Hypothesis' Unicode tables go to the user's cache folder
    (computed once, not per run), never into the working directory."""
    cwd, basetemp, cache = tmp_path / "cwd", tmp_path / "basetemp", tmp_path / "cache"
    cwd.mkdir()
    env = {name: value for name, value in os.environ.items()
           if name not in ("HYPOTHESIS_STORAGE_DIRECTORY", "MONITE_BASE_URL")} | {"XDG_CACHE_HOME": str(cache)}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--pyargs", "conformance.suite", "-m", "property", "-q",
         "-p", "no:cacheprovider", f"--basetemp={basetemp}", "-k", "test_examples", "--monite-only", "listTaxRates"],
        cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert list(cwd.iterdir()) == [], "the run wrote into the working directory"
    assert not any(path.name == "examples" for path in basetemp.rglob("examples")), "an example database was written"
    home = cache / "monite-conformance" / "hypothesis"
    assert list(home.rglob("*.json.gz")), "the Unicode tables were not kept in the cache folder"
    assert not list(home.rglob("examples")), "an example database was written"


# --- ignored_auth: probed until confirmed once per operation and run, and still catching ------------

def auth_ignored_on_tax_rates() -> Any:
    """A broken emulator: GET /accounting_tax_rates answers without a valid bearer token (the
    request is served as the partner's), so `ignored_auth` must fail on listTaxRates."""
    from monite_emulator.app import create_app

    app = create_app()
    emulator, settings = app.state.emulator, app.state.settings

    async def wrapped(scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"] == "/v1/accounting_tax_rates":
            token = emulator.issue_token(settings.client_id, settings.client_secret, "client_credentials",
                                         None, None)["access_token"]
            headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"authorization"]
            scope = dict(scope, headers=[*headers, (b"authorization", f"Bearer {token}".encode())])
        await app(scope, receive, send)

    wrapped.state = app.state  # type: ignore[attr-defined]
    return wrapped


def _coverage_of(operation_id: str, target_name: str, runs: int = 1) -> tuple[set[str], Any]:
    """Run the coverage phase of one operation in-process through a CaseSender, `runs` times;
    the failure titles of the last run and the sender."""
    import schemathesis

    from conformance.config import DEFAULT_SEED, RunConfig
    from conformance.http.auth import TokenProvider
    from conformance.property.arrange import fresh_seeded_entity
    from conformance.property.compat import run_phase
    from conformance.property.profiles import PROFILES, schemathesis_config
    from conformance.property.schema import BearerToken
    from conformance.property.sending import CaseSender
    from conformance.target.control import EmulatorControl
    from conformance.target.targets import open_target
    from tests.checks.test_monite_checks import failure_titles_of

    titles: set[str] = set()
    with open_target(RunConfig(target=target_name)) as target, target.http_client() as http:
        tokens, control = TokenProvider(target, http), EmulatorControl(http)
        sender = CaseSender(target, tokens)
        settings = schemathesis_config(PROFILES["quick"], "coverage", DEFAULT_SEED, base_url=target.base_url)
        schema = schemathesis.openapi.from_dict(load_spec(), config=settings)
        schema.app = target.app
        schema.auth(refresh_interval=None)(BearerToken)
        for _ in range(runs):
            titles = set()
            fresh_seeded_entity(control, tokens, target.entity_id)
            try:
                run_phase(schema, operation_id, sender.send_and_validate)
            except BaseException as error:  # noqa: BLE001 - a check failure, or re-raised
                titles |= failure_titles_of(error)
    return titles, sender


def test_ignored_auth_is_confirmed_once_per_operation_on_the_clean_emulator() -> None:
    titles, sender = _coverage_of("listTaxRates", "emulator", runs=2)
    assert titles == set()
    assert sender._auth_confirmed == {"GET /accounting_tax_rates"}, (
        "a 2xx answer to a positive case with our token confirmed enforcement; no more probes of it")


def test_an_operation_that_ignores_auth_is_still_caught() -> None:
    titles, sender = _coverage_of("listTaxRates", "asgi:tests.property.test_property_suite:auth_ignored_on_tax_rates")
    assert "API accepts requests without authentication" in titles, titles
    assert not sender._auth_confirmed, "a failed probe never confirms enforcement"
