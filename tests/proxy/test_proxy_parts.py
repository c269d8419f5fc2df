"""The proxy's parts on their own: the compiled contract, page-limit memory, body decoding, bounds."""

from __future__ import annotations

import gzip
import zlib

from conformance.openapi.contract import spec_contract
from conformance.proxy.paging import DEFAULT_LIMIT, PageLimits
from conformance.proxy.recorder import Recorder
from conformance.proxy.catalogue import violation, INVALID_BODY
from conformance.proxy.traffic import SeenRequest, decoded
from conformance.openapi.catalog import spec_catalog


def test_every_operation_of_the_spec_is_compiled() -> None:
    contract = spec_contract()
    assert sorted(contract.operations) == sorted(op.operation_id for op in spec_catalog().operations)
    for op in contract.operations.values():
        assert set(op.responses) == set(op.operation.statuses)
        assert op.source, op.operation_id
    assert not contract.operations["createAccessToken"].secured
    assert all(op.secured for name, op in contract.operations.items() if name != "createAccessToken")
    assert "x-monite-entity-id" not in contract.operations["createAccessToken"].headers


def test_a_response_assumption_is_read_from_the_spec() -> None:
    contract = spec_contract()
    assert contract.operations["deleteLedgerAccount"].responses["204"].assumption == "A10"
    assert contract.operations["createLedgerAccount"].responses["201"].assumption == "A27"
    assert contract.operations["syncAccountingConnection"].responses["202"].assumption is None


def test_page_limits_keep_non_default_limits_only_and_stay_bounded() -> None:
    limits = PageLimits(capacity=2)
    limits.remember(["a", None, ""], 5)
    limits.remember(["d"], DEFAULT_LIMIT)
    limits.remember(["e"], None)
    assert (limits.walk_limit("a"), limits.walk_limit("d"), limits.walk_limit("e")) == (5, None, None)
    limits.remember(["b"], 7)
    limits.remember(["c"], 9)
    assert (limits.walk_limit("a"), limits.walk_limit("b"), limits.walk_limit("c")) == (None, 7, 9)
    assert limits.walk_limit(None) is None


def test_bodies_are_decoded_for_the_checks_only_when_they_can_be() -> None:
    body = b'{"data": []}'
    assert decoded(gzip.compress(body), "gzip") == body
    assert decoded(zlib.compress(body), "deflate") == body
    assert decoded(body, None) == body and decoded(body, "identity") == body
    assert decoded(b"\x00garbage", "gzip") is None
    assert decoded(body, "br") is None


def test_the_recorder_keeps_the_first_violations_and_counts_the_rest() -> None:
    recorder = Recorder(max_recorded=2)
    request = SeenRequest("POST", "/v1/ledger_accounts", [], {}, b"{}", "http://upstream/v1/ledger_accounts")
    found = violation(INVALID_BODY, "createLedgerAccount", "a JSON body", "not JSON")
    for _ in range(3):
        recorder.record("createLedgerAccount", request, None, [found], [])
    traffic = recorder.snapshot()
    assert len(traffic.violations) == 2 and traffic.not_recorded == 1
    assert traffic.counts["request"] == 3 and traffic.by_rule == {"request.invalid-body": 3}
