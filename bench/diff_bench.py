"""How long `monite-conformance diff` takes on two documents of 300 paths (budget: 2 s).

Generates two OpenAPI 3.1 documents (fixed seed) of 300 paths: 150 resources, each a list path
(GET with query parameters through `$ref` and a paginated body of a nested component schema;
POST with a request body) and an item path (GET, PATCH); 600 operations. Components reference each other three levels
deep and one of them is recursive. NEW differs from OLD by a few dozen changes of every kind
(operations removed and added, parameters, bounds, enums, properties, nullable) plus noise
(3.0 `nullable` against `anyOf` null, enum `type` dropped, descriptions, a `maximum` written as a
float, `oneOf` branches reordered, the security scheme renamed). Prints a Markdown table
for bench/diff_results.md.

    .venv/bin/python bench/diff_bench.py              # in-process diff (median of 5) + the CLI once
    .venv/bin/python bench/diff_bench.py --repeat 9 --paths 300
"""

from __future__ import annotations

import copy
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

REPO = Path(__file__).resolve().parents[1]
SCRATCH = REPO / "bench" / ".tmp"
BUDGET_SECONDS = 2.0
sys.path.insert(0, str(REPO))

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


def ref(name: str, section: str = "schemas") -> dict[str, str]:
    return {"$ref": f"#/components/{section}/{name}"}


