"""The spec requires of a response only what the docs require (issue 9, item 3; issue 16, item 1).

A schema's `required` is the documented contract: what the docs mark required (Monite's
published document included). What the emulator is held to beyond that is an assumption,
written on the same schema as `x-assumed-constraints: {assumption: A<n>, required: [...]}`; a
field two docs pages disagree on is `x-disputed-constraints: {probe: D<n>, sources: [...],
required: [...]}` (both read by conformance.openapi.assumed for the strict contract used against
the emulator). Pinned here, for the base document and every effective version document:

* every list page requires `data` and nothing else (seed 003), and a paginated page's tokens
  are assumed (A32), never documented;
* every `x-assumed-constraints` names an assumption of docs/design.md, every
  `x-disputed-constraints` a disagreement of docs/design.md and both its sources, and existing
  properties that are not already documented as required (nor both assumed and disputed);
* the seeds: seed 003's `required` marks are exactly the synced-record page's `required`; the
  reference pages (seeds 000, 001, 004) mark no response field required, so their schemas'
  documented `required` comes from the published document (tests/spec/test_published.py) and
  the facts' change log; every field a seed shows is held (documented, assumed or disputed), so
  the emulator sends everything the docs show;
* path ids are the published document's uuids, and the seeds' plain string is disagreement D4.

Each rule is a function returning the problems it finds; the tests run it on the spec (no
problem) and on a copy broken in exactly that rule (the problem is found).
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance.openapi import versions
from conformance.openapi.files import load_spec
from tests.spec.published import design_disagreements
from tests.spec.test_spec import SECTIONS, design_assumption_ids, reference_operation, section, seed_examples, seed_text

REPO = Path(__file__).parents[2]
FACTS = Path(os.environ.get("MONITE_FACTS", REPO.parent / "shared" / "docs" / "monite-accounting-facts.md"))
TOKENS = ("next_pagination_token", "prev_pagination_token")
EXTENSION = "x-assumed-constraints"
DISPUTED = "x-disputed-constraints"
PATH_IDS = ("ConnectionId", "SyncedRecordId", "TaxRateId", "LedgerAccountId")


def documents() -> dict[str, dict[str, Any]]:
    """The base document and the effective document of every published version that differs."""
    out = {"base": load_spec()}
    for version in versions.PUBLISHED_VERSIONS:
        spec = versions.effective_spec(version)
        if spec is not out["base"]:
            out[spec["info"]["version"]] = spec
    return out


def resolve(spec: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = spec
        for part in node["$ref"][2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def success_schema(spec: dict[str, Any], op: dict[str, Any]) -> dict[str, Any]:
    status = next(s for s in op["responses"] if s.startswith("2"))
    return resolve(spec, resolve(spec, op["responses"][status])["content"]["application/json"]["schema"])


def documented(schema: dict[str, Any]) -> set[str]:
    return set(schema.get("required", []))


def held(schema: dict[str, Any]) -> set[str]:
    """Everything the emulator must send: documented, assumed, and disputed (it takes the published side)."""
    return (documented(schema) | set(schema.get(EXTENSION, {}).get("required", []))
            | set(schema.get(DISPUTED, {}).get("required", [])))


def list_pages(spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], bool]]:
    """(operationId, page schema, paginated) of every GET whose answer is a `data` array."""
    for item in spec["paths"].values():
        op = item.get("get")
        if op is None:
            continue
        schema = success_schema(spec, op)
        if resolve(spec, schema.get("properties", {}).get("data", {})).get("type") == "array":
            params = [resolve(spec, p) for p in op.get("parameters", [])]
            yield op["operationId"], schema, any(p["name"] == "pagination_token" for p in params)


def schemas_with_extension(spec: dict[str, Any], extension: str = EXTENSION) -> Iterator[tuple[str, dict[str, Any]]]:
    """(trail, node) of every mapping in the document that carries `extension`."""
    stack: list[tuple[str, Any]] = [("", spec)]
    while stack:
        trail, node = stack.pop()
        if isinstance(node, dict):
            if extension in node:
                yield trail, node
            stack.extend((f"{trail}/{k}", v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((f"{trail}/{i}", v) for i, v in enumerate(node))


# -- the rules ------------------------------------------------------------------------------------

def list_page_problems(spec: dict[str, Any]) -> list[str]:
    problems = []
    pages = list(list_pages(spec))
    if len(pages) < 4:
        problems.append(f"expected the four list pages, found {[name for name, _, _ in pages]}")
    for name, schema, paginated in pages:
        if schema.get("required") != ["data"]:
            problems.append(f"{name}: the page must require `data` only (seed 003), requires {schema.get('required')}")
        if not paginated:
            continue
        for token in TOKENS:
            if token not in schema.get("properties", {}):
                problems.append(f"{name}: {token} is not a property of the page")
            if token not in held(schema) - documented(schema):
                problems.append(f"{name}: {token} must be assumed (A32), not documented nor left out")
        if schema.get(EXTENSION, {}).get("assumption") != "A32":
            problems.append(f"{name}: the tokens are assumption A32, not {schema.get(EXTENSION, {}).get('assumption')}")
    return problems


def extension_problems(spec: dict[str, Any], ids: set[str]) -> list[str]:
    problems = []
    found = 0
    for trail, schema in schemas_with_extension(spec):
        found += 1
        ext = schema[EXTENSION]
        if not isinstance(ext, dict) or set(ext) != {"assumption", "required"}:
            problems.append(f"{trail}: {EXTENSION} must be exactly {{assumption, required}}, got {ext!r}")
            continue
        if not (isinstance(ext["assumption"], str) and re.fullmatch(r"A\d+", ext["assumption"])
                and ext["assumption"] in ids):
            problems.append(f"{trail}: assumption {ext['assumption']!r} is not an id of docs/design.md")
        names = ext["required"]
        if not (isinstance(names, list) and names and all(isinstance(n, str) for n in names)):
            problems.append(f"{trail}: required must be a non-empty list of names, got {names!r}")
            continue
        if len(set(names)) != len(names):
            problems.append(f"{trail}: required names a field twice: {names}")
        if missing := sorted(set(names) - set(schema.get("properties", {}))):
            problems.append(f"{trail}: required names no property of the schema: {missing}")
        if both := sorted(set(names) & documented(schema)):
            problems.append(f"{trail}: documented and assumed at once: {both}")
    if not found:
        problems.append(f"no {EXTENSION} in the document")
    return problems


def disputed_problems(spec: dict[str, Any], ids: set[str]) -> list[str]:
    problems = []
    found = 0
    for trail, schema in schemas_with_extension(spec, DISPUTED):
        found += 1
        ext = schema[DISPUTED]
        if not isinstance(ext, dict) or set(ext) != {"probe", "sources", "required"}:
            problems.append(f"{trail}: {DISPUTED} must be exactly {{probe, sources, required}}, got {ext!r}")
            continue
        if ext["probe"] not in ids:
            problems.append(f"{trail}: disagreement {ext['probe']!r} is not an id of docs/design.md")
        sources = ext["sources"]
        if not (isinstance(sources, list) and len(sources) >= 2 and all(isinstance(x, str) and x for x in sources)):
            problems.append(f"{trail}: sources must name both sides of the disagreement, got {sources!r}")
        names = ext["required"]
        if not (isinstance(names, list) and names and all(isinstance(n, str) for n in names)):
            problems.append(f"{trail}: required must be a non-empty list of names, got {names!r}")
            continue
        if missing := sorted(set(names) - set(schema.get("properties", {}))):
            problems.append(f"{trail}: required names no property of the schema: {missing}")
        if both := sorted(set(names) & documented(schema)):
            problems.append(f"{trail}: documented and disputed at once: {both}")
        if both := sorted(set(names) & set(schema.get(EXTENSION, {}).get("required", []))):
            problems.append(f"{trail}: assumed and disputed at once: {both}")
    if not found:
        problems.append(f"no {DISPUTED} in the document")
    return problems


def path_id_problems(spec: dict[str, Any]) -> list[str]:
    problems = []
    for name in PATH_IDS:
        param = spec["components"]["parameters"][name]
        if param["schema"] != {"type": "string", "format": "uuid"}:
            problems.append(f"{name}: the published document types path ids as uuids, got {param['schema']}")
        if not str(param.get("x-probe", "")).startswith("D4: "):
            problems.append(f"{name}: a non-uuid id is disagreement D4 (the seeds' plain string)")
        if not str(param.get("x-assumption", "")).startswith("A7: "):
            problems.append(f"{name}: an unknown id is A7's choice")
    return problems


# -- on every document of the project: no problem ----------------------------------------------------

@pytest.mark.parametrize("name", sorted(documents()))
def test_list_pages_require_data_only_and_assume_the_tokens(name: str) -> None:
    assert list_page_problems(documents()[name]) == []


@pytest.mark.parametrize("name", sorted(documents()))
def test_every_assumed_constraint_names_an_assumption_and_existing_fields(name: str) -> None:
    assert extension_problems(documents()[name], design_assumption_ids()) == []


@pytest.mark.parametrize("name", sorted(documents()))
def test_every_disputed_constraint_names_a_disagreement_both_sources_and_existing_fields(name: str) -> None:
    assert disputed_problems(documents()[name], set(design_disagreements())) == []


@pytest.mark.parametrize("name", sorted(documents()))
def test_path_ids_are_the_published_uuids_and_the_seeds_string_is_a_probe(name: str) -> None:
    assert path_id_problems(documents()[name]) == []


# -- each rule finds what breaks it ----------------------------------------------------------------

def _broken(change: Any) -> dict[str, Any]:
    spec = copy.deepcopy(load_spec())
    change(spec["components"])
    return spec


@pytest.mark.parametrize(("change", "expected"), [
    (lambda c: c["schemas"]["SyncRecordList"].update(required=["data", "next_pagination_token"]),
     "listSyncedRecords: the page must require `data` only"),
    (lambda c: c["schemas"]["AccountingConnectionList"].pop("required"),
     "listAccountingConnections: the page must require `data` only"),
    (lambda c: c["schemas"]["LedgerAccountList"].pop(EXTENSION),
     "listLedgerAccounts: next_pagination_token must be assumed (A32)"),
    (lambda c: c["schemas"]["AccountingTaxRateList"][EXTENSION].update(assumption="A31"),
     "listTaxRates: the tokens are assumption A32"),
], ids=["token-documented", "data-not-required", "tokens-not-assumed", "wrong-assumption"])
def test_the_list_page_rule_finds_a_documented_token(change: Any, expected: str) -> None:
    assert any(p.startswith(expected) for p in list_page_problems(_broken(change))), expected


@pytest.mark.parametrize(("change", "expected"), [
    (lambda c: c["schemas"]["SyncRecord"][EXTENSION].update(assumption="A999"), "is not an id of docs/design.md"),
    (lambda c: c["schemas"]["SyncRecord"][EXTENSION].update(required=[]), "must be a non-empty list"),
    (lambda c: c["schemas"]["SyncRecord"][EXTENSION]["required"].append("no_such_field"), "names no property"),
    (lambda c: c["schemas"]["LedgerAccount"][EXTENSION]["required"].append("created_at"), "documented and assumed at once"),
    (lambda c: c["schemas"]["SyncRecord"][EXTENSION]["required"].append("errors"), "names a field twice"),
    (lambda c: c["schemas"]["SyncRecord"][EXTENSION].update(minLength=1), "must be exactly"),
], ids=["unknown-id", "empty", "no-such-property", "documented-too", "twice", "unknown-keyword"])
def test_the_extension_rule_finds_a_bad_constraint(change: Any, expected: str) -> None:
    problems = extension_problems(_broken(change), design_assumption_ids())
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize(("change", "expected"), [
    (lambda c: c["schemas"]["LedgerAccount"][DISPUTED].update(probe="D99"), "is not an id of docs/design.md"),
    (lambda c: c["schemas"]["LedgerAccount"][DISPUTED].update(sources=["published OpenAPI"]), "must name both sides"),
    (lambda c: c["schemas"]["LedgerAccount"][DISPUTED]["required"].append("nope"), "names no property"),
    (lambda c: c["schemas"]["LedgerAccount"][DISPUTED]["required"].append("id"), "documented and disputed at once"),
    (lambda c: c["schemas"]["LedgerAccount"][DISPUTED]["required"].append("subtype"), "assumed and disputed at once"),
    (lambda c: c["schemas"]["DisconnectedAccountingConnection"][DISPUTED].pop("sources"), "must be exactly"),
], ids=["unknown-id", "one-source", "no-such-property", "documented-too", "assumed-too", "no-sources"])
def test_the_disputed_rule_finds_a_bad_constraint(change: Any, expected: str) -> None:
    problems = disputed_problems(_broken(change), set(design_disagreements()))
    assert any(expected in p for p in problems), problems


def test_the_path_id_rule_finds_a_plain_string() -> None:
    problems = path_id_problems(_broken(lambda c: c["parameters"]["TaxRateId"]["schema"].pop("format")))
    assert problems == ["TaxRateId: the published document types path ids as uuids, got {'type': 'string'}"]


# -- pinned to the documents ------------------------------------------------------------------------

def seed_003_required_marks() -> dict[str, bool]:
    """Seed 003's response fields (the page), each with whether the page marks it `required`."""
    text = section(seed_text("003"), "Response", SECTIONS)
    marks = {name: bool(req) for name, req in re.findall(
        r"^([a-z][a-z_]*)\n(?:object\[\]|string|integer|boolean)\n(required)?$", text, re.M)}
    assert set(marks) >= {"data", *TOKENS}, f"seed 003: response fields not parsed: {marks}"
    return marks


