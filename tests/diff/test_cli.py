"""`monite-conformance diff` as a user runs it: sources, formats, exit codes 0/1/2/3."""

from __future__ import annotations

import importlib
import json
import socket
import sys
import threading
import types
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from conformance.cli import main
from conformance.commands.diff import OutputFormat
from conformance.diff import DiffResult, change
from conformance.diff.render import FORMATS, render
from conformance.openapi.files import load_spec
from tests.diff.builders import document, get_ledger, ok, query

S = {"type": "string"}
OLD = get_ledger([query("limit", {"type": "integer", "maximum": 250, "default": 250})],
                 responses=ok({"type": "object", "required": ["name"], "properties": {"name": S, "tier": {
                     "type": "string", "enum": ["a"]}}}))
# one change per level: maximum lowered (breaking), default changed (may-break), status added (non-breaking)
NEW = get_ledger([query("limit", {"type": "integer", "maximum": 100, "default": 100})],
                 responses={**ok({"type": "object", "required": ["name"], "properties": {"name": S, "tier": {
                     "type": "string", "enum": ["a"]}}}), "409": {"description": "conflict"}})
ONLY_NON_BREAKING = get_ledger([query("limit", {"type": "integer", "maximum": 250, "default": 250})],
                               responses={**OLD["paths"]["/ledger_accounts"]["get"]["responses"],
                                          "409": {"description": "conflict"}})
ONLY_MAY_BREAK = get_ledger([query("limit", {"type": "integer", "maximum": 250, "default": 100})],
                            responses=OLD["paths"]["/ledger_accounts"]["get"]["responses"])


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as stop:
        main(["diff", *args])
    out, err = capsys.readouterr()
    return int(stop.value.code or 0), out, err


def write(folder: Path, name: str, doc: Any) -> str:
    path = folder / name
    path.write_text(json.dumps(doc) if name.endswith(".json") else yaml.safe_dump(doc), encoding="utf-8")
    return str(path)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    return {"old": write(tmp_path, "old.yaml", OLD), "new": write(tmp_path, "new.json", NEW),
            "non": write(tmp_path, "non.yaml", ONLY_NON_BREAKING), "may": write(tmp_path, "may.yaml", ONLY_MAY_BREAK)}


def one_line_error(err: str, fragment: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert lines[0].startswith("monite-conformance: error:")
    assert fragment in lines[0], lines[0]


# -- exit codes 0 and 1 -------------------------------------------------------------------------

def test_a_document_against_itself_exits_0_with_no_changes(capsys: pytest.CaptureFixture[str],
                                                          files: dict[str, str]) -> None:
    code, out, _err = run(capsys, files["old"], files["old"])
    assert code == 0
    assert "no changes" in out


def test_our_spec_against_itself_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "spec", "spec", "--format", "json")
    assert code == 0
    assert json.loads(out) == {"changes": [], "counts": {"breaking": 0, "may-break": 0, "non-breaking": 0}}


def test_a_breaking_change_exits_1_and_the_text_report_names_it(capsys: pytest.CaptureFixture[str],
                                                               files: dict[str, str]) -> None:
    code, out, _err = run(capsys, files["old"], files["new"])
    assert code == 1
    assert "request-parameter-max-decreased" in out
    assert "1 breaking, 1 may-break, 1 non-breaking" in out


@pytest.mark.parametrize(("new", "fail_on", "expected"), [
    ("non", "breaking", 0), ("non", "may-break", 0), ("non", "any", 1),
    ("may", "breaking", 0), ("may", "may-break", 1), ("may", "any", 1),
    ("new", "breaking", 1),
])
def test_fail_on_sets_the_threshold(capsys: pytest.CaptureFixture[str], files: dict[str, str],
                                    new: str, fail_on: str, expected: int) -> None:
    code, _out, _err = run(capsys, files["old"], files[new], "--fail-on", fail_on, "--format", "json")
    assert code == expected


# -- formats ------------------------------------------------------------------------------------

