"""The observed contract (issue 10 item 3): what each operation answered, per status, in summary.json.

The parts on their own: shapes, types, null, caps against a hostile target, merging, which
requests count. A real run's observed contract, and `compare` reading it: tests/commands/test_differential.py.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import requests
from schemathesis import Response

from conformance.report import observed
from conformance.report.observed import ObservedContract, Recorder

VERSION = "2024-05-25"


def _httpx(body: Any, status: int = 200, version: str | None = VERSION, raw: bytes | None = None,
           headers: dict[str, str] | None = None) -> httpx.Response:
    request_headers = {"x-monite-version": version} if version else {}
    request = httpx.Request("GET", "http://target/v1/ledger_accounts/1", headers=request_headers)
    content = raw if raw is not None else json.dumps(body).encode()
    return httpx.Response(status, content=content, request=request,
                          headers={"content-type": "application/json", "X-Request-Id": "r1", **(headers or {})})


def _recorded(*responses: Any, version: str = VERSION) -> dict[str, Any]:
    recorder = Recorder(version)
    for response in responses:
        recorder("getLedgerAccount", response.status_code, response)
    return recorder.contract.as_dict()


def test_paths_types_null_and_headers_of_a_response() -> None:
    body = {"id": "a", "name": "Cash", "currency": None, "balance": 12, "rate": 0.5, "is_external": False,
            "errors": {"a/b~c": "x"}, "data": [{"name": "x", "tags": ["t"]}, {"name": None}], "empty": []}
    seen = _recorded(_httpx(body))["getLedgerAccount"]["200"]
    assert seen["fields"] == {
        "/balance": {"types": ["integer"], "null_seen": False},
        "/currency": {"types": ["null"], "null_seen": True},
        "/data": {"types": ["array"], "null_seen": False},
        "/data/items": {"types": ["object"], "null_seen": False},
        "/data/items/name": {"types": ["string"], "null_seen": True},
        "/data/items/tags": {"types": ["array"], "null_seen": False},
        "/data/items/tags/items": {"types": ["string"], "null_seen": False},
        "/empty": {"types": ["array"], "null_seen": False},
        "/errors": {"types": ["object"], "null_seen": False},
        "/errors/a~1b~0c": {"types": ["string"], "null_seen": False},  # JSON pointer escaping
        "/id": {"types": ["string"], "null_seen": False},
        "/is_external": {"types": ["boolean"], "null_seen": False},
        "/name": {"types": ["string"], "null_seen": False},
        "/rate": {"types": ["number"], "null_seen": False},
    }
    assert seen["headers"] == ["content-length", "content-type", "x-request-id"]  # lower case, sorted
    assert seen["responses"] == 1 and "truncated" not in seen


def test_types_and_null_accumulate_over_responses() -> None:
    seen = _recorded(_httpx({"currency": None, "n": 1}), _httpx({"currency": "EUR", "n": 1.5}))
    fields = seen["getLedgerAccount"]["200"]["fields"]
    assert fields["/currency"] == {"types": ["string"], "null_seen": True}
    assert fields["/n"] == {"types": ["integer", "number"], "null_seen": False}
    assert seen["getLedgerAccount"]["200"]["responses"] == 2


def test_statuses_are_kept_apart_and_bodies_that_are_not_json_give_no_fields() -> None:
    text = httpx.Response(404, content=b"<html>gone</html>", headers={"content-type": "text/html"},
                          request=httpx.Request("GET", "http://target/v1/x", headers={"x-monite-version": VERSION}))
    seen = _recorded(_httpx({"id": "a"}), text, _httpx(None, raw=b"{not json"))
    assert seen["getLedgerAccount"]["404"] == {"fields": {}, "headers": ["content-length", "content-type"],
                                               "responses": 1}
    assert seen["getLedgerAccount"]["200"]["responses"] == 2 and list(seen["getLedgerAccount"]["200"]["fields"]) == ["/id"]


def test_only_requests_at_the_runs_version_or_without_one_count() -> None:
    seen = _recorded(_httpx({"a": 1}), _httpx({"b": 1}, version=None), _httpx({"c": 1}, version="2023-09-01"))
    assert sorted(seen["getLedgerAccount"]["200"]["fields"]) == ["/a", "/b"]


def test_a_schemathesis_response_is_read_like_an_httpx_one() -> None:
    request = requests.Request("GET", "http://target/v1/ledger_accounts/1",
                               headers={"x-monite-version": VERSION}).prepare()
    response = Response(200, {"Content-Type": ["application/json"], "X-Request-Id": ["r"]},
                        b'{"name": "Cash"}', request, 0.01, True)
    seen = _recorded(response)["getLedgerAccount"]["200"]
    assert seen["fields"] == {"/name": {"types": ["string"], "null_seen": False}}
    assert seen["headers"] == ["content-type", "x-request-id"]


# --- a hostile target cannot blow up summary.json ---------------------------------------------
def test_paths_per_status_are_capped() -> None:
    seen = _recorded(_httpx({f"field{n}": n for n in range(observed.MAX_FIELDS + 50)}))["getLedgerAccount"]["200"]
    assert len(seen["fields"]) == observed.MAX_FIELDS and seen["truncated"] is True


def test_depth_is_capped_and_deep_nesting_does_not_crash() -> None:
    deep: Any = "leaf"
    for _ in range(observed.MAX_DEPTH + 5):
        deep = {"a": deep}
    seen = _recorded(_httpx(deep))["getLedgerAccount"]["200"]
    assert max(path.count("/") for path in seen["fields"]) == observed.MAX_DEPTH and seen["truncated"] is True
    nested = b"[" * 100_000 + b"]" * 100_000  # deeper than Python's json parser goes
    assert _recorded(_httpx(None, raw=nested))["getLedgerAccount"]["200"]["fields"] == {}


def test_long_names_headers_statuses_and_bodies_are_capped() -> None:
    long_key = {"k" * (observed.MAX_NAME + 1): 1, "ok": 1}
    many_headers = {f"x-h{n}": "v" for n in range(observed.MAX_HEADERS + 10)}
    seen = _recorded(_httpx(long_key, headers=many_headers))["getLedgerAccount"]["200"]
    assert list(seen["fields"]) == ["/ok"] and len(seen["headers"]) == observed.MAX_HEADERS and seen["truncated"]
    big = _recorded(_httpx(None, raw=b'{"a": "' + b"x" * observed.MAX_BODY + b'"}'))
    assert big["getLedgerAccount"]["200"]["fields"] == {}
    statuses = _recorded(*[_httpx({}, status=status) for status in range(200, 200 + observed.MAX_STATUSES + 10)])
    assert len(statuses["getLedgerAccount"]) == observed.MAX_STATUSES


def test_merging_drained_parts_gives_the_whole() -> None:
    recorder, whole = Recorder(VERSION), ObservedContract()
    recorder("getLedgerAccount", 200, _httpx({"currency": None}))
    whole.merge(recorder.contract.drain())
    assert recorder.contract.drain() == {}  # drained: starts afresh
    recorder("getLedgerAccount", 200, _httpx({"currency": "EUR"}))
    recorder("listLedgerAccounts", 422, _httpx({"detail": []}, status=422))
    whole.merge(json.loads(json.dumps(recorder.contract.drain())))  # as it travels from a worker
    merged = whole.as_dict()
    assert merged["getLedgerAccount"]["200"]["fields"]["/currency"] == {"types": ["string"], "null_seen": True}
    assert merged["getLedgerAccount"]["200"]["responses"] == 2
    assert merged["listLedgerAccounts"]["422"]["fields"]["/detail"]["types"] == ["array"]