def test_seed_003_marks_exactly_what_the_synced_record_page_requires() -> None:
    marks = seed_003_required_marks()
    page = load_spec()["components"]["schemas"]["SyncRecordList"]
    assert documented(page) == {name for name, req in marks.items() if req} == {"data"}
    assert held(page) == set(marks)


def facts_change_log_required(resource: str) -> set[str]:
    """The fields the facts' change log says a resource's responses gained as required."""
    if not FACTS.is_file():
        message = f"the facts digest is not at {FACTS} (set MONITE_FACTS)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    text = FACTS.read_text(encoding="utf-8")
    log = text[text.index("## How the contract changed over time"):].split("\n## ", 1)[0]
    names: set[str] = set()
    for entry in re.findall(r"^- (\d{4}-\d{2}: .*?)(?=^- |\Z)", log, re.M | re.S):
        entry = " ".join(entry.split())
        m = re.search(r"(.*?) gained .*?\brequired ((?:`\w+`/?)+)", entry)
        if m and resource in m.group(1):
            names |= set(re.findall(r"`(\w+)`", m.group(2)))
    return names


@pytest.mark.parametrize(("prefix", "schema_name", "change_log_name"), [
    ("000", "AccountingConnection", "connections"),
    ("001", "DisconnectedAccountingConnection", "connections"),
    ("004", "LedgerAccount", "ledger accounts"),
])
def test_reference_pages_mark_no_response_field_required(prefix: str, schema_name: str, change_log_name: str) -> None:
    """Seeds 000, 001, 004 mark path parameters and headers `Required`, no response field: the
    documented `required` is only what the facts' change log names; every field shown is held."""
    text = seed_text(prefix)
    response = section(text, "Response", SECTIONS)
    assert "Required" in section(text, "Path parameters", SECTIONS) and "Required" not in response
    shown = set(re.findall(r"^([a-z][a-z_]*?)(?:string|datetime|boolean|integer|object|list of objects|enum)"
                           r"(?:format: \"[\w-]+\"|Defaults to \w+)?$", response, re.M))
    assert len(shown) >= 9, f"seed {prefix}: response fields not parsed"
    spec = load_spec()
    method, path = reference_operation(text)
    schema = success_schema(spec, spec["paths"][path][method.lower()])
    assert schema is spec["components"]["schemas"][schema_name]
    # what the documented `required` holds beyond the facts' change log is the published
    # document's (tests/spec/test_published.py compares it item by item)
    assert documented(schema) >= facts_change_log_required(change_log_name)
    assert held(schema) == shown, f"seed {prefix}: every field the page shows is held (A31, D1, D2)"