def test_json_is_changes_in_stable_order_and_counts(capsys: pytest.CaptureFixture[str], files: dict[str, str]) -> None:
    _code, out, _err = run(capsys, files["old"], files["new"], "--format", "json")
    report = json.loads(out)
    assert set(report) == {"changes", "counts"}
    assert report["counts"] == {"breaking": 1, "may-break": 1, "non-breaking": 1}
    assert [set(change) for change in report["changes"]] == [
        {"operation", "rule", "level", "location", "message"}] * 3
    assert [(c["operation"], c["location"], c["rule"], c["level"]) for c in report["changes"]] == [
        ("GET /ledger_accounts", "query parameter limit", "request-parameter-default-value-changed", "may-break"),
        ("GET /ledger_accounts", "query parameter limit", "request-parameter-max-decreased", "breaking"),
        ("GET /ledger_accounts", "response 409", "response-non-success-status-added", "non-breaking"),
    ]


def test_markdown_is_a_changelog_grouped_by_operation_and_level(capsys: pytest.CaptureFixture[str],
                                                                files: dict[str, str]) -> None:
    _code, out, _err = run(capsys, files["old"], files["new"], "--format", "markdown")
    lines = out.splitlines()
    assert lines[0] == f"## API contract changes: `{files['old']}` → `{files['new']}`"
    assert "❌ **1 change at `breaking` or worse** (`--fail-on breaking`)" in lines
    assert "🔴 **1** breaking · 🟠 **1** may-break · 🟢 **1** non-breaking — 1 of 1 operations changed" in lines
    assert "| [`GET /ledger_accounts`](#-get-ledger_accounts) | 1 | 1 | 1 |" in lines
    section = lines[lines.index("### 🔴 `GET /ledger_accounts`"):]
    assert section[2:] == [
        "**Breaking**", "",
        "- query parameter `limit`: maximum 250 → 100 · `request-parameter-max-decreased`", "",
        "**May break**", "",
        "- query parameter `limit`: default 250 → 100 · `request-parameter-default-value-changed`", "",
        "**Non-breaking**", "",
        "- response 409: status 409 added · `response-non-success-status-added`",
    ]


def test_markdown_groups_several_operations_worst_first_and_folds_the_unchanged(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    def doc(maximum: int, tier: list[str]) -> dict[str, Any]:
        return document({
            "/ledger_accounts": {"get": {"parameters": [query("limit", {"type": "integer", "maximum": maximum})],
                                         "responses": ok()}},
            "/ledger_accounts/{id}": {"get": {"parameters": [{"name": "id", "in": "path", "required": True,
                                                              "schema": S}],
                                              "responses": ok({"type": "object", "properties": {
                                                  "tier": {"type": "string", "enum": tier}}})}},
            "/accounting_tax_rates": {"get": {"responses": ok()}}})
    old, new = write(tmp_path, "old.json", doc(250, ["a"])), write(tmp_path, "new.json", doc(100, ["a", "b"]))
    code, out, _err = run(capsys, old, new, "--format", "markdown", "--fail-on", "any")
    assert code == 1
    headings = [line for line in out.splitlines() if line.startswith("### ")]
    assert headings == ["### 🔴 `GET /ledger_accounts`", "### 🟠 `GET /ledger_accounts/{id}`"]
    assert "- response 200 `/tier`: enum value added: \"b\" · `response-property-enum-value-added`" in out
    assert "<details><summary>1 operation compared without change</summary>" in out
    assert "- `GET /accounting_tax_rates`" in out
    _code, same, _err = run(capsys, old, old, "--format", "markdown")
    assert "No changes in the 3 operations compared." in same


def test_html_is_one_self_contained_page(capsys: pytest.CaptureFixture[str], files: dict[str, str],
                                         tmp_path: Path) -> None:
    target = tmp_path / "out" / "diff.html"
    code, out, _err = run(capsys, files["old"], files["new"], "--format", "html", "--output", str(target))
    assert code == 1
    assert out.strip() == f"{target}: 1 breaking, 1 may-break, 1 non-breaking"
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page
    assert "<script" not in page and "<link" not in page and "src=" not in page
    assert "request-parameter-max-decreased" in page and "response-non-success-status-added" in page


def test_junit_has_one_testcase_per_operation_and_a_failure_per_failing_change(
        capsys: pytest.CaptureFixture[str], files: dict[str, str], tmp_path: Path) -> None:
    two_ops_old = document({"/ledger_accounts": OLD["paths"]["/ledger_accounts"],
                            "/auth/token": {"post": {"responses": ok()}}})
    two_ops_new = document({"/ledger_accounts": NEW["paths"]["/ledger_accounts"],
                            "/auth/token": {"post": {"responses": ok()}}})
    old, new = write(tmp_path, "a.yaml", two_ops_old), write(tmp_path, "b.yaml", two_ops_new)
    _code, out, _err = run(capsys, old, new, "--format", "junit", "--fail-on", "may-break")
    suite = ET.fromstring(out.encode())
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert set(cases) == {"GET /ledger_accounts", "POST /auth/token"}
    failures = cases["GET /ledger_accounts"].findall("failure")
    assert sorted(f.get("type") for f in failures) == [
        "request-parameter-default-value-changed", "request-parameter-max-decreased"]
    assert "response-non-success-status-added" in cases["GET /ledger_accounts"].findtext("system-out")
    assert cases["POST /auth/token"].findall("failure") == []


def test_text_to_a_file_has_no_colour_codes(capsys: pytest.CaptureFixture[str], files: dict[str, str],
                                            tmp_path: Path) -> None:
    target = tmp_path / "diff.txt"
    run(capsys, files["old"], files["new"], "--output", str(target))
    text = target.read_text(encoding="utf-8")
    assert "\x1b[" not in text
    assert "request-parameter-max-decreased" in text


# -- which operations ---------------------------------------------------------------------------

def test_paths_outside_the_accounting_api_are_ignored_unless_asked_for(capsys: pytest.CaptureFixture[str],
                                                                      tmp_path: Path) -> None:
    old = write(tmp_path, "a.yaml", document({"/v1/ledger_accounts": {"get": {"responses": ok()}}}))
    new = write(tmp_path, "b.yaml", document({"/ledger_accounts": {"get": {"responses": ok()}},
                                              "/payables": {"get": {"responses": ok()}}}))
    assert run(capsys, old, new, "--fail-on", "any")[0] == 0
    for option in (["--all-paths"], ["--paths", "^/payables"]):
        code, out, _err = run(capsys, old, new, "--fail-on", "any", "--format", "json", *option)
        assert code == 1
        assert [(c["operation"], c["rule"]) for c in json.loads(out)["changes"]] == [
            ("GET /payables", "endpoint-added")]


# -- exit code 2: usage -------------------------------------------------------------------------

@pytest.mark.parametrize(("args", "fragment"), [
    (["--format", "xml"], "--format"),
    (["--fail-on", "never"], "--fail-on"),
    (["--paths", "(", ], "not a regular expression"),
    (["--paths", "x", "--all-paths"], "exclude each other"),
])
def test_a_bad_option_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str], files: dict[str, str],
                                             args: list[str], fragment: str) -> None:
    code, _out, err = run(capsys, files["old"], files["new"], *args)
    assert code == 2
    one_line_error(err, fragment)


