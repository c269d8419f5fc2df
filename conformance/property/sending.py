"""Send a generated case the way the suite must: identity pinned, paced on 429, observed.

Schemathesis generates every header the spec declares, so left alone it would send a random
date as `x-monite-version` (400, A1) and a random entity. A generated value that is *valid*
is therefore replaced by the configured one (the target's API version and entity); an invalid
or missing one is kept, so negative cases and `missing_required_header` still test them.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any, NamedTuple
from urllib.parse import parse_qs, urlsplit

from schemathesis import BaseSchema, Case, HookContext, Response

from conformance.evidence import observer
from conformance.http.auth import TokenProvider
from conformance.http.pacing import send_paced
from conformance.property.compat import IGNORED_AUTH, in_process_session
from conformance.property.schema import TOKEN_PLACEHOLDER, requires_bearer
from conformance.safety import guard
from conformance.redaction import register_secret
from conformance.expectations.formats import is_api_version, is_uuid
from conformance.expectations.kinds import observation
from conformance.openapi.contract import documented_contract, strict_contract
from conformance.verdict.assumptions import NO_JSON, Answer, excuse
from conformance.target.targets import Target

TOKEN_PATH = "/auth/token"


def pin_identity(case: Case, target: Target) -> None:
    """Replace valid generated version and entity headers with the configured ones."""
    pinned: tuple[tuple[str, str, Callable[[str], bool]], ...] = (
        ("x-monite-version", target.api_version, is_api_version),
        ("x-monite-entity-id", target.entity_id, is_uuid),
    )
    for name, value, is_valid in pinned:
        current = case.headers.get(name)
        if isinstance(current, str) and is_valid(current):
            case.headers[name] = value


def drop_generated_pagination_token(case: Case) -> None:
    """A positive case cannot carry a valid pagination token: only the server issues them.

    Any string is schema-valid, but a made-up token is rightly refused (422, A8), which would
    read as a rejected valid request. Real tokens are followed by `monite_next_page_continues`.
    """
    meta = case.meta
    if meta is not None and meta.generation.mode.is_positive and isinstance(case.query, dict):
        case.query.pop("pagination_token", None)


def _remember_issued_token(response: Response) -> None:
    """Register a token the property tests obtained from /auth/token, so no output shows it."""
    if response.status_code != 200 or not str(response.request.url or "").split("?")[0].endswith(TOKEN_PATH):
        return
    try:
        body = json.loads(response.content or b"{}")
    except ValueError:
        return
    if isinstance(body, dict) and isinstance(body.get("access_token"), str):
        register_secret(body["access_token"])


class Sent(NamedTuple):
    """What one sent case was, for the run's statistics."""

    phase: str
    operation_id: str
    mode: str  # positive / negative
    status_code: int
    via_link: bool  # a stateful step whose parameters came from an earlier response


class CaseSender:
    """Prepares, sends, re-authenticates and records the cases of one property run."""

    def __init__(self, target: Target, tokens: TokenProvider) -> None:
        self.target = target
        self.tokens = tokens
        self.sent: Counter[Sent] = Counter()
        self.waits_on_429 = 0  # how often the target said 429 and we waited Retry-After
        self._lock = threading.Lock()
        self._auth_confirmed: set[str] = set()  # operations whose auth enforcement ignored_auth confirmed
        self._session: Any = None  # for an in-process app: calls it in this thread

    def prepare(self, case: Case) -> None:
        pin_identity(case, self.target)
        drop_generated_pagination_token(case)
        if case.headers and case.headers.get("Authorization") == f"Bearer {TOKEN_PLACEHOLDER}":
            case.headers["Authorization"] = f"Bearer {self.tokens.token()}"

    def send(self, case: Case, via_link: bool = False, **kwargs: Any) -> Response:
        """Send `case` (prepared) to the target, waiting out 429s and replaying once with a
        fresh token when the target refused ours with 401 (it expired, or the emulator was reset)."""
        self.prepare(case)
        kwargs = {**self.transport_kwargs(), **kwargs}

        def call() -> Response:
            return send_paced(lambda: case.call(**kwargs), sleep=self._wait)

        sent_token = case.headers.get("Authorization") if case.headers else None
        response = call()
        if (response.status_code == 401 and self.tokens.can_refresh and sent_token is not None
                and sent_token == f"Bearer {self.tokens.token()}"):
            self.tokens.invalidate()
            case.headers["Authorization"] = f"Bearer {self.tokens.token()}"
            response = call()
        _remember_issued_token(response)
        self._count(case, response, via_link)
        return response

    def transport_kwargs(self) -> dict[str, Any]:
        """Where requests go: the target's base URL, and its app when it runs in-process."""
        kwargs: dict[str, Any] = {"base_url": self.target.base_url}
        if self.target.app is not None:
            kwargs["app"] = self.target.app
            # Called in this thread, not across schemathesis' portal thread (conformance.target.in_process).
            if self._session is None:
                self._session = in_process_session(self.target.app)
            kwargs["session"] = self._session
        return kwargs

    def withhold(self, case: Case) -> bool:
        """Whether `case` may not be sent (`conformance.safety.guard`); counted per operation."""
        self.prepare(case)  # the entity it names is the one it will be sent for
        url = self.target.base_url + case.formatted_path
        entity = case.headers.get("x-monite-entity-id") if case.headers else None
        if guard.refusal(case.method, url, entity if isinstance(entity, str) else None) is None:
            return False
        observer.withheld(_operation_id(case))
        return True

    def send_and_validate(self, case: Case) -> Response | None:
        """Send `case` and run every enabled check (built-in and Monite) on the response; the
        probes some checks send go the same way. A case the guard withholds is not sent (None)."""
        if self.withhold(case):
            return None
        response = self.send(case)
        self.validate(case, response, transport_kwargs=self.transport_kwargs())
        return response

    def validate(self, case: Case, response: Response, **kwargs: Any) -> None:
        """Run every enabled check on `response` (raises schemathesis' failure group).

        `ignored_auth` probes an operation (the request again without and with a wrong token)
        until one probe of that operation confirmed that auth is enforced, then no more in this
        run: one confirmation per operation and run, as `schemathesis run` does. A case only
        confirms when every check passed on a 2xx answer to a positive case sent with our token.
        """
        label = case.operation.label
        confirmed = label in self._auth_confirmed
        case.validate_response(response, excluded_checks=[IGNORED_AUTH] if confirmed else None, **kwargs)
        if not confirmed and _confirms_auth(case, response, self.tokens):
            self._auth_confirmed.add(label)

    def _wait(self, seconds: float) -> None:
        with self._lock:
            self.waits_on_429 += 1
        time.sleep(seconds)

    def _count(self, case: Case, response: Response, via_link: bool) -> None:
        meta = case.meta
        entry = Sent(
            phase=meta.phase.name.value if meta is not None else "unknown",
            operation_id=_operation_id(case),
            mode=meta.generation.mode.value if meta is not None else "unknown",
            status_code=response.status_code,
            via_link=via_link,
        )
        with self._lock:
            self.sent[entry] += 1


