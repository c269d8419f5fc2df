"""Read one side of a diff: a YAML/JSON file, an http(s) URL, `spec`, or `spec@<version>`.

A source that names nothing usable (missing file, `spec@` without a version or without the
per-version loader, an unknown version) is a usage error (`ConfigError`, exit 2); a document
that cannot be fetched or parsed, is not OpenAPI 3.x, or is malformed where the diff reads it
(`validate`), is a `DocumentError` (exit 3).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from conformance.diff.errors import DocumentError
from conformance.diff.validate import check_structure
from conformance.errors import ConfigError
from conformance.openapi.files import load_spec

FETCH_TIMEOUT = 30.0
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_document(source: str) -> dict[str, Any]:
    """The OpenAPI document `source` names (not copied: callers must not modify it)."""
    if source == "spec":
        return check_openapi(load_spec(), "our spec")
    if source.startswith("spec@"):
        return check_openapi(_spec_at(source[len("spec@"):]), source)
    if source.startswith(("http://", "https://")):
        return check_openapi(_parse(_fetch(source), source), source)
    path = Path(source)
    if not path.is_file():
        raise ConfigError(f"{source}: no such file (give a YAML/JSON file, an http(s) URL, spec or spec@<version>)")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DocumentError(f"{source}: cannot be read ({_first_line(exc)})") from None
    return check_openapi(_parse(text, source), source)


def _spec_at(version: str) -> dict[str, Any]:
    if not version:
        raise ConfigError("spec@ needs an API version, e.g. spec@2024-05-25")
    try:
        from conformance.openapi.versions import effective_spec
    except ImportError:
        raise ConfigError(f"spec@{version}: this installation has no per-version spec "
                          "(conformance.openapi.versions.effective_spec is missing)") from None
    try:
        return effective_spec(version)
    except (LookupError, ValueError, FileNotFoundError) as exc:
        raise ConfigError(f"spec@{version}: {_first_line(exc)}") from None


def _fetch(url: str) -> str:
    import httpx  # here, not at the top: every CLI command imports this module, few fetch a URL

    try:
        response = httpx.get(url, timeout=FETCH_TIMEOUT, follow_redirects=True,
                             headers={"Accept": "application/json, application/yaml;q=0.9, */*;q=0.5"})
    except httpx.HTTPError as exc:
        raise DocumentError(f"cannot fetch {url}: {_first_line(exc) or type(exc).__name__}") from None
    if response.status_code >= 400:
        raise DocumentError(f"cannot fetch {url}: HTTP {response.status_code}")
    return response.text


def _parse(text: str, source: str) -> Any:
    """JSON when it looks like JSON (fast for multi-megabyte published documents), else YAML."""
    if text.lstrip().startswith("{"):
        try:
            return json.loads(text)
        except ValueError:
            pass  # YAML flow style also starts with "{"
    try:
        return yaml.load(text, Loader=_YAML_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise DocumentError(f"{source} is not an OpenAPI document: not YAML or JSON ({_first_line(exc)})") from None


def check_openapi(document: Any, source: str) -> dict[str, Any]:
    """`document` if it is an OpenAPI 3.x document, else DocumentError."""
    if not isinstance(document, dict):
        raise DocumentError(f"{source} is not an OpenAPI document (not a mapping)")
    if "swagger" in document and "openapi" not in document:
        raise DocumentError(f"{source} is Swagger {document['swagger']}, not OpenAPI 3.x")
    version = str(document.get("openapi", ""))
    if not version.startswith("3."):
        raise DocumentError(f"{source} is not an OpenAPI 3.x document "
                            f"({'no openapi field' if not version else 'openapi: ' + version})")
    if not isinstance(document.get("paths", {}), dict):
        raise DocumentError(f"{source} is not an OpenAPI document (paths is not a mapping)")
    check_structure(document, source)
    return document


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""
