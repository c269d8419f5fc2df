"""Send a follow-up request from inside a check, the way schemathesis' own probes do.

The follow-up keeps the case's headers (pinned version and entity, bearer token) and the run's
transport (in-process app or base URL); it is paced on 429 and, sent with `Case.call`, reaches
the schema's `after_call` hook like any case (so the evidence observer sees it).
"""

from __future__ import annotations

from typing import Any

from schemathesis import Case, CheckContext, Response

from conformance.http.pacing import send_paced


def send_follow_up(ctx: CheckContext, case: Case, query: dict[str, Any]) -> Response:
    """Send `case` again with `query` in place of its query string; return the (paced) response."""
    follow = case.derive(query=query, keep_auth=True)
    kwargs = dict(ctx.internals.transport_kwargs or {})
    kwargs.pop("params", None)
    if case.operation.app is not None:
        kwargs.setdefault("app", case.operation.app)
    ctx.internals.record_case(parent_id=case.id, case=follow)
    response = send_paced(lambda: follow.call(**kwargs))
    ctx.internals.record_response(case_id=follow.id, response=response)
    return response