def test_a_scope_that_selects_no_operation_is_exit_2(capsys: pytest.CaptureFixture[str],
                                                     files: dict[str, str], tmp_path: Path) -> None:
    code, _out, err = run(capsys, files["old"], files["new"], "--paths", "^/typo")
    assert code == 2
    one_line_error(err, "no operation of either document is in scope (--paths '^/typo')")
    payables = write(tmp_path, "payables.yaml", document({"/payables": {"get": {"responses": ok()}}}))
    code, _out, err = run(capsys, payables, payables)
    assert code == 2
    one_line_error(err, "see --paths/--all-paths")


def test_a_missing_file_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str], files: dict[str, str]) -> None:
    code, _out, err = run(capsys, files["old"], "no-such-file.yaml")
    assert code == 2
    one_line_error(err, "no-such-file.yaml: no such file")


def test_a_missing_argument_exits_2(capsys: pytest.CaptureFixture[str], files: dict[str, str]) -> None:
    code, _out, err = run(capsys, files["old"])
    assert code == 2
    one_line_error(err, "Missing argument")


def _without_versions_module(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "conformance.openapi.versions", None)  # import fails: ImportError


def _with_versions_module(monkeypatch: pytest.MonkeyPatch, effective_spec: Any) -> None:
    try:
        importlib.import_module("conformance.openapi")
    except ImportError:
        monkeypatch.setitem(sys.modules, "conformance.openapi", types.ModuleType("conformance.openapi"))
    fake = types.ModuleType("conformance.openapi.versions")
    fake.effective_spec = effective_spec  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "conformance.openapi.versions", fake)


