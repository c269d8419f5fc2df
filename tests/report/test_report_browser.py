"""report.html in headless Chromium: the matrix is there and visible, nothing errs, nothing is fetched.

Uses Debian's chromium (scripts/install-chromium) driven by Playwright's Python API with
`executable_path`, so no browser is downloaded. The report comes from a run with a failure
and observations, so the failure details and the pytest-html table are rendered as well.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.cli_support import CliRun, run_cli

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not Path(CHROMIUM).is_file():
        message = "chromium is not installed: run scripts/install-chromium"
        pytest.fail(message) if os.environ.get("CI") else pytest.skip(message)
    cwd = tmp_path_factory.mktemp("browser")
    run: CliRun = run_cli("run", "--suite", "scenario", "--only", "tax-rates",
                          "--target", "asgi:tests.faults.cli_faults:tax_rate_total_as_string",
                          cwd=cwd, report_dir=cwd / "out")
    assert run.returncode == 1, run.stdout + run.stderr
    return cwd / "out" / "report.html"


def test_matrix_is_visible_without_console_errors(report: Path, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    fetched: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("console", lambda message: problems.append(f"console {message.type}: {message.text}")
                    if message.type in ("error", "warning") else None)
            page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
            page.on("request", lambda request: fetched.append(request.url)
                    if not request.url.startswith(("file:", "data:", "about:")) else None)
            page.goto(report.as_uri(), wait_until="load")

            matrix = page.locator("#monite-matrix")
            assert matrix.is_visible()
            assert matrix.locator("tbody tr").count() == 16
            box = matrix.bounding_box()
            assert box is not None and box["y"] < 1000, "the matrix is not on the first screen"
            failed = page.locator('#monite-matrix tr[data-operation="getTaxRate"] td.m-failed[data-status="200"]')
            assert failed.is_visible()
            passed = page.locator('#monite-matrix tr[data-operation="listTaxRates"] td.m-passed[data-status="200"]')
            assert passed.is_visible()
            assert page.locator("#monite-failures").is_visible()
            assert page.locator("#monite-failures").inner_text().count("getTaxRate") >= 1
            assert page.locator("#results-table tbody.results-table-row").count() > 0  # pytest-html's JS ran
            page.screenshot(path=str(tmp_path / "report.png"))
        finally:
            browser.close()
    assert problems == []
    assert fetched == [], "the report is not self-contained"
