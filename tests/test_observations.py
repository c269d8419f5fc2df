"""conformance.rules.kinds: which broken rule fails a test and which is only reported."""

from __future__ import annotations

import json

import pytest

from conformance.rules.kinds import (
    OBSERVATION_KEY, Expectations, MoniteObservation, assumption, documented, probe,
)

DOCUMENTED = documented("seed 003", "a page holds at most `limit` items")
ASSUMED = assumption("A8", "a tampered token gives 422")
PROBED = probe("limit-range-416", "docs: api/concepts/pagination-sorting-filtering", "416 outside 1..100")


class Node:
    def __init__(self) -> None:
        self.user_properties: list[tuple[str, object]] = []


def _judge(assumptions_bind: bool) -> tuple[Node, Expectations]:
    node = Node()
    return node, Expectations(node, assumptions_bind=assumptions_bind, context=lambda: "GET /v1/x -> 500")


@pytest.mark.parametrize("bind", [True, False])
def test_a_broken_documented_rule_fails_on_every_target(bind: bool) -> None:
    node, check = _judge(bind)
    with pytest.raises(AssertionError, match=r"seed 003: a page holds.*\n3 items\nGET /v1/x -> 500"):
        check.expect(False, DOCUMENTED, "3 items")
    assert node.user_properties == []


def test_a_broken_assumption_fails_where_assumptions_bind() -> None:
    node, check = _judge(assumptions_bind=True)
    with pytest.raises(AssertionError, match="assumption A8: a tampered token gives 422"):
        check.expect(False, ASSUMED, "answered 400")
    assert node.user_properties == []


def test_a_broken_assumption_is_an_observation_elsewhere() -> None:
    node, check = _judge(assumptions_bind=False)
    with pytest.warns(MoniteObservation, match="assumption A8"):
        assert check.expect(False, ASSUMED, "answered 400") is False
    [(key, value)] = node.user_properties
    entry = json.loads(str(value))
    assert key == OBSERVATION_KEY
    assert entry["rule"] == "A8" and entry["source"].startswith("docs/design.md")
    assert "answered 400" in entry["message"] and "GET /v1/x -> 500" in entry["message"]


@pytest.mark.parametrize("bind", [True, False])
def test_a_probe_is_reported_and_never_fails(bind: bool) -> None:
    node, check = _judge(bind)
    with pytest.warns(MoniteObservation):
        assert check.expect(False, PROBED, "limit=251 answered 422") is False
    assert json.loads(str(node.user_properties[0][1]))["rule"] == "limit-range-416"


def test_a_kept_rule_records_nothing() -> None:
    node, check = _judge(assumptions_bind=False)
    assert check.expect(True, ASSUMED, lambda: pytest.fail("the message is built only on failure"))
    assert node.user_properties == [] and check.observations == []


def test_secrets_never_reach_a_message() -> None:
    node, check = _judge(assumptions_bind=False)
    with pytest.warns(MoniteObservation):
        check.expect(False, ASSUMED, "sent Authorization: Bearer abc.def-secret-token")
    assert "abc.def-secret-token" not in str(node.user_properties)
