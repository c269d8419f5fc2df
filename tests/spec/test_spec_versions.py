"""The per-version contract (conformance/openapi/versions.py, spec/versions/*.overlay.yaml).

* every published version has an effective spec, and each is valid OpenAPI 3.1
  (openapi-spec-validator; Spectral lints them in `make lint-spec`);
* the 2023-09-01 spec lacks exactly what the facts say the 2023-09-01 ledger-account docs lack,
  and nothing else changes outside the ledger-account texts;
* which versions share which shape is A29;
* every action of the project's overlays says why (description) and the removals cite a source.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from conformance.openapi import versions
from conformance.openapi.overlay import OverlayError
from conformance.openapi.files import load_spec

REPO = Path(__file__).parents[2]
FACTS = REPO.parent / "shared" / "docs" / "monite-accounting-facts.md"
HTTP_METHODS = ("get", "put", "post", "delete", "patch")


def operations(spec: dict[str, Any]) -> dict[str, str]:
    """operationId -> "METHOD path"."""
    return {op["operationId"]: f"{method.upper()} {path}" for path, item in spec["paths"].items()
            for method, op in item.items() if method in HTTP_METHODS}


def test_the_published_list_is_the_facts_list() -> None:
    if not FACTS.is_file():
        pytest.skip(f"the facts digest is not at {FACTS}")
    text = FACTS.read_text(encoding="utf-8")
    paragraph = text[text.index("`APIVersion` schema lists"):].split("\n- ")[0]
    assert tuple(re.findall(r"`(\d{4}-\d{2}-\d{2})`", paragraph)) == versions.known_versions()


@pytest.mark.parametrize("version", versions.PUBLISHED_VERSIONS)
def test_every_published_version_has_a_valid_effective_spec(version: str) -> None:
    from openapi_spec_validator import validate

    spec = versions.effective_spec(version)
    validate(spec)
    overlay = versions.overlay_for(version)
    assert spec["info"]["version"] == (overlay.name.split(".")[0] if overlay else versions.base_version())


def test_the_2023_09_01_spec_lacks_exactly_the_documented_ledger_account_parts() -> None:
    base, old = load_spec(), versions.effective_spec("2023-09-01")
    assert old["info"]["version"] == "2023-09-01"

    # operations: no POST/PATCH/DELETE ledger account, everything else as in the base
    assert set(operations(base)) - set(operations(old)) == {
        "createLedgerAccount", "updateLedgerAccount", "deleteLedgerAccount"}
    assert set(operations(old)) <= set(operations(base))

    # the ledger account: no created_at, updated_at, currency, is_external
    base_account, old_account = base["components"]["schemas"]["LedgerAccount"], old["components"]["schemas"]["LedgerAccount"]
    assert set(base_account["properties"]) - set(old_account["properties"]) == {
        "created_at", "updated_at", "currency", "is_external"}
    assert set(old_account["properties"]) == {
        "id", "is_bank_account", "name", "status", "type", "current_balance", "description", "nominal_code", "subtype"}
    for name, schema in old_account["properties"].items():
        assert schema == base_account["properties"][name], name
    # what is required (documented, and what the emulator is held to, A31) loses exactly the removed fields
    removed = {"created_at", "updated_at", "currency", "is_external"}
    for lists in (lambda s: s.get("required", []), lambda s: s["x-assumed-constraints"]["required"]):
        assert set(lists(old_account)) == set(lists(base_account)) - removed
    assert old_account["x-assumed-constraints"]["assumption"] == base_account["x-assumed-constraints"]["assumption"]

    # components: only those of the removed operations are gone; only LedgerAccount changed
    for kind in ("schemas", "responses", "parameters", "headers", "securitySchemes"):
        gone = set(base["components"].get(kind, {})) - set(old["components"].get(kind, {}))
        expected = {"schemas": {"LedgerAccountCreate", "LedgerAccountUpdate"},
                    "responses": {"LedgerAccountCreated", "LedgerAccountUpdated", "NoContent"}}.get(kind, set())
        assert gone == expected, kind
        changed = {name for name, value in old["components"].get(kind, {}).items()
                   if value != base["components"][kind][name]}
        assert changed == {"schemas": {"LedgerAccount"},
                           "responses": {"LedgerAccountListOk", "LedgerAccountOk"}}.get(kind, set()), kind

    # paths: only the ledger-account ones changed
    changed_paths = {path for path in base["paths"] if old["paths"].get(path) != base["paths"][path]}
    assert changed_paths == {"/ledger_accounts", "/ledger_accounts/{ledger_account_id}"}
    assert old["paths"]["/ledger_accounts/{ledger_account_id}"]["get"] == base["paths"]["/ledger_accounts/{ledger_account_id}"]["get"]
    assert old["paths"]["/ledger_accounts"]["get"]["parameters"] == base["paths"]["/ledger_accounts"]["get"]["parameters"]
    assert old["paths"]["/ledger_accounts"]["get"]["responses"] == base["paths"]["/ledger_accounts"]["get"]["responses"]


def test_the_2023_09_01_examples_have_only_the_version_s_fields() -> None:
    old = versions.effective_spec("2023-09-01")
    responses = old["components"]["responses"]
    item = responses["LedgerAccountListOk"]["content"]["application/json"]["example"]["data"][0]
    single = responses["LedgerAccountOk"]["content"]["application/json"]["example"]
    fields = set(old["components"]["schemas"]["LedgerAccount"]["properties"])
    assert set(item) == set(single) == fields


@pytest.mark.parametrize(("version", "shape"), [
    ("2022-11-16", "2023-09-01"), ("2023-06-04", "2023-09-01"), ("2023-09-01", "2023-09-01"),
    ("2024-01-31", None), ("2024-05-25", None), ("2025-06-23", None),
])
def test_which_versions_share_a_shape_is_a29(version: str, shape: str | None) -> None:
    overlay = versions.overlay_for(version)
    assert (overlay.name if overlay else None) == (f"{shape}.overlay.yaml" if shape else None)
    if shape is None:
        assert versions.effective_spec(version) is load_spec()


@pytest.mark.parametrize("version", ["2024-05-26", "2023-13-01", "latest", ""])
def test_a_version_outside_the_published_list_has_no_contract(version: str) -> None:
    with pytest.raises(versions.UnknownVersion, match="is not a published version"):
        versions.effective_spec(version)


def test_every_overlay_action_says_why_and_removals_cite_a_source() -> None:
    files = versions.overlay_files()
    assert "2023-09-01" in files
    for date, path in files.items():
        overlay = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert overlay["overlay"] == "1.0.0"
        assert "x-source" in overlay and "A29" in overlay.get("x-assumption", ""), path
        for action in overlay["actions"]:
            assert action.get("description"), (path, action["target"])
            removes_contract = action.get("remove") and (".properties" in action["target"]
                                                         or action["target"].startswith("$.paths"))
            if removes_contract:
                assert "docs: v" in action.get("x-source", ""), (path, action["target"])


def test_a_malformed_overlay_file_stops_the_loader_with_its_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "versions"
    folder.mkdir()
    (folder / "2023-09-01.overlay.yaml").write_text(
        "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.paths['/gone']\n    remove: true\n",
        encoding="utf-8")
    monkeypatch.setattr(versions, "versions_dir", lambda: folder)
    versions._applied.cache_clear()
    try:
        with pytest.raises(OverlayError, match=r"2023-09-01\.overlay\.yaml: actions\[0\] .*selects nothing"):
            versions.effective_spec("2023-09-01")
        (folder / "2023-09-01.overlay.yaml").write_text("overlay: 1.0.0\n", encoding="utf-8")
        versions._applied.cache_clear()
        with pytest.raises(OverlayError, match=r"2023-09-01\.overlay\.yaml: \(document\): 'info' is a required property"):
            versions.effective_spec("2023-09-01")
        (folder / "latest.overlay.yaml").write_text("overlay: 1.0.0\n", encoding="utf-8")
        with pytest.raises(OverlayError, match=r"latest\.overlay\.yaml: an overlay file is named <YYYY-MM-DD>"):
            versions.overlay_for("2023-09-01")
    finally:
        versions._applied.cache_clear()
