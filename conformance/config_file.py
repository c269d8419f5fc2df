"""The configuration file: `monite-conformance.toml`, or `[tool.monite-conformance]` in pyproject.toml.

Found from the working directory upward (in each folder `monite-conformance.toml` first, then a
`pyproject.toml` that has the table; a pyproject.toml without it is passed over), or named by
`--config` / `MONITE_CONFORMANCE_CONFIG`. It holds the run options under the names of their
flags (`target`, `api-version`, `profile`, `entity-id`, `baseline`, `rate-limit`, ...), the
`[proxy]` and `[diff]` options, and per-operation overrides:

    target = "https://api.sandbox.monite.com/v1"
    api-version = ["2023-09-01", "2024-05-25"]     # one date, or two: a differential run
    entity-id = "${SANDBOX_ENTITY_ID}"
    client-id = "${MONITE_CLIENT_ID}"
    client-secret = "${MONITE_CLIENT_SECRET}"     # secrets: only as ${ENV} references
    baseline = "monite-baseline.yaml"              # paths are relative to this file

    [operations.updateLedgerAccount]
    skip = true                                    # as --skip updateLedgerAccount
    [[operations.listTaxRates.expected]]           # an accepted deviation (baseline entry)
    match = "416"
    reason = "sandbox answers 416 for limit=0; ticket ACC-123"

    [proxy]
    upstream = "https://api.sandbox.monite.com/v1"
    [diff]
    fail-on = "may-break"

`${NAME}` anywhere in a string is the environment variable NAME; a value that is only a
reference to an unset variable counts as not given. A secret written out (not a reference) is
refused, as is an unknown key or a bad value: one line naming the file, the key and the reason
(ConfigError: exit 2). The values are read here; precedence (flags, then this file, then the
environment, then defaults) is `conformance.config.RunConfig.resolve`'s.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.errors import ConfigError
from conformance.options import CONFIG, RUN_OPTIONS, RunOption

FILE_NAME = "monite-conformance.toml"
PYPROJECT_TABLE = ("tool", "monite-conformance")
# Of the other commands (their flags' names); the values their commands accept.
PROXY_OPTIONS: tuple[RunOption, ...] = (
    RunOption("upstream", "str", None, help=""),
    RunOption("port", "int", None, minimum=0, maximum=65535, help=""),
    RunOption("report_dir", "path", None, help=""),
    RunOption("fail_on", "choice", None, choices=("request", "response", "any"), help=""),
    RunOption("record", "bool", None, help=""),
)
DIFF_OPTIONS: tuple[RunOption, ...] = (
    RunOption("format", "choice", None, choices=("text", "markdown", "json", "html", "junit"), help=""),
    RunOption("output", "path", None, help=""),
    RunOption("fail_on", "choice", None, choices=("breaking", "may-break", "any"), help=""),
    RunOption("paths", "str", None, help=""),
    RunOption("all_paths", "bool", None, help=""),
)
OPERATION_KEYS = ("skip", "expected")
EXPECTED_KEYS = ("test", "match", "reason")
_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class FileConfig:
    """What a configuration file says, read and checked; empty when there is no file."""

    path: Path | None = None
    run: Mapping[str, Any] = field(default_factory=dict)  # option name -> value (api_version: a tuple)
    expected: tuple[Mapping[str, str], ...] = ()  # accepted deviations: operation, reason, test, match
    operations: tuple[str, ...] = ()  # the operation ids of [operations.<id>] tables
    proxy: Mapping[str, Any] = field(default_factory=dict)
    diff: Mapping[str, Any] = field(default_factory=dict)


def find(start: Path | None = None) -> tuple[Path, bool] | None:
    """The nearest configuration file from `start` (the working directory) upward, and whether
    it is a pyproject.toml."""
    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        own = candidate / FILE_NAME
        if own.is_file():
            return own, False
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file() and _has_table(pyproject):
            return pyproject, True
    return None


def load(path: Path | None = None, *, disabled: bool = False, env: Mapping[str, str] | None = None,
         start: Path | None = None) -> FileConfig:
    """The configuration file named by `path`, else `MONITE_CONFORMANCE_CONFIG`, else the nearest one."""
    env = os.environ if env is None else env
    if disabled:
        return FileConfig()
    named = path or (Path(env[CONFIG.env]) if env.get(CONFIG.env) else None)
    if named is not None:
        found = (named, named.name == "pyproject.toml")
        if not named.is_file():
            raise ConfigError(f"{named}: configuration file not found")
    else:
        found = find(start)
        if found is None:
            return FileConfig()
    file, is_pyproject = found
    data = _read(file)
    if is_pyproject:
        for key in PYPROJECT_TABLE:
            data = data.get(key, {}) if isinstance(data, dict) else {}
        if not isinstance(data, dict):
            raise ConfigError(f"{file}: [tool.monite-conformance] must be a table")
    return _parse(file, data, env)


def _has_table(pyproject: Path) -> bool:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False  # someone else's broken pyproject.toml is not ours to judge
    return isinstance(data.get("tool"), dict) and PYPROJECT_TABLE[1] in data["tool"]


def _read(file: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{file}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}") from None


def _key(option: RunOption) -> str:
    return option.name.replace("_", "-")


def _parse(file: Path, data: dict[str, Any], env: Mapping[str, str]) -> FileConfig:
    by_key = {_key(option): option for option in RUN_OPTIONS}
    run: dict[str, Any] = {}
    skipped: list[str] = []
    expected: list[dict[str, str]] = []
    proxy: dict[str, Any] = {}
    diff: dict[str, Any] = {}
    for key, raw in data.items():
        if key == "proxy":
            proxy = _section(file, "proxy", raw, PROXY_OPTIONS, env)
        elif key == "diff":
            diff = _section(file, "diff", raw, DIFF_OPTIONS, env)
        elif key == "operations":
            skipped, expected = _operations(file, raw)
        elif key == "api-version":
            versions = _versions(file, raw, env)
            if versions:
                run["api_version"] = versions
        elif key in by_key:
            option = by_key[key]
            if option.secret and not (isinstance(raw, str) and _REFERENCE.fullmatch(raw.strip())):
                raise ConfigError(f"{file}: {key}: a secret is never written in the file; "
                                  f"use a reference to the environment, e.g. \"${{{option.env}}}\"")
            value = option.parse(_expand(file, key, raw, env), f"{file}: {key}")
            if value is not None:
                run[option.name] = _relative(file, value)
        else:
            raise ConfigError(f"{file}: {key}: unknown key")
    if skipped:
        run["skip"] = tuple(run.get("skip", ())) + tuple(skipped)
    operations = tuple(data["operations"]) if isinstance(data.get("operations"), dict) else ()
    return FileConfig(path=file.resolve(), run=run, expected=tuple(expected), operations=operations, proxy=proxy,
                      diff=diff)


def _expand(file: Path, key: str, raw: Any, env: Mapping[str, str]) -> Any:
    """`${NAME}` references replaced by the environment's values; None for a lone unset one."""
    if not isinstance(raw, str):
        return raw
    whole = _REFERENCE.fullmatch(raw.strip())
    if whole and not env.get(whole.group(1)):
        return None

    def value(match: re.Match[str]) -> str:
        if match.group(1) not in env:
            raise ConfigError(f"{file}: {key}: ${{{match.group(1)}}} is not set in the environment")
        return env[match.group(1)]

    return _REFERENCE.sub(value, raw)


