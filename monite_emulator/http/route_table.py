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


def _section(path: str) -> str:
    """A path's first two segments (``/v1/ledger_accounts`` of ``/v1/ledger_accounts/{id}``):
    every path a template matches shares the template's, when the template has no parameter
    in them."""
    return "/".join(path.split("/", 3)[:3])


class RouteTable:
    def __init__(self) -> None:
        self.routes: list[Route] = []  # in FastAPI's order; others may edit it in place (tests/deployments)
        self._by_section: dict[str, list[Route]] = {}
        self._anywhere: list[Route] = []  # routes with a parameter in their first two segments
        self._indexed: list[Route] | None = None

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

    def _candidates(self, path: str) -> list[Route]:
        """The routes that may match ``path``, in table order (an index by section, rebuilt
        whenever the table has changed)."""
        if self._indexed != self.routes:
            self._by_section, self._anywhere = {}, []
            for route in self.routes:
                section = _section(route.template)
                if "{" in section:
                    self._anywhere.append(route)
                    for routes in self._by_section.values():
                        routes.append(route)
                else:
                    self._by_section.setdefault(section, list(self._anywhere)).append(route)
            self._indexed = list(self.routes)
        return self._by_section.get(_section(path), self._anywhere)

    def match(self, method: str, path: str) -> Match:
        allowed: set[str] = set()
        for route in self._candidates(path):
            if path.startswith(route.prefix) and (found := route.regex.match(path)):
                if method in route.methods:
                    return Match(route, (), found.groupdict())
                allowed |= route.methods
        return Match(None, tuple(sorted(allowed)))

    def operation_ids(self) -> set[str]:
        return {name for route in self.routes for names in route.operation_ids.values() for name in names}
