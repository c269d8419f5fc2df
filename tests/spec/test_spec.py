"""Checks of spec/monite-accounting.yaml.

* it is a valid OpenAPI 3.1 document (openapi-spec-validator);
* everything the seed documents name (operations, path/header/query parameters with their
  types, bounds and enums, response fields, status codes, JSON examples) is in the spec. The
  seeds are parsed here with regexes, so the test fails if the spec loses one of them;
* every operation carries `x-source`, every `x-assumption` names an id of docs/design.md;
* schemathesis loads the spec and generates, for every operation, requests that are valid
  against the spec's own schemas.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

REPO = Path(__file__).parents[2]
SPEC_PATH = REPO / "spec" / "monite-accounting.yaml"
DESIGN_PATH = REPO / "docs" / "design.md"
SEEDS_DIR = Path(os.environ.get("MONITE_SEEDS_DIR", REPO.parent / "shared" / "seeds"))

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
SPEC_URI = "urn:monite-accounting-spec"

EXPECTED_OPERATION_IDS = {
    "listAccountingConnections", "createAccountingConnection", "getAccountingConnection",
    "disconnectAccountingConnection", "syncAccountingConnection", "listSyncedRecords",
    "getSyncedRecord", "pushSyncedRecord", "listTaxRates", "getTaxRate", "listLedgerAccounts",
    "createLedgerAccount", "getLedgerAccount", "updateLedgerAccount", "deleteLedgerAccount",
    "createAccessToken",
}


# --------------------------------------------------------------------------------------------
# helpers: the spec
# --------------------------------------------------------------------------------------------


@cache
def spec() -> dict[str, Any]:
    with SPEC_PATH.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def resolve(node: Any) -> Any:
    """Follow local `$ref`s (the spec only uses `#/...` references)."""
    while isinstance(node, dict) and "$ref" in node:
        node = pointer(node["$ref"])
    return node


def pointer(ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = spec()
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec()["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                yield path, method, item[method]


def operation(method: str, path: str) -> dict[str, Any]:
    item = spec()["paths"].get(path)
    assert item is not None, f"path {path} is missing from the spec"
    assert method.lower() in item, f"{method.upper()} {path} is missing from the spec"
    return item[method.lower()]


def parameters(op: dict[str, Any], path: str | None = None) -> dict[tuple[str, str], dict[str, Any]]:
    params = list(op.get("parameters", []))
    if path is not None:
        params += spec()["paths"][path].get("parameters", [])
    out = {}
    for p in params:
        p = resolve(p)
        out[(p["in"], p["name"].lower())] = p
    return out


def response_schema_pointer(op: dict[str, Any], status: str) -> str:
    """JSON pointer (within the spec) of the JSON schema of one response of an operation."""
    resp = op["responses"][status]
    ptr = resp["$ref"][1:] if "$ref" in resp else None
    assert ptr is not None, "responses are expected to be shared components"
    return f"{ptr}/content/application~1json/schema"


def success_status(op: dict[str, Any]) -> str:
    return next(s for s in op["responses"] if s.startswith("2"))


@cache
def registry() -> Registry:
    return Registry().with_resource(SPEC_URI, DRAFT202012.create_resource(spec()))


def validator(ptr: str, formats: bool = True) -> Draft202012Validator:
    checker = Draft202012Validator.FORMAT_CHECKER if formats else None
    return Draft202012Validator({"$ref": f"{SPEC_URI}#{ptr}"}, registry=registry(), format_checker=checker)


def walk(node: Any, trail: str = "") -> Iterator[tuple[str, str, Any]]:
    """Yield (trail, key, value) for every mapping entry of the document."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield trail, key, value
            yield from walk(value, f"{trail}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from walk(value, f"{trail}/{i}")


# --------------------------------------------------------------------------------------------
# helpers: the seeds
# --------------------------------------------------------------------------------------------


def seed_files() -> list[Path]:
    if not SEEDS_DIR.is_dir():
        message = f"seed documents not found at {SEEDS_DIR} (set MONITE_SEEDS_DIR)"
        if os.environ.get("CI"):
            pytest.fail(message + ": CI must check the spec against the seeds")
        pytest.skip(message)
    files = sorted(SEEDS_DIR.glob("*.txt"))
    assert files, f"no seed documents in {SEEDS_DIR}"
    return files


def seed_text(prefix: str) -> str:
    for f in seed_files():
        if f.name.startswith(prefix):
            return f.read_text(encoding="utf-8")
    pytest.fail(f"seed {prefix} not found in {SEEDS_DIR}")


def template(path: str) -> str:
    """`/a/:x/b` or `/a/{x}/b` → `/a/{}/b`, to compare paths whatever the placeholder's name."""
    path = path.split("?")[0].rstrip("'\"`.,;:)")
    path = re.sub(r"\{[^}]*\}|:[A-Za-z_]+", "{}", path)
    return path


def spec_path_for(seed_path: str) -> str:
    wanted = template(seed_path)
    matches = [p for p in spec()["paths"] if template(p) == wanted]
    assert matches, f"no spec path matches {seed_path!r} (as {wanted!r})"
    return matches[0]


REFERENCE_SEEDS = ("000", "001", "003", "004")  # one endpoint-reference page each


def reference_operation(text: str) -> tuple[str, str]:
    """The (METHOD, spec path) an endpoint-reference seed documents."""
    m = re.search(r"^(GET|POST|PATCH|PUT|DELETE)\n/v1(/\S+)$", text, re.M)
    if m is None:  # the other docs layout (seed 003): curl --request GET --url .../v1/path
        m = re.search(r"--request (GET|POST|PATCH|PUT|DELETE)\b.*?--url https://\S+?/v1(/\S+)", text, re.S)
    assert m is not None, "cannot find the documented operation"
    return m.group(1), spec_path_for(m.group(2))


def section(text: str, start: str, end_markers: tuple[str, ...]) -> str:
    m = re.search(rf"^{re.escape(start)}\s*$", text, re.M)
    if m is None:
        return ""
    rest = text[m.end():]
    ends = [mm.start() for e in end_markers if (mm := re.search(rf"^{re.escape(e)}\s*$", rest, re.M))]
    return rest[: min(ends)] if ends else rest


SECTIONS = ("Path parameters", "Headers", "Query Parameters", "Response", "Errors", "Authentication",
            "Authorizations", "Path Parameters", "Body")


def numbered_json_blocks(text: str) -> list[tuple[int, Any]]:
    """JSON examples written with line numbers (`1{`, `2 "id": ...`, ...); (offset, value)."""
    blocks = []
    for m in re.finditer(r"^1\{$", text, re.M):
        lines, n = [], 1
        for line in text[m.start():].splitlines():
            lm = re.match(rf"^{n}(.*)$", line)
            if lm is None:
                break
            lines.append(lm.group(1))
            n += 1
        blocks.append((m.start(), json.loads("\n".join(lines))))
    return blocks


# --------------------------------------------------------------------------------------------
# the spec is a valid OpenAPI 3.1 document
# --------------------------------------------------------------------------------------------


def test_spec_is_valid_openapi_31() -> None:
    from openapi_spec_validator import validate

    assert spec()["openapi"].startswith("3.1")
    validate(spec())


def test_operations_servers_and_security() -> None:
    ids = {op["operationId"] for _, _, op in operations()}
    assert ids == EXPECTED_OPERATION_IDS
    assert len(list(operations())) == 16
    servers = [s["url"] for s in spec()["servers"]]
    assert "https://api.sandbox.monite.com/v1" in servers
    local = next(s for s in spec()["servers"] if "{host}" in s["url"])
    assert local["url"].endswith("/v1")
    assert local["variables"]["host"]["default"] == "127.0.0.1"
    assert local["variables"]["port"]["default"] == "8765"
    for path, method, op in operations():
        assert not path.startswith("/v1"), f"{path}: /v1 belongs to the server URL"
        is_token = path == "/auth/token"
        security = op.get("security", spec()["security"])
        assert (security == []) is is_token, f"{method.upper()} {path}: bearer security"
        params = parameters(op, path)
        version = params[("header", "x-monite-version")]
        assert version["required"] and version["schema"] == {"type": "string", "format": "date"}
        entity = params.get(("header", "x-monite-entity-id"))
        if is_token:
            assert entity is None or not entity.get("required")
        else:
            assert entity is not None and entity["required"]
            assert entity["schema"] == {"type": "string", "format": "uuid"}
        for (loc, name), p in params.items():
            if loc == "path":
                # the published document types path ids uuid (the seeds: a plain string, D4)
                assert p["required"] and p["schema"] == {"type": "string", "format": "uuid"}, name
        tags = {t["name"] for t in spec()["tags"]}
        assert op.get("tags") and set(op["tags"]) <= tags


def test_every_operation_declares_common_statuses_and_headers() -> None:
    common = {"400", "401", "405", "422", "429", "500"}
    for path, method, op in operations():
        declared = set(op["responses"])
        missing = common - declared
        if path != "/auth/token":
            missing |= {"403", "404"} - declared
        assert not missing, f"{method.upper()} {path} lacks {sorted(missing)}"
        for status, resp in op["responses"].items():
            headers = {k.lower(): resolve(v) for k, v in resolve(resp).get("headers", {}).items()}
            for name in ("x-request-id", "x-process-time", "ratelimit-limit", "ratelimit-remaining",
                         "ratelimit-reset", "x-ratelimit-limit-second", "x-ratelimit-remaining-second"):
                assert headers.get(name, {}).get("required") is True, f"{method} {path} {status}: {name}"
            assert headers["x-monite-version"].get("required") is not True
            if status == "429":
                assert headers["retry-after"]["required"] is True
            if status == "405":
                assert headers["allow"]["required"] is True
    expected = {
        ("post", "/accounting_connections"): {"201", "409"},
        ("post", "/accounting_connections/{connection_id}/sync"): {"202", "409"},
        ("post", "/accounting_synced_records/{synced_record_id}/push"): {"200", "409"},
        ("post", "/ledger_accounts"): {"201", "413"},
        ("patch", "/ledger_accounts/{ledger_account_id}"): {"200", "413"},
        ("delete", "/ledger_accounts/{ledger_account_id}"): {"204", "409"},
    }
    for (method, path), statuses in expected.items():
        assert statuses <= set(operation(method, path)["responses"]), (method, path)
    assert "content" not in resolve(operation("delete", "/ledger_accounts/{ledger_account_id}")["responses"]["204"])


def test_every_success_response_has_a_valid_example() -> None:
    for path, method, op in operations():
        status = success_status(op)
        resp = resolve(op["responses"][status])
        if status == "204":
            continue
        example = resp["content"]["application/json"].get("example")
        assert example is not None, f"{method.upper()} {path} {status}: no example"
        errors = list(validator(response_schema_pointer(op, status)).iter_errors(example))
        assert not errors, f"{method.upper()} {path} {status}: {errors[0].message}"


def test_limit_follows_the_endpoint_reference_and_records_the_disagreement() -> None:
    limit = resolve({"$ref": "#/components/parameters/Limit"})
    assert limit["schema"] == {"type": "integer", "minimum": 1, "maximum": 250, "default": 250}
    assert "Default is 100" in limit["description"] and "416" in limit["description"]


def test_links_chain_created_and_listed_resources() -> None:
    def links(method: str, path: str, status: str) -> dict[str, tuple[str, dict]]:
        resp = resolve(operation(method, path)["responses"][status])
        return {v["operationId"]: v["parameters"] for v in resp.get("links", {}).values()}

    ids = {op["operationId"] for _, _, op in operations()}
    for _, _, op in operations():
        for status, resp in op["responses"].items():
            for link in resolve(resp).get("links", {}).values():
                assert link["operationId"] in ids
    created = links("post", "/accounting_connections", "201")
    for target in ("getAccountingConnection", "syncAccountingConnection", "disconnectAccountingConnection"):
        assert created[target] == {"connection_id": "$response.body#/id"}
    created = links("post", "/ledger_accounts", "201")
    for target in ("getLedgerAccount", "updateLedgerAccount", "deleteLedgerAccount"):
        assert created[target] == {"ledger_account_id": "$response.body#/id"}
    listed = links("get", "/accounting_synced_records", "200")
    assert listed["getSyncedRecord"] == {"synced_record_id": "$response.body#/data/0/id"}
    assert listed["pushSyncedRecord"] == {"synced_record_id": "$response.body#/data/0/id"}
    got = links("get", "/accounting_synced_records/{synced_record_id}", "200")
    assert got["pushSyncedRecord"] == {"synced_record_id": "$response.body#/id"}
    assert links("get", "/accounting_tax_rates", "200")["getTaxRate"] == {"tax_rate_id": "$response.body#/data/0/id"}


# --------------------------------------------------------------------------------------------
# provenance: x-source and x-assumption
# --------------------------------------------------------------------------------------------


def test_every_operation_has_x_source() -> None:
    for path, method, op in operations():
        source = op.get("x-source")
        assert isinstance(source, str) and re.search(r"\bseeds? \d{3}|docs: \S", source), (
            f"{method.upper()} {path}: x-source must name a seed or a docs page"
        )


def test_x_source_seed_citations_name_existing_files() -> None:
    names = {f.name for f in seed_files()}
    cited = 0
    for _, key, value in walk(spec()):
        if key == "x-source":
            for number, ref in re.findall(r"seed (\d{3}) \(\.\./shared/seeds/([^)\s]+)\)", value):
                assert ref in names and ref.startswith(number), value
                cited += 1
    assert cited


@cache
def design_assumption_ids() -> set[str]:
    text = DESIGN_PATH.read_text(encoding="utf-8")
    table = text.split("## Assumptions", 1)[1]
    return set(re.findall(r"^\|\s*(A\d+)\s*\|", table, re.M))


def test_every_x_assumption_names_a_design_id() -> None:
    ids = design_assumption_ids()
    assert ids, "no assumption table in docs/design.md"
    used = set()
    for trail, key, value in walk(spec()):
        if key == "x-assumption":
            assert isinstance(value, str), trail
            m = re.match(r"^(A\d+): \S", value)
            assert m, f"{trail}: x-assumption must read 'A<n>: <reason>', got {value!r}"
            assert m.group(1) in ids, f"{trail}: {m.group(1)} is not in docs/design.md"
            used.add(m.group(1))
    assert used


# --------------------------------------------------------------------------------------------
# everything the seeds name is in the spec
# --------------------------------------------------------------------------------------------

SEED_TYPES = {  # reference-page type words → what the spec's schema must say
    "string": {"type": "string"},
    "datetime": {"type": "string", "format": "date-time"},
    "boolean": {"type": "boolean"},
    "integer": {"type": "integer"},
    "object": {"type": "object"},
    "list of objects": {"type": "array"},
    "enum": {"enum": None},
}


def schema_types(schema: dict[str, Any]) -> set[str]:
    """The JSON types a (resolved) schema allows, following anyOf/oneOf."""
    schema = resolve(schema)
    out: set[str] = set()
    t = schema.get("type")
    if isinstance(t, str):
        out.add(t)
    elif isinstance(t, list):
        out.update(t)
    for key in ("anyOf", "oneOf"):
        for sub in schema.get(key, []):
            out |= schema_types(sub)
    return out


def test_seed_menu_operations_are_in_the_spec() -> None:
    """The docs' side menu (seeds 000, 001, 004) lists operations as `GETGet accounting connections`."""
    summaries = {(m.upper(), op.get("summary", "").lower()) for _, m, op in operations()}
    found = 0
    for f in seed_files():
        for method, title in re.findall(r"^\s*•\s*(GET|POST|PATCH|PUT|DEL)([A-Z].*?)\s*$", f.read_text(), re.M):
            method = "DELETE" if method == "DEL" else method
            assert (method, title.lower()) in summaries, f"{f.name}: menu entry {method} {title!r} not in spec"
            found += 1
    assert found >= 10


def test_seed_reference_operations_are_in_the_spec() -> None:
    for prefix in REFERENCE_SEEDS:
        method, path = reference_operation(seed_text(prefix))
        operation(method, path)


def test_seed_002_operations_and_statuses_are_in_the_spec() -> None:
    """Seed 002 (a guide) names operations as `call METHOD /path`, in curl commands, and as
    `a GET request to the /path endpoint`, followed by the status it answers (`202 Accepted`)."""
    text = seed_text("002")
    patterns = [
        r"\bcall(?:ing)? (?P<m>GET|POST|PATCH|PUT|DELETE) (?P<p>/[\w/{}?=&-]+)",
        r"\b(?P<m>GET|POST|PATCH|PUT|DELETE) (?P<p>/[\w/{}]+)\?",
        r"\b(?P<m>GET|POST|PATCH|PUT|DELETE) request to the (?P<p>/[\w/{}]+) endpoint",
        r"curl (?:-X (?P<m>GET|POST|PATCH|PUT|DELETE) )?'https://\S+?/v1(?P<p>/[^'?]+)",
    ]
    events = []
    for pat in patterns:
        for m in re.finditer(pat, text):
            events.append((m.start(), "op", (m.group("m") or "GET", m.group("p"))))
    for m in re.finditer(r"\b([1-5]\d\d) (?:OK|Accepted|Created|No Content)\b", text):
        events.append((m.start(), "status", m.group(1)))
    seen_ops, statuses = set(), 0
    last = None
    for _, kind, value in sorted(events):
        if kind == "op":
            method, seed_path = value
            last = (method, spec_path_for(seed_path))
            operation(*last)
            seen_ops.add(last)
        else:
            assert last is not None
            assert value in operation(*last)["responses"], f"{last}: {value} documented by seed 002"
            statuses += 1
    assert len(seen_ops) >= 6 and statuses >= 3


def test_seed_error_status_codes_are_in_the_spec() -> None:
    for prefix in ("000", "001", "004"):
        text = seed_text(prefix)
        method, path = reference_operation(text)
        codes = re.findall(r"^([1-5]\d\d)$", section(text, "Errors", SECTIONS), re.M)
        assert codes, f"seed {prefix}: no Errors section"
        for code in codes:
            assert code in operation(method, path)["responses"], f"seed {prefix}: {method} {path} {code}"


def test_seed_path_and_header_parameters_are_in_the_spec() -> None:
    for prefix in REFERENCE_SEEDS:
        text = seed_text(prefix)
        method, path = reference_operation(text)
        params = parameters(operation(method, path), path)
        documented = []
        # layout of seeds 000/001/004: `connection_idstringRequired`
        for loc, title in (("path", "Path parameters"), ("header", "Headers")):
            for name, typ, req in re.findall(r"^([a-z][a-z0-9_-]*?)(string|integer|boolean)(Required)?$",
                                             section(text, title, SECTIONS), re.M):
                documented.append((loc, name, typ, None, bool(req)))
        # layout of seed 003: name / `string<uuid>` / `required` on separate lines
        for name, typ, fmt, req in re.findall(r"^([a-z][a-z0-9_-]*)\n(string|integer|boolean)(?:<([\w-]+)>)?\n(required)?",
                                              section(text, "Headers", SECTIONS), re.M):
            documented.append(("header", name, typ, fmt or None, bool(req)))
        assert any(d[0] == "header" for d in documented), f"seed {prefix}: no headers parsed"
        for loc, name, typ, fmt, req in documented:
            p = params.get((loc, name.lower()))
            assert p is not None, f"seed {prefix}: {loc} parameter {name} missing from {method} {path}"
            assert p["schema"].get("type") == typ, f"seed {prefix}: {name} type"
            if fmt:
                assert p["schema"].get("format") == fmt, f"seed {prefix}: {name} format"
            assert bool(p.get("required")) == req, f"seed {prefix}: {name} required"


def parse_query_parameters(text: str) -> list[dict[str, Any]]:
    """Seed 003's `Query Parameters` block: name, type line, then optional attribute lines."""
    block = section(text, "Query Parameters", SECTIONS)
    type_re = r"(enum<string>|integer|boolean|string(?:<[\w-]+>)?(?:\[\])?)"
    lines = block.splitlines()
    params: list[dict[str, Any]] = []
    i = 0
    while i < len(lines):
        if re.fullmatch(r"[a-z][a-z0-9_]*", lines[i]) and i + 1 < len(lines) and re.fullmatch(type_re, lines[i + 1]):
            params.append({"name": lines[i], "type": lines[i + 1], "attrs": []})
            i += 2
            continue
        if params:
            params[-1]["attrs"].append(lines[i].strip())
        i += 1
    for p in params:
        attrs = p["attrs"]
        p["required"] = "required" in attrs
        p["default"] = next((a.split(":", 1)[1] for a in attrs if a.startswith("default:")), None)
        p["options"] = None
        if "Available options:" in attrs:
            opts = []
            for a in attrs[attrs.index("Available options:") + 1:]:
                if not re.fullmatch(r"[a-z_]+,?", a):
                    break
                opts.append(a.rstrip(","))
            p["options"] = opts
        rng = next((re.search(r"(\d+) <= x <= (\d+)", a) for a in attrs if "Required range" in a), None)
        p["range"] = (int(rng.group(1)), int(rng.group(2))) if rng else None
        mn = next((re.search(r"Minimum array length: (\d+)", a) for a in attrs if "Minimum array length" in a), None)
        p["min_items"] = int(mn.group(1)) if mn else None
    return params


def test_seed_003_query_parameters_are_in_the_spec() -> None:
    text = seed_text("003")
    method, path = reference_operation(text)
    params = parameters(operation(method, path), path)
    documented = parse_query_parameters(text)
    assert len(documented) >= 15, [p["name"] for p in documented]
    for doc in documented:
        name = doc["name"]
        p = params.get(("query", name))
        assert p is not None, f"query parameter {name} missing from {method} {path}"
        schema = resolve(p["schema"])
        assert bool(p.get("required")) == doc["required"], f"{name}: required"
        m = re.fullmatch(r"(enum<string>|integer|boolean|string)(?:<([\w-]+)>)?(\[\])?", doc["type"])
        base, fmt, is_array = m.group(1), m.group(2), bool(m.group(3))
        if is_array:
            assert schema["type"] == "array", name
            assert p.get("style", "form") == "form" and p.get("explode", True) is True, name
            item = resolve(schema["items"])
        else:
            item = schema
        assert item["type"] == ("string" if base == "enum<string>" else base), name
        if fmt:
            assert item.get("format") == fmt, f"{name}: format"
        if doc["options"] is not None:
            assert item.get("enum") == doc["options"], f"{name}: enum"
        if doc["default"] is not None:
            default = int(doc["default"]) if base == "integer" else doc["default"]
            assert schema.get("default") == default, f"{name}: default"
        if doc["range"] is not None:
            assert (schema.get("minimum"), schema.get("maximum")) == doc["range"], f"{name}: range"
        if doc["min_items"] is not None:
            assert schema.get("minItems") == doc["min_items"], f"{name}: minItems"


def test_seed_response_fields_are_in_the_spec() -> None:
    for prefix in ("000", "001", "004"):
        text = seed_text(prefix)
        method, path = reference_operation(text)
        op = operation(method, path)
        schema = resolve({"$ref": "#" + response_schema_pointer(op, success_status(op))})
        props = schema["properties"]
        words = "|".join(sorted(map(re.escape, SEED_TYPES), key=len, reverse=True))
        fields = re.findall(rf"^([a-z][a-z_]*?)({words})(?:format: \"([\w-]+)\"|Defaults to (\w+))?$",
                            section(text, "Response", SECTIONS), re.M)
        assert len(fields) >= 8, f"seed {prefix}: response fields not parsed"
        for name, word, fmt, default in fields:
            assert name in props, f"seed {prefix}: response field {name} missing"
            prop = resolve(props[name])
            want = SEED_TYPES[word]
            if "type" in want:
                assert want["type"] in schema_types(prop), f"seed {prefix}: {name} type"
            if "format" in want:
                assert prop.get("format") == want["format"], f"seed {prefix}: {name} format"
            if word == "enum" and name != "currency":  # currency: ISO 4217 code (pattern)
                assert prop.get("enum"), f"seed {prefix}: {name} enum"
            if fmt:
                assert prop.get("format") == fmt, f"seed {prefix}: {name} format"
            if default:
                assert prop.get("default") == json.loads(default), f"seed {prefix}: {name} default"
        # `Possible values: A, B, C.` in the field descriptions
        possible = re.findall(r"^(\w+)string\n\nThe .*?Possible values: ([A-Z][\w, ]+)\.", text, re.M)
        assert len(possible) >= (2 if prefix == "004" else 0)
        for field, values in possible:
            assert props[field]["enum"] == [v.strip() for v in values.split(",")], field


def seed_examples() -> Iterator[tuple[str, str, str, Any]]:
    """(seed, METHOD, spec path, example body) for every JSON response example of the seeds."""
    for prefix in ("000", "001", "004"):
        text = seed_text(prefix)
        method, path = reference_operation(text)
        for _, value in numbered_json_blocks(text):
            yield prefix, method, path, value
    text = seed_text("003")
    method, path = reference_operation(text)
    m = re.search(r"^\{\n.*?^\}$", text, re.M | re.S)
    assert m is not None
    yield "003", method, path, json.loads(m.group(0))
    text = seed_text("002")  # a guide: the example belongs to the last operation it called
    calls = [(m.start(), m.group(1), m.group(2)) for m in re.finditer(r"\bcall(?:ing)? (GET|POST|PATCH|DELETE) (/[\w/{}]+)", text)]
    for offset, value in numbered_json_blocks(text):
        _, method, seed_path = max(c for c in calls if c[0] < offset)
        yield "002", method, spec_path_for(seed_path), value


def undeclared_fields(value: Any, schema: dict[str, Any], trail: str = "") -> Iterator[str]:
    """Keys of the example objects that the schema does not declare (it allows extra keys)."""
    schema = resolve(schema)
    branches = [resolve(b) for key in ("anyOf", "oneOf") for b in schema.get(key, [])] or [schema]
    for branch in branches:
        if isinstance(value, dict) and "properties" in branch:
            for key, item in value.items():
                if key not in branch["properties"]:
                    if branch.get("additionalProperties") is not True:
                        yield f"{trail}/{key}"
                else:
                    yield from undeclared_fields(item, branch["properties"][key], f"{trail}/{key}")
        elif isinstance(value, list) and "items" in branch:
            for i, item in enumerate(value):
                yield from undeclared_fields(item, branch["items"], f"{trail}/{i}")


def test_seed_json_examples_match_the_response_schemas() -> None:
    count = 0
    for prefix, method, path, example in seed_examples():
        op = operation(method, path)
        # The reference pages use placeholders ("id": "id"), so formats are not checked here.
        errors = list(validator(response_schema_pointer(op, success_status(op)), formats=False).iter_errors(example))
        assert not errors, f"seed {prefix} example for {method} {path}: {errors[0].message} at {list(errors[0].path)}"
        schema = {"$ref": "#" + response_schema_pointer(op, success_status(op))}
        undeclared = list(undeclared_fields(example, schema))
        assert not undeclared, f"seed {prefix} example for {method} {path}: fields not in the spec: {undeclared}"
        count += 1
    assert count >= 7


# --------------------------------------------------------------------------------------------
# schemathesis loads the spec and generates valid requests for every operation
# --------------------------------------------------------------------------------------------


@cache
def st_schema():
    import schemathesis

    return schemathesis.openapi.from_path(str(SPEC_PATH))


def st_operations() -> list[Any]:
    return [result.ok() for result in st_schema().get_all_operations()]


def test_schemathesis_loads_every_operation() -> None:
    results = list(st_schema().get_all_operations())
    errors = [r.err() for r in results if not hasattr(r, "ok") or type(r).__name__ == "Err"]
    assert not errors, errors
    assert {op.definition.raw["operationId"] for op in st_operations()} == EXPECTED_OPERATION_IDS


@pytest.mark.parametrize("operation_id", sorted(EXPECTED_OPERATION_IDS))
def test_schemathesis_generates_valid_cases(operation_id: str) -> None:
    st_op = next(op for op in st_operations() if op.definition.raw["operationId"] == operation_id)
    path, method = st_op.path, st_op.method.lower()
    op = operation(method, path)
    params = parameters(op, path)
    body = op.get("requestBody")
    body_ptr = None
    if body is not None:
        body_ptr = f"/paths/{path.replace('~', '~0').replace('/', '~1')}/{method}/requestBody/content/application~1json/schema"

    def check_params(location: str, values: dict[str, Any] | None) -> None:
        for (loc, name), p in params.items():
            if loc == location and p.get("required"):
                assert values and any(k.lower() == name for k in values), f"{operation_id}: {loc} {name} missing"
        for name, value in (values or {}).items():
            p = params.get((location, name.lower()))
            if p is None:
                continue  # e.g. the Authorization header schemathesis adds
            schema = resolve(p["schema"])
            if location == "query" and schema.get("type") == "array" and not isinstance(value, list):
                value = [value]
            if location in ("header", "path") or (location == "query" and schema.get("type") == "string"):
                assert isinstance(value, str), f"{operation_id}: {name}={value!r}"
            if location == "query" and schema.get("type") == "integer" and isinstance(value, str):
                value = int(value)
            errors = list(Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER).iter_errors(value))
            assert not errors, f"{operation_id}: {location} {name}={value!r}: {errors[0].message}"

    @given(case=st_op.as_strategy())
    @settings(max_examples=15, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case: Any) -> None:
        check_params("path", case.path_parameters)
        check_params("header", case.headers)
        check_params("query", case.query)
        if body is not None and body.get("required"):
            assert case.body is not None and not _is_not_set(case.body), f"{operation_id}: body missing"
        if body_ptr is not None and not _is_not_set(case.body) and case.body is not None:
            errors = list(validator(body_ptr).iter_errors(case.body))
            assert not errors, f"{operation_id}: body {case.body!r}: {errors[0].message}"

    check()


def _is_not_set(value: Any) -> bool:
    return type(value).__name__ == "NotSet"