def _confirms_auth(case: Case, response: Response, tokens: TokenProvider) -> bool:
    """Whether `ignored_auth` probed this answer and saw auth enforced (no check failed): a 2xx
    answer to a positive case that carried our session token."""
    meta = case.meta
    sent = case.headers.get("Authorization") if case.headers else None
    return (200 <= response.status_code < 300 and meta is not None and meta.generation.mode.is_positive
            and requires_bearer(case) and isinstance(sent, str) and sent.startswith("Bearer ")
            and sent != f"Bearer {TOKEN_PLACEHOLDER}")


def _operation_id(case: Case) -> str:
    return str(case.operation.definition.raw.get("operationId", case.operation.label))


def observe_calls(schema: BaseSchema, *, assumptions_bind: bool, api_version: str) -> None:
    """Every response to a case of `schema`, and every check failure, goes to the evidence
    observer (schemathesis' public `after_call` and `filter_failure` hooks).

    Where assumptions do not bind (a target without our control plane), a failure that breaks
    only one of our assumptions (`conformance.verdict.assumptions`) is dropped from the test's
    verdict and recorded as an observation naming the assumption, with the request behind it.
    """

    def after_call(context: HookContext, case: Case, response: Response) -> None:
        observer.observe(response)

    def filter_failure(context: HookContext, failure: Any, case: Case, response: Response) -> bool:
        title, message = str(failure.title), str(getattr(failure, "message", "") or "")
        if not assumptions_bind:
            rule = excuse(str(failure.code), _check_name(failure), answer_of(case, response),
                          documented_contract(api_version), strict_contract(api_version))
            if rule is not None:
                exchange = observer.exchange_of(response).describe()
                observer.observation(observation(rule, f"{title} ({failure.code}): {message[:600]}", exchange))
                return False
        observer.finding(_check_name(failure) or type(failure).__name__, title, message)
        return True

    schema.hooks.unregister_all()
    schema.hook(after_call)
    schema.hook(filter_failure)


def _check_name(failure: Any) -> str:
    """The check that failed: schemathesis names its own; a Monite check raises a RuleViolated."""
    checks = getattr(failure, "checks", ())
    if checks:
        return str(checks[0])
    return str(getattr(getattr(failure, "exception", None), "check", ""))


def answer_of(case: Case, response: Response) -> Answer:
    """The request as sent and the answer, as plain data for `verdict.assumptions`."""
    url = urlsplit(str(response.request.url or ""))
    try:
        body = json.loads(response.content) if response.content else NO_JSON
    except ValueError:
        body = NO_JSON
    return Answer(
        method=str(response.request.method or "").upper(),
        path=url.path,
        status=response.status_code,
        body=body,
        query={name: values if len(values) > 1 else values[0]
               for name, values in parse_qs(url.query, keep_blank_values=True).items()},
        path_parameters=dict(case.path_parameters or {}),
    )