def _relative(file: Path, value: Any) -> Any:
    """A path in the file is relative to the file's folder, not to the working directory."""
    return file.parent.resolve() / value if isinstance(value, Path) and not value.is_absolute() else value


def _versions(file: Path, raw: Any, env: Mapping[str, str]) -> tuple[str, ...]:
    option = next(option for option in RUN_OPTIONS if option.name == "api_version")
    values = raw if isinstance(raw, list) else [raw]
    if not 1 <= len(values) <= 2:
        raise ConfigError(f"{file}: api-version: one date, or two for a differential run; got {len(values)}")
    parsed = (option.parse(_expand(file, "api-version", value, env), f"{file}: api-version") for value in values)
    return tuple(value for value in parsed if value is not None)


def _section(file: Path, name: str, raw: Any, options: tuple[RunOption, ...],
             env: Mapping[str, str]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ConfigError(f"{file}: {name}: must be a table")
    by_key = {_key(option): option for option in options}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in by_key:
            raise ConfigError(f"{file}: {name}.{key}: unknown key")
        option = by_key[key]
        parsed = option.parse(_expand(file, f"{name}.{key}", value, env), f"{file}: {name}.{key}")
        if parsed is not None:
            values[option.name] = _relative(file, parsed)
    return values


def _operations(file: Path, raw: Any) -> tuple[list[str], list[dict[str, str]]]:
    """Per-operation overrides: `skip = true`, `expected = [{match, test, reason}]`. Whether an
    operation id exists is checked with the spec's catalogue when the run starts."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{file}: operations: must be a table of operation ids")
    skipped: list[str] = []
    expected: list[dict[str, str]] = []
    for operation, overrides in raw.items():
        where = f"{file}: operations.{operation}"
        if not isinstance(overrides, dict):
            raise ConfigError(f"{where}: must be a table (skip, expected)")
        for key, value in overrides.items():
            if key not in OPERATION_KEYS:
                raise ConfigError(f"{where}.{key}: unknown key (one of {', '.join(OPERATION_KEYS)})")
        skip = overrides.get("skip", False)
        if not isinstance(skip, bool):
            raise ConfigError(f"{where}.skip: must be true or false, got {skip!r}")
        if skip:
            skipped.append(operation)
        entries = overrides.get("expected", [])
        if not isinstance(entries, list):
            raise ConfigError(f"{where}.expected: must be a list of tables (match, test, reason)")
        for index, entry in enumerate(entries, 1):
            expected.append(_expected(f"{where}.expected[{index}]", operation, entry))
    return skipped, expected


def _expected(where: str, operation: str, entry: Any) -> dict[str, str]:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: must be a table (match, test, reason)")
    unknown = sorted(set(entry) - set(EXPECTED_KEYS))
    if unknown:
        raise ConfigError(f"{where}.{unknown[0]}: unknown key (one of {', '.join(EXPECTED_KEYS)})")
    for key, value in entry.items():
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{where}.{key}: must be a non-empty string, got {value!r}")
    if "reason" not in entry:
        raise ConfigError(f"{where}: needs a reason (why the deviation is accepted)")
    if "match" in entry:
        try:
            re.compile(entry["match"])
        except re.error as exc:
            raise ConfigError(f"{where}.match: not a regular expression ({exc})") from None
    return {"operation": operation, **entry}
