"""Which route a request is for, before FastAPI routes it: the first step of the check order.

The middleware needs the answer early (404/405 come before every other check, A9) and fault
rules match a call by its operation id, so each route is known here by its path template,
its methods and, per method, its operation ids.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from starlette.routing import BaseRoute, compile_path


@dataclass(frozen=True)
class Route:
    template: str
    regex: re.Pattern[str]
    methods: frozenset[str]
    operation_ids: dict[str, tuple[str, ...]] = field(default_factory=dict)
    prefix: str = ""  # the template up to its first parameter: a cheap test before the regex


@dataclass(frozen=True)
class Match:
    """A request's route (``route`` set), or why it has none: 404 (``allow`` empty) or 405."""

    route: Route | None
    allow: tuple[str, ...] = ()
    params: dict[str, str] = field(default_factory=dict)  # the path parameters, as Starlette reads them

    def operation_ids(self, method: str) -> tuple[str, ...]:
        return self.route.operation_ids.get(method, ()) if self.route else ()


class RouteTable:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, template: str, methods: Iterable[str], operation_ids: dict[str, tuple[str, ...]] | None = None) -> None:
        methods = set(methods)
        if "GET" in methods:
            methods.add("HEAD")
        regex, _, _ = compile_path(template)
        self.routes.append(Route(template, regex, frozenset(methods), dict(operation_ids or {}),
                                 template.split("{", 1)[0]))

    def add_routes(self, routes: Iterable[BaseRoute], aliases: dict[str, str] | None = None) -> None:
        """FastAPI routes, each known by its operation id and, when `aliases` names one, the spec's."""
        for route in routes:
            methods = set(getattr(route, "methods", None) or ())
            names: dict[str, tuple[str, ...]] = {}
            operation_id = getattr(route, "operation_id", None)
            if operation_id:
                known = (operation_id, aliases[operation_id]) if aliases and operation_id in aliases else (operation_id,)
                names = {method: known for method in methods}
            self.add(getattr(route, "path"), methods, names)

    def match(self, method: str, path: str) -> Match:
        allowed: set[str] = set()
        for route in self.routes:
            if path.startswith(route.prefix) and (found := route.regex.match(path)):
                if method in route.methods:
                    return Match(route, (), found.groupdict())
                allowed |= route.methods
        return Match(None, tuple(sorted(allowed)))

    def operation_ids(self) -> set[str]:
        return {name for route in self.routes for names in route.operation_ids.values() for name in names}