def test_the_facts_change_log_makes_ledger_timestamps_required() -> None:
    # the parse above must find something, or the previous test would pass on an empty set
    assert facts_change_log_required("ledger accounts") == {"created_at", "updated_at"}


def example_objects(spec: dict[str, Any], value: Any, schema: Any) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(example object, its object schema) for the example and every object nested in it."""
    schema = resolve(spec, schema)
    branches = [resolve(spec, b) for b in schema.get("anyOf", [])] or [schema]
    for branch in branches:
        if isinstance(value, dict) and "properties" in branch:
            yield value, branch
            for key, item in value.items():
                if key in branch["properties"]:
                    yield from example_objects(spec, item, branch["properties"][key])
        elif isinstance(value, list) and "items" in branch:
            for item in value:
                yield from example_objects(spec, item, branch["items"])


def test_every_field_a_seed_example_shows_is_held() -> None:
    """A31/A32: what the docs show in an example, the emulator sends (documented or assumed)."""
    spec, checked = load_spec(), 0
    for prefix, method, path, example in seed_examples():
        op = spec["paths"][path][method.lower()]
        for value, schema in example_objects(spec, example, success_schema(spec, op)):
            if schema.get("additionalProperties") is True:  # a free-form object (a record's errors)
                continue
            assert set(value) <= held(schema), f"seed {prefix} {method} {path}: {sorted(set(value) - held(schema))}"
            checked += 1
    assert checked >= 10


# -- the emulator sends what it is held to, in every version -------------------------------------------

def missing_held_fields(spec: dict[str, Any], body: Any, schema: dict[str, Any]) -> list[str]:
    """Fields the schema holds the emulator to (documented or assumed) that the body lacks."""
    return sorted({name for value, obj in example_objects(spec, body, schema) for name in held(obj) - set(value)})


def test_missing_held_fields_finds_a_dropped_token() -> None:
    spec = load_spec()
    page = {"data": [], "next_pagination_token": None}
    assert missing_held_fields(spec, page, spec["components"]["schemas"]["SyncRecordList"]) == ["prev_pagination_token"]
    record = dict.fromkeys(spec["components"]["schemas"]["SyncRecord"]["properties"])
    del record["provider"]
    assert missing_held_fields(spec, {**page, "prev_pagination_token": None, "data": [record]},
                               spec["components"]["schemas"]["SyncRecordList"]) == ["provider"]


@pytest.mark.parametrize("version", versions.PUBLISHED_VERSIONS)
def test_the_emulator_sends_every_held_field(version: str) -> None:
    """A31/A32 are the emulator's choices: each success body of the version has every held field."""
    import uuid

    from starlette.testclient import TestClient

    from monite_emulator.app import create_app
    from tests.emulator.emu_helpers import CLIENT_ID, CLIENT_SECRET

    spec = versions.effective_spec(version)
    ops = {op["operationId"]: (method.upper(), path) for path, item in spec["paths"].items()
           for method, op in item.items() if isinstance(op, dict) and "operationId" in op}
    entity = str(uuid.uuid4())
    checked: set[str] = set()
    with TestClient(create_app()) as client:
        base = {"x-monite-version": version}

        def call(operation_id: str, ids: dict[str, str] | None = None, **kw: Any) -> Any:
            method, path = ops[operation_id]
            op = spec["paths"][path][method.lower()]
            r = client.request(method, "/v1" + path.format(**(ids or {})), headers=headers, **kw)
            assert r.status_code < 300, (operation_id, r.status_code, r.text)
            body = r.json()
            assert missing_held_fields(spec, body, success_schema(spec, op)) == [], operation_id
            checked.add(operation_id)
            return body

        headers = base
        token = call("createAccessToken", json={"grant_type": "client_credentials", "client_id": CLIENT_ID,
                                                "client_secret": CLIENT_SECRET})["access_token"]
        headers = {**base, "Authorization": f"Bearer {token}", "x-monite-entity-id": entity}
        pending = call("createAccountingConnection")  # pending_auth: business_info, last_pull null
        call("disconnectAccountingConnection", {"connection_id": pending["id"]})
        seeded = client.post(f"/_emulator/entities/{entity}/seed",
                             json={"records_per_type": 2, "tax_rates": 2, "ledger_accounts": 2})
        assert seeded.status_code == 200, seeded.text
        connection = call("listAccountingConnections")["data"][-1]
        call("getAccountingConnection", {"connection_id": connection["id"]})
        call("syncAccountingConnection", {"connection_id": connection["id"]})
        record = call("listSyncedRecords", params={"object_type": "bill", "limit": "1"})["data"][0]
        call("getSyncedRecord", {"synced_record_id": record["id"]})
        call("pushSyncedRecord", {"synced_record_id": record["id"]})
        rate = call("listTaxRates", params={"limit": "1"})["data"][0]
        call("getTaxRate", {"tax_rate_id": rate["id"]})
        account = call("listLedgerAccounts", params={"limit": "1"})["data"][0]
        call("getLedgerAccount", {"ledger_account_id": account["id"]})
        if "createLedgerAccount" in ops:  # not in 2023-09-01 and older (A30)
            created = call("createLedgerAccount", json={})  # every optional field omitted: null (A21)
            call("updateLedgerAccount", {"ledger_account_id": created["id"]}, json={"name": "Office"})
    assert checked == set(ops) - {"deleteLedgerAccount"}  # 204: no body
