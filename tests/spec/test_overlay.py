"""The Overlay 1.0 applier (conformance/openapi/overlay.py): each modifier on a minimal document,
and a clear error for every kind of malformed overlay."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from conformance.openapi.overlay import OverlayError, apply_overlay, load_overlay


def overlay(*actions: dict[str, Any]) -> dict[str, Any]:
    return {"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": list(actions)}


DOC: dict[str, Any] = {
    "info": {"title": "API", "version": "1", "contact": {"name": "a", "url": "u"}},
    "tags": [{"name": "one"}, {"name": "two"}, {"name": "three"}],
    "schema": {"required": ["id", "name"], "properties": {"id": {"type": "string"}, "name": {"type": "string"}}},
}


def test_update_merges_objects_recursively_and_replaces_primitives_and_arrays() -> None:
    result = apply_overlay(DOC, overlay(
        {"target": "$.info", "update": {"version": "2", "contact": {"url": "v"}, "x-new": [1]}},
        {"target": "$.schema", "update": {"required": ["id"]}},
    ))
    assert result["info"] == {"title": "API", "version": "2", "contact": {"name": "a", "url": "v"}, "x-new": [1]}
    assert result["schema"]["required"] == ["id"]  # 1.0: a property of the update replaces the node's


def test_update_on_an_array_appends_the_value() -> None:
    result = apply_overlay(DOC, overlay({"target": "$.tags", "update": {"name": "four"}}))
    assert [tag["name"] for tag in result["tags"]] == ["one", "two", "three", "four"]


def test_update_applies_to_every_selected_node() -> None:
    result = apply_overlay(DOC, overlay({"target": "$.tags[?@.name != 'two']", "update": {"x": 1}}))
    assert result["tags"] == [{"name": "one", "x": 1}, {"name": "two"}, {"name": "three", "x": 1}]


def test_remove_takes_object_members_and_array_items() -> None:
    result = apply_overlay(DOC, overlay(
        {"target": "$.schema.properties['id','name']", "remove": True},
        {"target": "$.tags[?@.name == 'one' || @.name == 'three']", "remove": True},
    ))
    assert result["schema"]["properties"] == {}
    assert result["tags"] == [{"name": "two"}]


def test_actions_apply_in_order_and_the_input_is_left_alone() -> None:
    before = copy.deepcopy(DOC)
    result = apply_overlay(DOC, overlay(
        {"target": "$.schema.required", "remove": True},
        {"target": "$.schema", "update": {"required": ["name"]}},
    ))
    assert result["schema"]["required"] == ["name"]
    assert DOC == before


def test_remove_ignores_update_as_overlay_1_0_says() -> None:
    result = apply_overlay(DOC, overlay({"target": "$.info.contact", "remove": True, "update": {"name": "b"}}))
    assert "contact" not in result["info"]


def test_a_target_that_selects_nothing_is_a_no_op_unless_strict() -> None:
    action = {"target": "$.paths['/nowhere']", "remove": True}
    assert apply_overlay(DOC, overlay(action)) == DOC
    with pytest.raises(OverlayError, match=r"actions\[0\] \(\$\.paths\['/nowhere'\]\): the target selects nothing"):
        apply_overlay(DOC, overlay(action), strict=True)


@pytest.mark.parametrize(("action", "message"), [
    ({"target": "$.info.title", "update": {"x": 1}}, r"selects a str at \$\['info'\]\['title'\]; Overlay 1\.0 targets select objects or arrays only"),
    ({"target": "$.schema.required[0]", "remove": True}, "selects a str"),
    ({"target": "$", "remove": True}, "the document root cannot be removed"),
    ({"target": "$.info", "update": "text"}, "the target is an object, so `update` must be an object"),
])
def test_actions_overlay_1_0_does_not_allow_are_refused(action: dict[str, Any], message: str) -> None:
    with pytest.raises(OverlayError, match=message):
        apply_overlay(DOC, overlay(action))


@pytest.mark.parametrize(("document", "message"), [
    ({"info": {"title": "t", "version": "1"}, "actions": [{"target": "$", "update": {}}]},
     r"^overlay: \(document\): 'overlay' is a required property$"),
    ({**overlay({"target": "$", "update": {}}), "overlay": "1.1.0"}, r"^overlay: overlay: '1\.1\.0' does not match"),
    ({**overlay({"target": "$", "update": {}}), "info": {"title": "t"}}, "info: 'version' is a required property"),
    (overlay(), r"actions: \[\] should be non-empty"),
    (overlay({"update": {}}), r"actions\[0\]: 'target' is a required property"),
    (overlay({"target": "paths", "remove": True}), r"actions\[0\]\.target: 'paths' does not match '\^\\\\\$'"),
    (overlay({"target": "$.a", "remove": "yes"}), r"actions\[0\]\.remove: 'yes' is not of type 'boolean'"),
    (overlay({"target": "$.a"}), r"actions\[0\]: an action needs `update` or `remove: true`"),
    (overlay({"target": "$.a", "remove": False}), r"actions\[0\]: an action needs `update` or `remove: true`"),
    (overlay({"target": "$.a", "replace": {}}), r"actions\[0\]: unknown field 'replace'; Overlay 1\.0 allows target, description, update, remove and x- extensions here"),
    (overlay({"target": "$.paths[", "remove": True}), r"actions\[0\]\.target '\$\.paths\[' is not RFC 9535 JSONPath"),
    ([1, 2], r"\(document\): \[1, 2\] is not of type 'object'"),
])
def test_a_malformed_overlay_gets_one_clear_error(document: Any, message: str) -> None:
    with pytest.raises(OverlayError, match=message):
        apply_overlay(DOC, document)


def test_a_file_that_is_not_yaml_or_is_missing_names_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "2023-09-01.overlay.yaml"
    broken.write_text("overlay: [1.0.0\n", encoding="utf-8")
    with pytest.raises(OverlayError, match=r"2023-09-01\.overlay\.yaml: not YAML/JSON"):
        load_overlay(broken)
    with pytest.raises(OverlayError, match=r"missing\.overlay\.yaml: cannot read the overlay"):
        load_overlay(tmp_path / "missing.overlay.yaml")
    broken.write_text("overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions: [{target: $.a}]\n", encoding="utf-8")
    with pytest.raises(OverlayError, match=r"2023-09-01\.overlay\.yaml: actions\[0\]: an action needs"):
        load_overlay(broken)
