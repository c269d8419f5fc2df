"""The property tests' node ids are ours (issue 20 item 1): one per phase and operation, unique and
the same under every pytest version the bounds allow (schemathesis' `parametrize()` items all
shared one id under pytest 9.2's naming). `make test-lowest` and `make test-latest` run this too."""

from __future__ import annotations

import subprocess
import sys

from conformance.openapi.catalog import spec_catalog
from tests.cli_support import REPO


def _collected(*args: str) -> list[str]:
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                           "-o", "addopts=", "--pyargs", "conformance.suite", "-m", "property", *args],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return [line for line in done.stdout.splitlines() if "::" in line]


def test_one_unique_id_per_phase_and_operation() -> None:
    ids = _collected()
    catalog = spec_catalog()
    assert len(ids) == len(set(ids)) == 3 * len(catalog.operations) + 2, ids  # + the two stateful runs
    for phase in ("examples", "coverage", "fuzzing"):
        assert f"conformance/suite/property/test_property.py::test_{phase}[GET /accounting_tax_rates/{{tax_rate_id}}]" \
            in ids


def test_an_api_version_without_an_operation_has_no_test_for_it() -> None:
    ids = _collected("--monite-api-version=2023-09-01")
    assert not [test_id for test_id in ids if "POST /ledger_accounts]" in test_id], ids
    assert "conformance/suite/property/test_property.py::test_coverage[GET /ledger_accounts]" in ids
