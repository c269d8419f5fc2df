"""Judge one finished exchange: secrets first, then the request checks, then the response checks.

Runs after the answer has gone back to the service, so the checks cost the service no
latency on that exchange; it runs to completion without yielding to the event loop, so a
page's tokens are remembered before the service can send the next page's request.
"""

from __future__ import annotations

from conformance.openapi.contract import Contract
from conformance.proxy.credentials import register_credentials
from conformance.proxy.paging import PageLimits
from conformance.proxy.recorder import Recorder
from conformance.proxy.request_checks import OPERATION_CHECKS, check_limit_resent, check_route, in_api, walk_limit
from conformance.proxy.response_checks import RESPONSE_CHECKS
from conformance.findings import Finding
from conformance.proxy.traffic import NO_JSON, SeenRequest, SeenResponse, parse_json

PAGE_TOKENS = ("next_pagination_token", "prev_pagination_token")


class Inspector:
    """`assumptions_bind`: the upstream is our emulator, so it must honour the project's own
    choices (A<n>); on any other upstream an assumption deviation is an observation."""

    def __init__(self, contract: Contract, recorder: Recorder, *, assumptions_bind: bool) -> None:
        self.contract = contract
        self.recorder = recorder
        self.assumptions_bind = assumptions_bind
        self.limits = PageLimits()

    def inspect(self, request: SeenRequest, response: SeenResponse | None) -> list[Finding]:
        """Check and record one exchange (`response` None: the upstream gave no answer)."""
        body = parse_json(response.body) if response is not None and _is_json(response) else NO_JSON
        register_credentials(request, body)
        if not in_api(request.path):
            self.recorder.outside_api(request)
            return []
        op = self.contract.match(request.method, request.path)
        if op is None:
            found = check_route(self.contract, request)
            self.recorder.record(None, request, response, found, [])
            return found
        found = [item for check in OPERATION_CHECKS for item in check(op, request)]
        found += check_limit_resent(op, request, self.limits)
        if response is not None:
            found += [item for check in RESPONSE_CHECKS for item in check(self.contract, op, request, response, body)]
            if response.status == 200 and isinstance(body, dict):
                self.limits.remember((body.get(name) for name in PAGE_TOKENS), walk_limit(request, self.limits))
        binding = [item.rule.fails(self.assumptions_bind) for item in found]
        violations = [item for item, binds in zip(found, binding) if binds]
        observations = [item for item, binds in zip(found, binding) if not binds]
        self.recorder.record(op.operation_id, request, response, violations, observations)
        return violations


def _is_json(response: SeenResponse) -> bool:
    kind = (response.header("content-type") or "").split(";", 1)[0].strip().lower()
    return kind == "application/json" or kind.endswith("+json") or (not kind and bool(response.body))
