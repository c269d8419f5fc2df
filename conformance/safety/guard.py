"""What a run may change on a target it does not own: only what it created itself.

On a target without the emulator's control plane (the sandbox, a colleague's deployment) the
entity under test holds the user's own data: a live connection, ledger accounts. Reads are
free; a request with a state-changing method (POST, PUT, PATCH, DELETE) that names an existing
resource in its path — disconnect, sync, push, PATCH, DELETE, or a wrong-method probe on such
a path — is sent only when this run created that resource (`conformance.evidence.created`).
Creations (`POST /ledger_accounts`, `POST /accounting_connections`) name none and are sent;
what they create is removed after the test. A resource that does not exist (its GET answers
404 for the run's entities) may be named: a generated case with a random id is sent.
`--allow-changes-to-existing` lifts the rule for a throwaway entity, but never in the
lifecycle entity (MONITE_LIFECYCLE_ENTITY_ID): there the run changes only what it created.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from urllib.parse import unquote, urlsplit

from conformance.evidence import created
from conformance.openapi.catalog import spec_catalog

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
NOT_SENT = "not sent: would change data the run did not create"

# Whether a resource exists: (URL of the resource itself, entity id) -> False only when the
# target answered its GET with 404 (anything else counts as "it may exist").
Exists = Callable[[str, str], bool]


class ChangeRefused(Exception):
    """A request that would change a resource this run did not create (it was not sent)."""


_enforced = False
_exists: Exists | None = None
_entities: tuple[str, ...] = ()
_always: frozenset[str] = frozenset()  # entities where the rule holds even when it is off
_known: dict[tuple[str, str], bool] = {}
_lock = threading.Lock()


def enforce(on: bool, exists: Exists | None = None, entities: tuple[str, ...] = (),
            always: tuple[str, ...] = ()) -> None:
    """Apply the rule from now on (True on a target without the control plane).

    In the entities of `always` (the lifecycle entity) the rule holds even when `on` is False
    (a run allowed to change existing resources): a request sent for one of them may change only
    what the run created there.

    With `exists`, a change to a resource the run did not create is still sent when the
    resource does not exist at all: a GET of it answers 404 for every entity in `entities` and
    for the request's own. A generated case naming a random id then runs (and is answered 404
    or 422) instead of being withheld; nothing that exists is touched.
    """
    global _enforced, _exists, _entities, _always
    with _lock:
        _enforced, _exists, _entities, _always = on, exists, tuple(entities), frozenset(always)
        _known.clear()


def _resource_url(url: str) -> tuple[str, str] | None:
    """(URL of the named resource itself, its id): `.../accounting_connections/X/sync` names
    `.../accounting_connections/X`."""
    operations = spec_catalog().on_path(url)
    if not operations:
        return None
    template = [part for part in operations[0].path.split("/") if part]
    parts = urlsplit(url)
    path = [part for part in parts.path.split("/") if part]
    offset = len(path) - len(template)
    for index, pattern in enumerate(template):
        if pattern.startswith("{") and pattern.endswith("}"):
            prefix = "/" + "/".join(path[:offset + index + 1])
            return f"{parts.scheme}://{parts.netloc}{prefix}", unquote(path[offset + index])
    return None


def refusal(method: str, url: str, entity_id: str | None = None) -> str | None:
    """Why this request (sent for `entity_id`) may not be sent, or None when it may."""
    if method.upper() in SAFE_METHODS or not (_enforced or (entity_id is not None and entity_id in _always)):
        return None
    found = _resource_url(url)
    if found is None or created.is_ours(found[1]):
        return None
    if _absent(found[0], entity_id):
        return None
    return f"{NOT_SENT} ({method.upper()} on {found[1]})"


def _absent(resource_url: str, entity_id: str | None) -> bool:
    """Whether the resource answers 404 for the run's entities and the request's own."""
    exists = _exists
    if exists is None:
        return False
    for entity in dict.fromkeys([*_entities, *([entity_id] if entity_id else [])]):
        key = (resource_url, entity)
        with _lock:
            known = _known.get(key)
        if known is None:
            known = exists(resource_url, entity)
            with _lock:
                _known[key] = known
        if known:
            return False
    return True


def check(method: str, url: str, entity_id: str | None = None) -> None:
    """Raise ChangeRefused unless the request may be sent."""
    reason = refusal(method, url, entity_id)
    if reason is not None:
        raise ChangeRefused(reason)
