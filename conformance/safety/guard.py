"""What a run may change on a target it does not own: only what it created itself.

On a target without the emulator's control plane (the sandbox, a colleague's deployment) the
entity under test holds the user's own data: a live connection, ledger accounts. Reads are
free; a request with a state-changing method (POST, PUT, PATCH, DELETE) that names an existing
resource in its path — disconnect, sync, push, PATCH, DELETE, or a wrong-method probe on such
a path — is sent only when this run created that resource (`conformance.evidence.created`).
Creations (`POST /ledger_accounts`, `POST /accounting_connections`) name none and are sent;
what they create is removed after the test. `--allow-changes-to-existing` lifts the rule for
a throwaway entity.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from conformance.evidence import created
from conformance.spec.catalog import spec_catalog

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
NOT_SENT = "not sent: would change data the run did not create"


class ChangeRefused(Exception):
    """A request that would change a resource this run did not create (it was not sent)."""


_enforced = False


def enforce(on: bool) -> None:
    """Apply the rule from now on (True on a target without the control plane)."""
    global _enforced
    _enforced = on


def is_enforced() -> bool:
    return _enforced


def named_resource(url: str) -> str | None:
    """The resource id a request's path names: the value of the first path parameter of the
    spec's path template it matches (whatever the method), or None (a collection, /auth/token)."""
    operations = spec_catalog().on_path(url)
    if not operations:
        return None
    template = [part for part in operations[0].path.split("/") if part]
    path = [part for part in urlsplit(url).path.split("/") if part]
    actual = path[len(path) - len(template):]
    for pattern, value in zip(template, actual):
        if pattern.startswith("{") and pattern.endswith("}"):
            return unquote(value)
    return None


def refusal(method: str, url: str) -> str | None:
    """Why this request may not be sent, or None when it may."""
    if not _enforced or method.upper() in SAFE_METHODS:
        return None
    resource = named_resource(url)
    if resource is None or created.is_ours(resource):
        return None
    return f"{NOT_SENT} ({method.upper()} on {resource})"


def check(method: str, url: str) -> None:
    """Raise ChangeRefused unless the request may be sent."""
    reason = refusal(method, url)
    if reason is not None:
        raise ChangeRefused(reason)
