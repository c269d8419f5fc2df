"""Calling an API route's endpoint straight from the middleware, when FastAPI would only hand
the request over unchanged.

Most of the emulator's operations take nothing FastAPI must parse: path parameters (plain
strings), the entity context (``deps.Entity``: the version, entity and token headers the
middleware has already read and checked) and at most the ``Request``; their endpoints build the
answer themselves (``routes.respond``). For those, FastAPI's per-request work (matching 34
routes again, solving three levels of dependencies, validating the headers) cost three quarters
of the emulator's CPU per request (issue 17's profile) and decided nothing the middleware had not
already decided.

A request takes the direct path only when FastAPI's answer could not differ: the route's
dependencies are exactly the bearer scheme and the entity context, its path parameters are
unconstrained strings, it has no body, query, header or cookie parameters of its own, and the
request's ``x-monite-entity-id`` is a canonical uuid (what FastAPI's UUID validation would give
back unchanged). Anything else (a body, an invalid or unusual entity header, a HEAD request, a
``root_path``) goes through FastAPI as before, so every 422 keeps FastAPI's own wording. The
endpoint's exceptions go to the app's own exception handlers, as ExceptionMiddleware would send
them; anything unhandled reaches the middleware's last-resort 500.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import Receive, Scope, Send

from monite_emulator.http.deps import EntityContext, bearer, entity_context
from monite_emulator.model import ids
from monite_emulator.model.auth import Principal
from monite_emulator.model.emulator import Emulator

Key = tuple[str, str]  # (path template, method)


@dataclass(frozen=True)
class DirectRoute:
    """How to call one operation's endpoint without FastAPI: which keyword gets what."""

    endpoint: Any
    context_name: str  # the endpoint's parameter for the EntityContext
    request_name: str | None  # the endpoint's parameter for the Request, if it has one
    path_names: tuple[str, ...]

    async def call(self, scope: Scope, receive: Receive, send: Send, params: dict[str, str],
                   emulator: Emulator, principal: Principal, entity_id: str, version: str) -> None:
        kwargs: dict[str, Any] = {name: params[name] for name in self.path_names}
        kwargs[self.context_name] = EntityContext(emulator, principal, entity_id, version)
        if self.request_name is not None:
            kwargs[self.request_name] = Request(scope, receive, send)
        try:
            response = await self.endpoint(**kwargs)
        except Exception as exc:
            response = await _handled(scope, receive, send, exc)
        if not isinstance(response, Response):  # every direct endpoint answers through routes.respond
            raise TypeError(f"{self.endpoint.__name__} returned {type(response).__name__}, not a Response")
        await response(scope, receive, send)


async def _handled(scope: Scope, receive: Receive, send: Send, exc: Exception) -> Response:
    """The app's exception handler for ``exc`` (Starlette's lookup: status code for an
    HTTPException, then the exception's classes in order), or ``exc`` raised again."""
    handlers = scope["app"].exception_handlers  # those for 500 and Exception are not ExceptionMiddleware's
    handler = None
    if isinstance(exc, HTTPException) and exc.status_code != 500:
        handler = handlers.get(exc.status_code)
    if handler is None:
        handler = next((handlers[cls] for cls in type(exc).__mro__ if cls in handlers and cls is not Exception), None)
    if handler is None:
        raise exc
    request = Request(scope, receive, send)
    if inspect.iscoroutinefunction(handler):
        return await handler(request, exc)
    return await run_in_threadpool(handler, request, exc)


def is_canonical_entity(value: str | None) -> bool:
    """True when FastAPI's UUID header parameter would pass ``value`` through unchanged."""
    return value is not None and ids.is_canonical(value)


def _direct(route: APIRoute) -> DirectRoute | None:
    d = route.dependant
    if (d.query_params or d.header_params or d.cookie_params or d.body_params
            or d.websocket_param_name or d.http_connection_param_name or d.response_param_name
            or d.background_tasks_param_name or d.security_scopes_param_name):
        return None
    if not inspect.iscoroutinefunction(route.endpoint):
        return None
    for field in d.path_params:
        if field.field_info.annotation is not str or field.field_info.metadata:
            return None
    context_name = None
    for sub in d.dependencies:
        if sub.call is bearer and sub.name is None:
            continue  # the bearer scheme (auto_error off): in the OpenAPI document only
        if sub.call is entity_context and sub.name is not None and context_name is None:
            context_name = sub.name
            continue
        return None
    if context_name is None:
        return None
    return DirectRoute(route.endpoint, context_name, d.request_param_name,
                       tuple(field.name for field in d.path_params))


def direct_routes(routes: Iterable[BaseRoute]) -> dict[Key, DirectRoute]:
    """The operations that can be called directly, by (path template, method)."""
    table: dict[Key, DirectRoute] = {}
    seen: set[Key] = set()
    for route in routes:
        if not isinstance(route, APIRoute):
            continue
        direct = _direct(route)
        for method in route.methods:
            key = (route.path, method)
            if key in seen:  # two routes for one key: FastAPI decides, not us
                table.pop(key, None)
            elif direct is not None:
                table[key] = direct
            seen.add(key)
    return table
