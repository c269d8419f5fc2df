"""What every HAR 1.2 file the suite writes must hold (`run --record` and `proxy --record` alike)."""

from __future__ import annotations


def assert_har_1_2(log: dict) -> None:
    """`log` (the file's "log" object) has HAR 1.2's required fields on every entry."""
    assert log["version"] == "1.2" and log["creator"]["name"] == "monite-conformance"
    for entry in log["entries"]:
        assert {"startedDateTime", "time", "request", "response", "cache", "timings"} <= set(entry)
        assert {"method", "url", "httpVersion", "cookies", "headers", "queryString", "headersSize",
                "bodySize"} <= set(entry["request"])
        assert {"status", "statusText", "httpVersion", "cookies", "headers", "content", "redirectURL",
                "headersSize", "bodySize"} <= set(entry["response"])
        assert {"size", "mimeType"} <= set(entry["response"]["content"])
        assert {"send", "wait", "receive"} <= set(entry["timings"])