def test_spec_at_a_version_without_the_per_version_loader_is_exit_2(capsys: pytest.CaptureFixture[str],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _without_versions_module(monkeypatch)
    code, _out, err = run(capsys, "spec", "spec@2023-09-01")
    assert code == 2
    one_line_error(err, "conformance.openapi.versions")


def test_spec_at_a_version_uses_the_effective_spec(capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    def effective_spec(version: str) -> dict[str, Any]:
        asked.append(version)
        if version != "2024-05-25":
            raise ValueError(f"unknown API version {version}")
        return load_spec()

    _with_versions_module(monkeypatch, effective_spec)
    assert run(capsys, "spec@2024-05-25", "spec")[0] == 0
    code, _out, err = run(capsys, "spec", "spec@1999-01-01")
    assert code == 2
    one_line_error(err, "unknown API version 1999-01-01")
    assert asked == ["2024-05-25", "1999-01-01"]


# -- exit code 3: documents that cannot be compared ---------------------------------------------

@pytest.mark.parametrize(("content", "fragment"), [
    ("- a\n- list\n", "not an OpenAPI document"),
    ("swagger: '2.0'\npaths: {}\n", "Swagger 2.0"),
    ("openapi: 2.5.0\npaths: {}\n", "openapi: 2.5.0"),
    ("title: no version\n", "no openapi field"),
    ("a: [unclosed\n", "not YAML or JSON"),
])
def test_a_file_that_is_not_openapi_3_is_one_line_and_exit_3(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                            files: dict[str, str], content: str,
                                                            fragment: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(content, encoding="utf-8")
    code, _out, err = run(capsys, files["old"], str(bad))
    assert code == 3
    one_line_error(err, fragment)


def test_a_dangling_ref_is_one_line_and_exit_3(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                               files: dict[str, str]) -> None:
    broken = write(tmp_path, "broken.yaml", get_ledger(responses=ok({"$ref": "#/components/schemas/Gone"})))
    code, _out, err = run(capsys, files["old"], broken)
    assert code == 3
    one_line_error(err, "points at nothing")


class _Handler(BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, str, str]] = {}
    seen: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.seen.append(self.path)
        status, content_type, body = self.routes.get(self.path, (404, "text/plain", "not found"))
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    _Handler.routes = {
        "/openapi.json?version=2024-05-25": (200, "application/json", json.dumps(NEW)),
        "/openapi.yaml": (200, "application/yaml", yaml.safe_dump(OLD)),
        "/page": (200, "text/html", "<html><body>Sign in</body></html>"),
    }
    _Handler.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_urls_are_fetched(capsys: pytest.CaptureFixture[str], server: str) -> None:
    code, out, _err = run(capsys, f"{server}/openapi.yaml", f"{server}/openapi.json?version=2024-05-25",
                          "--format", "json")
    assert code == 1
    assert json.loads(out)["counts"] == {"breaking": 1, "may-break": 1, "non-breaking": 1}
    assert _Handler.seen == ["/openapi.yaml", "/openapi.json?version=2024-05-25"]


@pytest.mark.parametrize(("path", "fragment"), [
    ("/missing.json", "HTTP 404"),
    ("/page", "not an OpenAPI document"),
])
def test_a_url_that_is_not_an_openapi_document_is_exit_3(capsys: pytest.CaptureFixture[str], server: str,
                                                         files: dict[str, str], path: str, fragment: str) -> None:
    code, _out, err = run(capsys, files["old"], f"{server}{path}")
    assert code == 3
    one_line_error(err, fragment)


def test_an_unreachable_url_is_one_line_and_exit_3(capsys: pytest.CaptureFixture[str], files: dict[str, str]) -> None:
    with socket.socket() as probe:  # a port nobody listens on: bound, never listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        code, _out, err = run(capsys, files["old"], f"http://127.0.0.1:{port}/openapi.json")
    assert code == 3
    one_line_error(err, "cannot fetch")


def test_the_html_escapes_what_the_documents_say() -> None:
    """A path, label or message from a document is text on the page, never markup."""
    operation = "GET /<b>accounts</b>"
    result = DiffResult([change("endpoint-added", operation, "operation", "added <script>alert(1)</script>")],
                        [operation])
    page = render("html", result, "old<i>.yaml", "new.yaml", "breaking")
    assert "<script>" not in page and "<b>" not in page and "<i>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;b&gt;accounts&lt;/b&gt;" in page


def test_every_format_is_one_formatter_with_its_own_file_name() -> None:
    assert sorted(FORMATS) == sorted(OutputFormat.__members__)
    names = [formatter.filename for formatter in FORMATS.values()]
    assert len(set(names)) == len(names)
