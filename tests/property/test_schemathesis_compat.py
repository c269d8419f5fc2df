"""Schemathesis beyond its public API is confined to `conformance/property/compat.py`, and what
that module relies on still has the shape it had: a schemathesis upgrade that changes it fails
here, naming the installed version, instead of breaking the suite somewhere deep.
"""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest
import schemathesis

REPO = Path(__file__).resolve().parents[2]
COMPAT = REPO / "conformance" / "property" / "compat.py"
# Schemathesis modules documented as its public API (the top-level package re-exports the rest).
PUBLIC = {"schemathesis", "schemathesis.openapi", "schemathesis.pytest", "schemathesis.config"}
VERSION_NOTE = f"(schemathesis {schemathesis.__version__}: see conformance/property/compat.py)"


def schemathesis_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "schemathesis":
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names if alias.name.split(".")[0] == "schemathesis")
    return names


def test_only_the_compat_module_imports_schemathesis_internals() -> None:
    offenders = {}
    for folder in ("conformance", "tests", "bench"):
        for path in (REPO / folder).rglob("*.py"):
            if path == COMPAT:
                continue
            private = schemathesis_imports(path) - PUBLIC
            if private:
                offenders[str(path.relative_to(REPO))] = sorted(private)
    assert not offenders, f"schemathesis internals imported outside compat.py: {offenders}"


def test_the_checker_sees_a_private_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from schemathesis.core.failures import Failure\nimport schemathesis\n")
    assert schemathesis_imports(sample) - PUBLIC == {"schemathesis.core.failures"}


def test_step_input_still_says_whether_a_step_followed_a_link() -> None:
    from conformance.property.compat import StepInput

    fields = {field.name for field in dataclasses.fields(StepInput)} if dataclasses.is_dataclass(StepInput) \
        else set(getattr(StepInput, "__annotations__", {}))
    missing = {"transition", "applied_parameters"} - fields
    assert not missing, f"StepInput lost {missing} {VERSION_NOTE}"


def test_failures_still_carry_a_structured_title() -> None:
    from conformance.property.compat import Failure, FailureGroup

    assert issubclass(FailureGroup, BaseExceptionGroup), f"FailureGroup is no exception group {VERSION_NOTE}"
    assert "title" in Failure.__init__.__code__.co_varnames, f"Failure lost its title {VERSION_NOTE}"


def test_run_phase_still_runs_one_phase_of_one_operation() -> None:
    """A tiny API with one operation: run_phase calls the test with generated cases."""
    from conformance.property.compat import run_phase

    raw = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/items": {"get": {
        "operationId": "listItems", "parameters": [{"name": "q", "in": "query", "schema": {"type": "integer"}}],
        "responses": {"200": {"description": "ok"}}}}}}
    config = schemathesis.Config.from_dict({"base-url": "http://127.0.0.1:9", "generation": {
        "max-examples": 3, "deterministic": True, "database": "none"},
        "phases": {"examples": {"enabled": False}, "coverage": {"enabled": False}, "stateful": {"enabled": False}}})
    seen = []
    try:
        run_phase(schemathesis.openapi.from_dict(raw, config=config), "listItems", seen.append)
    except Exception as exc:  # noqa: BLE001 - any change of shape is the finding
        pytest.fail(f"run_phase broke: {type(exc).__name__}: {exc} {VERSION_NOTE}")
    assert seen and all(case.operation.path == "/items" for case in seen), f"no cases generated {VERSION_NOTE}"


def test_no_local_constants_are_mixed_into_generated_cases() -> None:
    """`without_local_constants` leaves Hypothesis no pool of constants from the loaded modules
    (which made a worker's cases differ from the CLI process's), on whatever Hypothesis is
    installed: the floor has no such pool, newer ones have it emptied."""
    import hypothesis
    from hypothesis.internal.conjecture import providers

    from conformance.property.compat import without_local_constants

    without_local_constants()
    pool = getattr(providers, "_get_local_constants", None)
    assert pool is None or len(pool()) == 0, (
        f"hypothesis {hypothesis.__version__}: local constants still mixed in; see conformance/property/compat.py")
