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

from conformance.spec.catalog import spec_catalog
from conformance.spec.files import load_spec
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
