"""conformance.expectations.kinds: which broken rule fails a test and which is only reported.

An observation is a Finding in the test's evidence (`conformance.evidence.observer`), which the
plugin attaches to the test's report and writes into junit XML."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conformance.evidence import observer
from conformance.findings import TestEvidence
from conformance.expectations.kinds import Expectations, MoniteObservation, assumption, documented, probe

DOCUMENTED = documented("seed 003", "a page holds at most `limit` items")
ASSUMED = assumption("A8", "a tampered token gives 422")
PROBED = probe("limit-range-416", "docs: api/concepts/pagination-sorting-filtering", "416 outside 1..100")


class Node:
    """What the test's evidence held when the test ended."""

    def __init__(self) -> None:
        self.evidence = TestEvidence()

    @property
    def observations(self) -> list[dict[str, object]]:
        self.evidence.observations += observer.drain().observations
        return self.evidence.observations


@pytest.fixture(autouse=True)
def _a_running_test() -> Iterator[None]:
    observer.begin("tests/evidence/test_observations.py::judged")
    yield
    observer.begin(None)


def _judge(assumptions_bind: bool) -> tuple[Node, Expectations]:
    node = Node()
    return node, Expectations(node, assumptions_bind=assumptions_bind, context=lambda: "GET /v1/x -> 500")


@pytest.mark.parametrize("bind", [True, False])
def test_a_broken_documented_rule_fails_on_every_target(bind: bool) -> None:
    node, check = _judge(bind)
    with pytest.raises(AssertionError, match=r"seed 003: a page holds.*\n3 items\nGET /v1/x -> 500"):
        check.expect(False, DOCUMENTED, "3 items")
    assert node.observations == []


def test_a_broken_assumption_fails_where_assumptions_bind() -> None:
    node, check = _judge(assumptions_bind=True)
    with pytest.raises(AssertionError, match="assumption A8: a tampered token gives 422"):
        check.expect(False, ASSUMED, "answered 400")
    assert node.observations == []


def test_a_broken_assumption_is_an_observation_elsewhere() -> None:
    node, check = _judge(assumptions_bind=False)
    with pytest.warns(MoniteObservation, match="assumption A8"):
        assert check.expect(False, ASSUMED, "answered 400") is False
    [entry] = node.observations
    assert entry["rule"] == "A8" and entry["kind"] == "assumption" and str(entry["source"]).startswith("docs/design.md")
    assert "answered 400" in str(entry["message"]) and "GET /v1/x -> 500" in str(entry["message"])
    assert entry["request"] == "GET /v1/x -> 500" and entry["choice"] == "500"


@pytest.mark.parametrize("bind", [True, False])
def test_a_probe_is_reported_and_never_fails(bind: bool) -> None:
    node, check = _judge(bind)
    with pytest.warns(MoniteObservation):
        assert check.expect(False, PROBED, "limit=251 answered 422") is False
    assert node.observations[0]["rule"] == "limit-range-416" and node.observations[0]["kind"] == "probe"


def test_a_kept_rule_records_nothing() -> None:
    node, check = _judge(assumptions_bind=False)
    assert check.expect(True, ASSUMED, lambda: pytest.fail("the message is built only on failure"))
    assert node.observations == [] and check.observations == []


def test_secrets_never_reach_a_message() -> None:
    node, check = _judge(assumptions_bind=False)
    with pytest.warns(MoniteObservation):
        check.expect(False, ASSUMED, "sent Authorization: Bearer abc.def-secret-token")
    assert "abc.def-secret-token" not in str(node.observations)
    assert "abc.def-secret-token" not in str(check.observations)
