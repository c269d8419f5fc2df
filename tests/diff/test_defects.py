"""Issue 19's defects of `diff`, each a minimal pair of documents that failed before the fix.

1. security requirements not compared (tests/diff/test_security.py);
2. numbers equal by value but written differently reported as changes;
3. oneOf/anyOf branches compared by position;
4. nullability compared on query, path and header parameters, which cannot carry JSON null;
5. malformed 3.x documents accepted (exit 1 "changes" instead of exit 3 naming the place);
6. a removed request body `breaking` but a removed request property or parameter `may-break`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conformance.cli import main
from conformance.diff import diff_documents
from tests.diff.builders import (
    document,
    get_ledger,
    json_content,
    json_query,
    ok,
    post_ledger,
    query,
    with_schema_at,
)

S = {"type": "string"}
KINDS = ("request-parameter", "request-property", "response-property")


def fired(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(c.rule.id, c.rule.level, c.location) for c in diff_documents(old, new).changes]


# -- 2. numbers by value --------------------------------------------------------------------------
SAME_NUMBERS = {
    "2**63 as an integer vs as a float": ({"type": "integer", "maximum": 9223372036854776000},
                                          {"type": "integer", "maximum": 9.223372036854776e+18}),
    "-2**63 as an integer vs as a float": ({"type": "integer", "minimum": -9223372036854775808},
                                           {"type": "integer", "minimum": -9.223372036854776e+18}),
    "1 vs 1.0 as a bound": ({"type": "number", "minimum": 1}, {"type": "number", "minimum": 1.0}),
    "a default of 100 vs 100.0": ({"type": "integer", "default": 100}, {"type": "integer", "default": 100.0}),
    "enum values 1, 2 vs 1.0, 2.0": ({"type": "number", "enum": [1, 2]}, {"type": "number", "enum": [2.0, 1.0]}),
    "multipleOf 5 vs 5.0": ({"type": "number", "multipleOf": 5}, {"type": "number", "multipleOf": 5.0}),
    "a const object with 0 vs 0.0": ({"const": {"a": [0]}}, {"const": {"a": [0.0]}}),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", sorted(SAME_NUMBERS))
def test_numbers_equal_in_value_are_no_change(name: str, kind: str) -> None:
    old, new = SAME_NUMBERS[name]
    assert fired(with_schema_at(kind, old), with_schema_at(kind, new)) == []
    assert fired(with_schema_at(kind, new), with_schema_at(kind, old)) == []


def test_a_number_that_really_changed_is_still_reported() -> None:
    old = with_schema_at("request-parameter", {"type": "integer", "maximum": 9.223372036854776e+18})
    new = with_schema_at("request-parameter", {"type": "integer", "maximum": 9.2e+18})
    assert fired(old, new) == [("request-parameter-max-decreased", "breaking", "query parameter p")]
    small = with_schema_at("response-property", {"type": "number", "maximum": 1.5})
    assert fired(small, with_schema_at("response-property", {"type": "number", "maximum": 1})) == [
        ("response-property-max-decreased", "non-breaking", "response 200 /p")]
    assert fired(with_schema_at("request-property", {"enum": [1, 2.0]}),
                 with_schema_at("request-property", {"enum": [1.0, 3]})) == [
        ("request-property-enum-value-added", "non-breaking", "request body /p"),
        ("request-property-enum-value-removed", "breaking", "request body /p")]


# -- 3. union branches by content -----------------------------------------------------------------
CARD = {"type": "object", "required": ["number"], "properties": {"number": S, "kind": {"enum": ["card"]}}}
BANK = {"type": "object", "required": ["iban"], "properties": {"iban": S, "kind": {"enum": ["bank"]}}}


@pytest.mark.parametrize("keyword", ["oneOf", "anyOf"])
@pytest.mark.parametrize("kind", KINDS)
def test_swapped_union_branches_are_no_change(kind: str, keyword: str) -> None:
    old = with_schema_at(kind, {keyword: [CARD, BANK]})
    new = with_schema_at(kind, {keyword: [BANK, CARD]})
    assert fired(old, new) == []
    assert fired(new, old) == []


def test_swapped_referenced_branches_with_a_null_among_them_are_no_change() -> None:
    def doc(order: list[dict[str, Any]]) -> dict[str, Any]:
        return document({"/ledger_accounts": {"get": {"responses": ok({"type": "object", "properties": {
            "p": {"oneOf": order}}})}}}, {"Card": CARD, "Bank": BANK})
    card, bank, null = {"$ref": "#/components/schemas/Card"}, {"$ref": "#/components/schemas/Bank"}, {"type": "null"}
    assert fired(doc([card, null, bank]), doc([bank, card, null])) == []


def test_a_changed_branch_is_reported_inside_that_branch_after_a_reorder() -> None:
    narrower = {**CARD, "properties": {**CARD["properties"], "number": {"type": "string", "maxLength": 19}}}
    old = with_schema_at("request-property", {"oneOf": [CARD, BANK]})
    new = with_schema_at("request-property", {"oneOf": [BANK, narrower]})
    assert fired(old, new) == [("request-property-max-length-decreased", "breaking", "request body /p/oneOf/1/number")]


def test_a_branch_added_to_a_reordered_union_is_one_change_at_its_place() -> None:
    old = with_schema_at("response-property", {"oneOf": [CARD, BANK]})
    new = with_schema_at("response-property", {"oneOf": [BANK, {"type": "string"}, CARD]})
    assert fired(old, new) == [("response-property-one-of-added", "may-break", "response 200 /p/oneOf/1")]


# -- 4. nullability only where null can travel ----------------------------------------------------
def _param(where: str, schema: dict[str, Any]) -> dict[str, Any]:
    if where == "path":
        return document({"/ledger_accounts/{id}": {"get": {"parameters": [
            {"name": "id", "in": "path", "required": True, "schema": schema}], "responses": ok()}}})
    return get_ledger([{"name": "x-p" if where == "header" else "p", "in": where, "schema": schema}])


@pytest.mark.parametrize("where", ["query", "path", "header", "cookie"])
@pytest.mark.parametrize("spelling", ["type list", "nullable", "anyOf null", "enum null"])
def test_a_styled_parameter_that_stops_or_starts_accepting_null_is_no_change(where: str, spelling: str) -> None:
    nullable = {"type list": {"type": ["string", "null"]}, "nullable": {"type": "string", "nullable": True},
                "anyOf null": {"anyOf": [S, {"type": "null"}]},
                "enum null": {"type": "string", "enum": ["a", None]}}[spelling]
    plain = {"type": "string", "enum": ["a"]} if spelling == "enum null" else S
    assert fired(_param(where, nullable), _param(where, plain)) == []
    assert fired(_param(where, plain), _param(where, nullable)) == []


def test_a_json_parameter_that_stops_accepting_null_is_still_breaking() -> None:
    old = get_ledger([json_query("filter", {"type": ["object", "null"]})])
    new = get_ledger([json_query("filter", {"type": "object"})])
    assert fired(old, new) == [("request-parameter-became-not-nullable", "breaking", "query parameter filter")]


def test_nullability_inside_a_styled_array_parameter_is_no_change_either() -> None:
    old = get_ledger([query("ids", {"type": "array", "items": {"type": ["string", "null"]}})])
    new = get_ledger([query("ids", {"type": "array", "items": S})])
    assert fired(old, new) == []


# -- 5. malformed documents: exit 3 and a line naming the place -----------------------------------
def _malformed() -> dict[str, tuple[dict[str, Any], str]]:
    good = get_ledger(responses=ok({"type": "object", "properties": {"p": S}}))
    list_item = document({"/ledger_accounts": [{"get": {"responses": ok()}}]})
    string_schema = get_ledger(responses=ok({"type": "object", "properties": {"p": "string"}}))
    string_body_schema = post_ledger({"content": {"application/json": {"schema": "Account"}}})
    list_responses = get_ledger(responses=[{"200": {"description": "ok"}}])  # type: ignore[arg-type]
    param_not_object = get_ledger(["limit"])  # type: ignore[list-item]
    bad_type = get_ledger(responses=ok({"type": {"name": "string"}}))
    union_not_list = get_ledger(responses=ok({"oneOf": {"a": S}}))
    ref_not_string = get_ledger(responses=ok({"$ref": 42}))
    unknown_scheme = {**good, "security": [{"bearer": []}]}
    return {
        "path item written as a list": (list_item, "at paths./ledger_accounts: a path item must be an object, not a list"),
        "schema written as a string": (
            string_schema, "at paths./ledger_accounts.get.responses.200.content.application/json.schema"
                           ".properties.p: a schema must be an object, not a string"),
        "request body schema written as a string": (
            string_body_schema, "at paths./ledger_accounts.post.requestBody.content.application/json.schema: "
                                "a schema must be an object, not a string"),
        "responses written as a list": (list_responses, "at paths./ledger_accounts.get.responses: responses must be "
                                                        "an object, not a list"),
        "parameter written as a string": (param_not_object, "at paths./ledger_accounts.get.parameters[0]: a parameter "
                                                            "must be an object, not a string"),
        "type written as an object": (bad_type, "schema.type: type must be a string or a list of strings"),
        "oneOf written as an object": (union_not_list, "schema.oneOf: oneOf must be a list, not an object"),
        "$ref written as a number": (ref_not_string, "schema.$ref: a $ref must be a string, not a number"),
        "security naming an undeclared scheme": (unknown_scheme, "at security[0].bearer: names the security scheme "
                                                                 "'bearer', which components.securitySchemes does not"),
    }


@pytest.mark.parametrize("case", sorted(_malformed()))
@pytest.mark.parametrize("side", ["OLD", "NEW"])
def test_a_malformed_document_is_exit_3_with_one_line_naming_the_place(
        case: str, side: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken, place = _malformed()[case]
    good = get_ledger(responses=ok({"type": "object", "properties": {"p": S}}))
    (tmp_path / "good.json").write_text(json.dumps(good), encoding="utf-8")
    (tmp_path / "broken.json").write_text(json.dumps(broken), encoding="utf-8")
    args = [str(tmp_path / "good.json"), str(tmp_path / "broken.json")]
    with pytest.raises(SystemExit) as stop:
        main(["diff", *(args if side == "NEW" else args[::-1]), "--fail-on", "any"])
    err = capsys.readouterr().err.strip()
    assert stop.value.code == 3, err
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert "broken.json is not a well-formed OpenAPI document" in err and place in err, err


def test_a_well_formed_document_with_boolean_schemas_is_accepted(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    doc = get_ledger(responses=ok({"type": "object", "properties": {"p": True, "q": {"items": False}},
                                   "additionalProperties": False}))
    (tmp_path / "a.json").write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(SystemExit) as stop:
        main(["diff", str(tmp_path / "a.json"), str(tmp_path / "a.json")])
    assert stop.value.code == 0, capsys.readouterr().err


# -- 6. one principle for what clients send that the contract no longer has ------------------------
def test_removing_what_a_client_sends_has_one_level_whatever_it_is() -> None:
    """Clients still send it; the server may ignore it (they keep working) or refuse it: may-break."""
    body = {"required": True, "content": json_content({"type": "object", "properties": {"name": S}})}
    no_property = {"required": True, "content": json_content({"type": "object", "properties": {}})}
    removals = {
        "request body": fired(post_ledger(body), post_ledger(None)),
        "request property": fired(post_ledger(body), post_ledger(no_property)),
        "request parameter": fired(get_ledger([query("q", S)]), get_ledger()),
    }
    assert removals == {
        "request body": [("request-body-removed", "may-break", "request body")],
        "request property": [("request-property-removed", "may-break", "request body /name")],
        "request parameter": [("request-parameter-removed", "may-break", "query parameter q")],
    }


def test_a_request_union_folded_into_one_schema_is_judged_branch_by_branch() -> None:
    """`oneOf: [card, bank]` became one object accepting both: every branch a client sends is still
    accepted, so nothing breaks (before: the union's keywords against the object's, 5 breaking)."""
    both = {"type": "object", "required": ["kind"], "properties": {
        "kind": {"enum": ["card", "bank"]}, "number": S, "iban": S}}
    card = {**CARD, "required": ["kind"]}
    bank = {**BANK, "required": ["kind"]}
    old = with_schema_at("request-property", {"oneOf": [card, bank]})
    new = with_schema_at("request-property", both)
    assert fired(old, new) == [
        ("new-optional-request-property", "non-breaking", "request body /p/oneOf/0/iban"),
        ("request-property-enum-value-added", "non-breaking", "request body /p/oneOf/0/kind"),
        ("request-property-enum-value-added", "non-breaking", "request body /p/oneOf/1/kind"),
        ("new-optional-request-property", "non-breaking", "request body /p/oneOf/1/number"),
    ]
    # the other way, a client's one shape is matched with its most similar branch: values only the
    # other branch took are reported as refused (conservative: the union as a whole is not solved)
    assert ("request-property-enum-value-removed", "breaking", "request body /p/oneOf/0/kind") in fired(new, old)


def test_a_response_schema_that_became_a_union_is_judged_branch_by_branch() -> None:
    old = with_schema_at("response-property", CARD)
    new = with_schema_at("response-property", {"oneOf": [CARD, BANK]})
    changes = fired(old, new)
    assert changes and all(where.startswith("response 200 /p/oneOf/1") for _rule, _level, where in changes), changes


def test_a_union_beside_keywords_of_its_own_that_goes_is_one_change_not_property_noise() -> None:
    """`properties` plus `oneOf` of `required` lists (one of a or b) became the properties alone."""
    props = {"a": S, "b": S}
    old = with_schema_at("request-property", {"type": "object", "properties": props,
                                              "oneOf": [{"required": ["a"]}, {"required": ["b"]}]})
    new = with_schema_at("request-property", {"type": "object", "properties": props})
    assert fired(old, new) == [("request-property-schema-changed", "may-break", "request body /p")]