def generate(paths: int, seed: int) -> dict[str, Any]:
    """OLD: `paths` paths over 3-level nested component schemas, one recursive."""
    rng = random.Random(seed)
    schemas: dict[str, Any] = {
        "Node": {"type": "object", "properties": {"name": {"type": "string"},
                                                  "children": {"type": "array", "items": ref("Node")}}},
        "Money": {"type": "object", "required": ["amount", "currency"], "properties": {
            "amount": {"type": "integer", "minimum": 0},
            "currency": {"type": "string", "enum": ["EUR", "GBP", "USD", "CHF", "SEK"]}}},
    }
    parameters = {
        "Limit": {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100,
                                                             "default": 100}},
        "Order": {"name": "order", "in": "query", "schema": {"type": "string", "enum": ["asc", "desc"]}},
        "Version": {"name": "x-monite-version", "in": "header", "required": True,
                    "schema": {"type": "string", "format": "date"}},
    }
    paths_obj: dict[str, Any] = {}
    for i in range(paths // 2):  # two paths per resource: the list (GET, POST) and one item (GET, PATCH)
        detail = f"Detail{i}"
        schemas[detail] = {"type": "object", "properties": {
            "code": {"type": "string", "maxLength": 40}, "total": ref("Money"),
            "status": {"type": "string", "enum": ["draft", "open", "paid"]},
            "tree": ref("Node")}}
        schemas[f"Item{i}"] = {
            "type": "object", "required": ["id", "name"], "additionalProperties": False,
            "properties": {
                "id": {"type": "string", "format": "uuid"},
                "name": {"type": "string", "maxLength": 500},
                "note": {"type": "string", "nullable": True},
                "count": {"type": "integer", "minimum": 0, "maximum": rng.choice([100, 250, 1000])},
                "kind": {"type": "string", "enum": ["a", "b", "c"]},
                "detail": ref(detail),
                "tags": {"type": "array", "maxItems": 10, "items": {"type": "string"}},
                "created_at": {"type": "string", "format": "date-time"},
            }}
        schemas[f"Write{i}"] = {"type": "object", "required": ["name"], "properties": {
            "name": {"type": "string", "maxLength": 500}, "kind": {"type": "string", "enum": ["a", "b"]},
            "detail": ref(detail),
            "payment": {"oneOf": [  # union branches, matched by content
                {"type": "object", "required": ["number"], "properties": {"number": {"type": "string",
                                                                                     "maxLength": 19}}},
                {"type": "object", "required": ["iban"], "properties": {"iban": {"type": "string"}}},
                {"type": "string", "enum": ["cash"]}]}}}
        list_body = {"type": "object", "required": ["data"], "properties": {
            "data": {"type": "array", "items": ref(f"Item{i}")},
            "next_pagination_token": {"type": "string", "nullable": True}}}
        one = {"200": {"description": "ok", "content": {"application/json": {"schema": ref(f"Item{i}")}}},
               "404": {"description": "missing"}}
        write = {"required": True, "content": {"application/json": {"schema": ref(f"Write{i}")}}}
        paths_obj[f"/resource_{i}"] = {
            "get": {
                "operationId": f"list{i}", "description": f"List resource {i}",
                "parameters": [ref("Limit", "parameters"), ref("Order", "parameters"), ref("Version", "parameters"),
                               {"name": "name", "in": "query", "schema": {"type": "string", "maxLength": 100}}],
                "responses": {
                    "200": {"description": "ok", "content": {"application/json": {"schema": list_body}}},
                    "422": {"description": "invalid"}}},
            "post": {"operationId": f"create{i}", "requestBody": write, "responses": {
                "201": {"description": "created", "content": {"application/json": {"schema": ref(f"Item{i}")}}}}},
        }
        paths_obj[f"/resource_{i}/{{resource_id}}"] = {
            "parameters": [{"name": "resource_id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "get": {"operationId": f"get{i}", "responses": one},
            "patch": {"operationId": f"update{i}", "requestBody": write, "responses": one},
        }
    return {"openapi": "3.1.0", "info": {"title": "bench", "version": "1"}, "paths": paths_obj,
            "security": [{"bearer": []}],
            "components": {"schemas": schemas, "parameters": parameters,
                           "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}}}


def mutate(old: dict[str, Any], seed: int) -> dict[str, Any]:
    """NEW: OLD with a few dozen changes of every kind, and noise everywhere."""
    rng = random.Random(seed)
    new = copy.deepcopy(old)
    schemas, paths = new["components"]["schemas"], new["paths"]
    new["components"]["parameters"]["Limit"]["schema"].update(maximum=250, default=250)
    for name, schema in schemas.items():  # noise: other spellings of the same contract
        if name.startswith("Item"):
            schema.pop("additionalProperties")
            schema["properties"]["note"] = {"anyOf": [{"type": "string"}, {"type": "null"}], "description": "n"}
            schema["properties"]["kind"] = {"enum": ["a", "b", "c"]}
            count = schema["properties"]["count"]
            count["maximum"] = float(count["maximum"])  # 250 written as 250.0
        if name.startswith("Write"):
            schema["properties"]["payment"]["oneOf"].reverse()  # branches reordered
    new["components"]["securitySchemes"] = {"HTTPBearer": {"type": "http", "scheme": "Bearer"}}  # renamed
    new["security"] = [{"HTTPBearer": []}]
    items = [name for name in schemas if name.startswith("Item")]
    for name in rng.sample(items, 10):
        schemas[name]["required"] = ["id"]  # name became optional: breaking
    for name in rng.sample(items, 10):
        schemas[name]["properties"]["kind"]["enum"].append("d")  # response enum value: may-break
    for name in rng.sample(items, 10):
        schemas[name]["properties"]["is_external"] = {"type": "boolean"}
    for name in rng.sample(items, 5):
        schemas[name]["properties"]["note"] = {"type": "string"}  # no longer nullable
    details = [name for name in schemas if name.startswith("Detail")]
    for name in rng.sample(details, 10):
        schemas[name]["properties"]["status"]["enum"].remove("draft")
    lists = [path for path in paths if path.count("/") == 1]
    for path in rng.sample(lists, 10):
        paths[path]["get"]["parameters"].append({"name": "extra", "in": "query", "required": True,
                                                 "schema": {"type": "string"}})
    for path in rng.sample(lists, 5):
        del paths[path]["post"]
    for name in rng.sample([n for n in schemas if n.startswith("Write")], 5):
        schemas[name]["properties"]["name"]["maxLength"] = 100  # request bound lowered: breaking
    for name in rng.sample([n for n in schemas if n.startswith("Write")], 5):
        card = schemas[name]["properties"]["payment"]["oneOf"][2]  # reversed: the card is last
        card["properties"]["number"]["maxLength"] = 16  # a changed branch: breaking inside it
    for path in rng.sample(lists, 3):
        paths[path]["get"]["security"] = []  # anonymous access: non-breaking
    for i in range(5):
        paths[f"/added_{i}"] = {"get": {"responses": {"200": {"description": "ok"}}}}
    return new


def measure_in_process(old: dict[str, Any], new: dict[str, Any], repeat: int) -> tuple[list[float], dict[str, int]]:
    from conformance.diff import diff_documents

    walls, counts = [], {}
    for _ in range(repeat):
        started = time.perf_counter()
        result = diff_documents(old, new, paths=None)
        walls.append(time.perf_counter() - started)
        counts = result.counts()
    return walls, counts


def measure_cli(old_file: Path, new_file: Path) -> tuple[float, int]:
    """One fresh `monite-conformance diff` process: start, read both files, diff, write the json."""
    command = [sys.executable, "-m", "conformance.cli", "diff", str(old_file), str(new_file), "--all-paths",
               "--format", "json", "--output", str(SCRATCH / "diff.json")]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    return time.perf_counter() - started, done.returncode


@app.command()
def main(
    paths: Annotated[int, typer.Option(help="paths per document")] = 300,
    repeat: Annotated[int, typer.Option(min=1, help="in-process repetitions (the median is shown)")] = 5,
    seed: Annotated[int, typer.Option(help="generator seed")] = 20240525,
) -> None:
    SCRATCH.mkdir(parents=True, exist_ok=True)
    old = generate(paths, seed)
    new = mutate(old, seed + 1)
    operations = sum(1 for item in old["paths"].values() for key in item if key != "parameters")
    old_file, new_file = SCRATCH / "diff-old.json", SCRATCH / "diff-new.json"
    old_file.write_text(json.dumps(old), encoding="utf-8")
    new_file.write_text(json.dumps(new), encoding="utf-8")
    old_yaml, new_yaml = SCRATCH / "diff-old.yaml", SCRATCH / "diff-new.yaml"
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    old_yaml.write_text(yaml.dump(old, Dumper=dumper), encoding="utf-8")
    new_yaml.write_text(yaml.dump(new, Dumper=dumper), encoding="utf-8")
    walls, counts = measure_in_process(old, new, repeat)
    cli_wall, cli_exit = measure_cli(old_file, new_file)
    yaml_wall, yaml_exit = measure_cli(old_yaml, new_yaml)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    median = statistics.median(walls)
    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores, "
          f"load average {load:.2f}; {paths} paths, {operations} operations in OLD, "
          f"{old_file.stat().st_size // 1024} KiB JSON each\n")
    print("| measurement | seconds | budget | changes (breaking / may-break / non-breaking) |")
    print("|---|---:|---|---|")
    print(f"| diff_documents in process, median of {repeat} (min–max {min(walls):.3f}–{max(walls):.3f}) | "
          f"{median:.3f} | {'within' if median < BUDGET_SECONDS else 'OVER'} {BUDGET_SECONDS:.0f} s | "
          f"{counts['breaking']} / {counts['may-break']} / {counts['non-breaking']} |")
    print(f"| `monite-conformance diff` CLI, fresh process (start, parse, diff, write json), exit {cli_exit} | "
          f"{cli_wall:.3f} | {'within' if cli_wall < BUDGET_SECONDS else 'OVER'} {BUDGET_SECONDS:.0f} s | same |")
    print(f"| the same CLI on YAML files ({old_yaml.stat().st_size // 1024} KiB each, libyaml "
          f"{'yes' if getattr(yaml, '__with_libyaml__', False) else 'no'}), exit {yaml_exit} | "
          f"{yaml_wall:.3f} | {'within' if yaml_wall < BUDGET_SECONDS else 'OVER'} {BUDGET_SECONDS:.0f} s | same |")


if __name__ == "__main__":
    app()
