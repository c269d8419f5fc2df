"""Who may call an operation: its security requirements and the schemes they name.

An operation's requirements are its own `security`, else the document's (OpenAPI: an operation
without `security` inherits the top-level one; `security: []` opts out). They are alternatives —
a client meets one of them — and each names schemes (all of which it must present) with scopes.
From a client's view:

- a way of calling that OLD accepted and NEW does not (a requirement where there was none, a
  scheme or scope added to one, an alternative dropped) breaks the clients that call that way:
  `api-security-added` (`api-global-security-added` when it comes from the document's
  `security`);
- a way of calling that NEW accepts and OLD did not (a requirement dropped, anonymous access
  allowed) breaks nobody: `api-security-removed` / `api-global-security-removed`;
- a scheme the operation uses in both whose type changed (http bearer → apiKey, the apiKey's
  header renamed) breaks every client that presents it: `api-security-component-type-changed`;
  an OAuth flow removed or moved: `api-security-component-flow-changed`; one added:
  `api-security-component-flow-added`.

A scheme renamed with the same definition is the same scheme (generator noise).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

Emit = Callable[[str, str, str], None]  # (rule id, location, message)
SECURITY = "security"
Alternative = frozenset[tuple[str, ...]]  # ("scheme", name) and ("scope", name, scope) items


def compare_security(old_doc: dict[str, Any], new_doc: dict[str, Any], old_op: dict[str, Any],
                     new_op: dict[str, Any], emit: Emit) -> None:
    """Emit the security changes of one operation present in both documents."""
    old_schemes, new_schemes = _schemes(old_doc), _schemes(new_doc)
    renamed = _renames(old_schemes, new_schemes)
    before, old_source = _requirements(old_doc, old_op, {})
    after, new_source = _requirements(new_doc, new_op, renamed)
    lost = [alt for alt in before if not any(other <= alt for other in after)]
    gained = [alt for alt in after if not any(other <= alt for other in before)]
    if lost:
        rule = "api-security-added" if new_source == "operation" else "api-global-security-added"
        emit(rule, SECURITY, f"calls with {_alternatives(lost)} are no longer accepted: the operation requires "
                             f"{_alternatives(after)} (was {_alternatives(before)})")
    if gained:
        rule = "api-security-removed" if old_source == "operation" else "api-global-security-removed"
        emit(rule, SECURITY, f"calls with {_alternatives(gained)} are now accepted: the operation requires "
                             f"{_alternatives(after)} (was {_alternatives(before)})")
    new_names = {old: new for new, old in renamed.items()}
    for name in sorted(_names(before) & _names(after)):
        _compare_scheme(name, old_schemes.get(name), new_schemes.get(new_names.get(name, name)), emit)


def _schemes(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    schemes = (doc.get("components") or {}).get("securitySchemes") or {}
    found = {}
    for name, scheme in schemes.items():
        while isinstance(scheme, dict) and isinstance(scheme.get("$ref"), str):
            scheme = _pointer(doc, scheme["$ref"])
        found[str(name)] = scheme if isinstance(scheme, dict) else {}
    return found


def _pointer(doc: dict[str, Any], ref: str) -> Any:
    target: Any = doc
    for part in ref.lstrip("#").split("/")[1:]:
        target = target.get(part.replace("~1", "/").replace("~0", "~")) if isinstance(target, dict) else None
    return target


def _kind(scheme: dict[str, Any]) -> tuple[str, ...]:
    """What a client must present for the scheme: its type and, per type, how it is sent."""
    kind = str(scheme.get("type", "")).lower()
    if kind == "http":
        return (kind, str(scheme.get("scheme", "")).lower())
    if kind == "apikey":
        where = str(scheme.get("in", "")).lower()
        name = str(scheme.get("name", ""))
        return (kind, where, name.lower() if where == "header" else name)
    return (kind,)


def _flows(scheme: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """OAuth flows (or the OpenID Connect discovery URL) by name: (token URL, authorization URL)."""
    if str(scheme.get("type", "")).lower() == "openidconnect":
        return {"openIdConnect": (str(scheme.get("openIdConnectUrl", "")), "")}
    flows = scheme.get("flows")
    if not isinstance(flows, dict):
        return {}
    return {str(name): (str((flow or {}).get("tokenUrl", "")), str((flow or {}).get("authorizationUrl", "")))
            for name, flow in flows.items() if isinstance(flow, dict)}


def _definition(scheme: dict[str, Any]) -> str:
    return json.dumps([_kind(scheme), sorted(_flows(scheme).items())])


def _renames(old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]) -> dict[str, str]:
    """New scheme name → old name, for a scheme only the new document has whose definition is
    that of exactly one scheme only the old document has."""
    gone = [name for name in old if name not in new]
    renamed = {}
    for name in (name for name in new if name not in old):
        same = [other for other in gone if _definition(old[other]) == _definition(new[name])]
        if len(same) == 1:
            renamed[name] = same[0]
    return renamed


def _requirements(doc: dict[str, Any], operation: dict[str, Any],
                  renamed: dict[str, str]) -> tuple[list[Alternative], str]:
    """The operation's alternatives (an empty one: anonymous calls) and where they come from."""
    if "security" in operation:
        raw, source = operation.get("security"), "operation"
    else:
        raw, source = doc.get("security"), "document"
    if not isinstance(raw, list) or not raw:
        return [frozenset()], source  # no requirement: anyone may call
    alternatives = []
    for requirement in raw:
        items: set[tuple[str, ...]] = set()
        for name, scopes in (requirement or {}).items():
            name = renamed.get(str(name), str(name))
            items.add(("scheme", name))
            items.update(("scope", name, str(scope)) for scope in scopes or ())
        alternatives.append(frozenset(items))
    return alternatives, source


def _names(alternatives: list[Alternative]) -> set[str]:
    return {item[1] for alt in alternatives for item in alt if item[0] == "scheme"}


def _alternatives(alternatives: list[Alternative]) -> str:
    def one(alt: Alternative) -> str:
        if not alt:
            return "no credentials"
        parts = []
        for name in sorted(item[1] for item in alt if item[0] == "scheme"):
            scopes = sorted(item[2] for item in alt if item[0] == "scope" and item[1] == name)
            parts.append(f"`{name}`" + (f" (scopes {', '.join(scopes)})" if scopes else ""))
        return " + ".join(parts)
    return " or ".join(sorted(one(alt) for alt in alternatives))


def _compare_scheme(name: str, old: dict[str, Any] | None, new: dict[str, Any] | None, emit: Emit) -> None:
    if old is None or new is None:
        return  # an undeclared scheme is a malformed document (validate), not a change
    where = f"security scheme {name}"
    if _kind(old) != _kind(new):
        emit("api-security-component-type-changed", where,
             f"scheme `{name}` is {' '.join(filter(None, _kind(new)))} (was {' '.join(filter(None, _kind(old)))})")
        return
    before, after = _flows(old), _flows(new)
    changed = sorted(flow for flow in before if flow not in after or before[flow] != after[flow])
    added = sorted(flow for flow in after if flow not in before)
    if changed:
        emit("api-security-component-flow-changed", where,
             f"scheme `{name}`: flow{'s' if len(changed) > 1 else ''} "
             + ", ".join(f"{flow} {'removed' if flow not in after else 'moved'}" for flow in changed))
    if added:
        emit("api-security-component-flow-added", where, f"scheme `{name}`: flow{'s' if len(added) > 1 else ''} "
                                                          f"{', '.join(added)} added")
