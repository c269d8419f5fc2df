"""Every option of a run, declared once: name, type, default, environment variable, help.

`RUN_OPTIONS` is the one table. Everything else is generated from it, so an option cannot be
declared in one shape and forgotten in another:
- the `monite-conformance run` options (`conformance.commands.run_options`: typer parameters);
- the pytest options `--monite-<name>` (`conformance.pytest_plugin.plugin.pytest_addoption`);
- the argv of a `monite-conformance run` child (`child_argv`, the differential run) and of the
  pytest session a run starts (`pytest_argv`);
- the keys a configuration file may hold (`conformance.config_file`);
- `conformance.config.RunConfig.resolve`: option, then file, then environment, then default.

Credentials and entity ids have no command-line flag (they stay out of shell history and CI
logs): the environment or a configuration file's `${ENV}` reference gives them.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from conformance.errors import ConfigError

PROG = "monite-conformance"
DEFAULT_API_VERSION = "2024-05-25"
DEFAULT_SEED = 20240525
PROFILES = ("quick", "full")
SUITES = ("all", "property", "scenario")
EMULATOR = "emulator"


@dataclass(frozen=True)
class RunOption:
    """One option of a run. `kind` says how a value is read: str, int, float, bool (a flag),
    path, names (operation ids or tags: repeatable, comma-separated), choice, version."""

    name: str
    kind: str
    default: Any
    help: str
    env: str | None = None
    choices: tuple[str, ...] = ()
    cli: bool = True  # a command-line flag (else: environment or configuration file only)
    secret: bool = False  # never written in a file: only a ${ENV} reference there
    minimum: float | None = None
    maximum: float | None = None

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def pytest_flag(self) -> str:
        return "--monite-" + self.name.replace("_", "-")

    @property
    def described(self) -> str:
        """The help text with where else the value may come from."""
        extra = [f"env {self.env}"] if self.env else []
        if self.default not in (None, False, ()):
            extra.append(f"default {self.default}")
        return self.help + (f" ({', '.join(extra)})" if extra else "")

    def parse(self, value: Any, where: str) -> Any:
        """`value` (from a flag, a file or the environment) as this option's type; ConfigError
        (one line: `where`, then the reason) when it is not one."""
        if value is None:
            return None
        try:
            parsed = _PARSERS[self.kind](self, value)
            if self.minimum is not None and parsed < self.minimum:
                raise ValueError(f"must be at least {self.minimum:g}, got {value!r}")
            if self.maximum is not None and parsed > self.maximum:
                raise ValueError(f"must be at most {self.maximum:g}, got {value!r}")
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{where}: {exc}") from None
        return parsed

    def argv(self, value: Any, pytest: bool = False) -> list[str]:
        """The command-line arguments that give `value` (none for None; both forms of a flag)."""
        flag = self.pytest_flag if pytest else self.flag
        if value is None or not self.cli:
            return []
        if self.kind == "bool":
            if pytest:
                return [flag] if value else []
            return [flag if value else "--no-" + flag[2:]]
        if self.kind == "names":
            return [f"{flag}={name}" for name in value]
        if self.kind == "thresholds":
            return [f"{flag}=" + ",".join(f"{name}={percent:g}" for name, percent in value)] if value else []
        return [f"{flag}={value}"]


def _text(option: RunOption, value: Any) -> str:
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise TypeError(f"must be a string, got {value!r}")
    text = str(value).strip()
    if not text:
        raise ValueError("must not be empty")
    return text


def _integer(option: RunOption, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"must be an integer, got {value!r}")
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"must be an integer, got {value!r}") from None


def _number(option: RunOption, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError(f"must be a number, got {value!r}")
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"must be a number, got {value!r}") from None


def _boolean(option: RunOption, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("1", "true", "yes", "on"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("0", "false", "no", "off", ""):
        return False
    raise TypeError(f"must be true or false, got {value!r}")


def _names(option: RunOption, value: Any) -> tuple[str, ...]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list | tuple) or not all(isinstance(item, str) for item in values):
        raise TypeError(f"must be a list of operation ids or tags, got {value!r}")
    return tuple(name.strip() for item in values for name in item.split(",") if name.strip())


def _choice(option: RunOption, value: Any) -> str:
    text = _text(option, value)
    if text not in option.choices:
        raise ValueError(f"must be one of {', '.join(option.choices)}, got {text!r}")
    return text


def _version(option: RunOption, value: Any) -> str:
    text = _text(option, value)
    try:
        time.strptime(text, "%Y-%m-%d")
    except ValueError:
        raise ValueError(f"must be a date YYYY-MM-DD, got {text!r}") from None
    return text


def _target(option: RunOption, value: Any) -> str:
    text = _text(option, value)
    if text in (EMULATOR, "emulator-http") or text.startswith("asgi:"):
        return text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"must be 'emulator', 'emulator-http', 'asgi:module:factory' or an http(s) base URL, "
                         f"got {text!r}")
    return text


COVERAGE_DIMENSIONS = ("statuses", "parameters", "enums", "fields")


def _thresholds(option: RunOption, value: Any) -> tuple[tuple[str, float], ...]:
    """`statuses=90,parameters=80` (or the pairs already parsed) -> (("statuses", 90.0), ...)."""
    if isinstance(value, tuple) and all(isinstance(pair, tuple) and len(pair) == 2 for pair in value):
        return value
    if not isinstance(value, str):
        raise TypeError(f"must be DIMENSION=PERCENT pairs ({', '.join(COVERAGE_DIMENSIONS)}), got {value!r}")
    pairs: dict[str, float] = {}
    for part in (item.strip() for item in value.split(",")):
        if not part:
            continue
        name, equals, number = (piece.strip() for piece in part.partition("="))
        if not equals or name not in COVERAGE_DIMENSIONS:
            raise ValueError(f"takes DIMENSION=PERCENT pairs ({', '.join(COVERAGE_DIMENSIONS)}), got {part!r}")
        try:
            percent = float(number)
        except ValueError:
            percent = -1.0
        if not 0 <= percent <= 100:
            raise ValueError(f"{name} must be a percentage from 0 to 100, got {number!r}")
        pairs[name] = percent
    if not pairs:
        raise ValueError(f"takes DIMENSION=PERCENT pairs ({', '.join(COVERAGE_DIMENSIONS)}), got {value!r}")
    return tuple(pairs.items())


_PARSERS = {
    "str": _text, "int": _integer, "float": _number, "bool": _boolean, "path": lambda o, v: v if isinstance(v, Path) else Path(_text(o, v)),
    "names": _names, "choice": _choice, "version": _version, "target": _target, "thresholds": _thresholds,
}

RUN_OPTIONS: tuple[RunOption, ...] = (
    RunOption("target", "target", EMULATOR, env="MONITE_BASE_URL",
              help="emulator (in-process) | emulator-http | asgi:module:factory | a base URL"),
    RunOption("api_version", "version", DEFAULT_API_VERSION, env="MONITE_API_VERSION",
              help="x-monite-version to send; given twice (A, then B): a differential run, the suite once "
                   "per version and the comparison of B with A"),
    RunOption("profile", "choice", "quick", env="MONITE_PROFILE", choices=PROFILES,
              help="quick: the CI gate; full: deep property testing"),
    RunOption("suite", "choice", "all", choices=SUITES, help="which tests to run"),
    RunOption("only", "names", (), help="run only tests about these operation ids or tags (repeatable, comma-separated)"),
    RunOption("skip", "names", (), help="skip tests about these operation ids or tags (repeatable, comma-separated)"),
    RunOption("report_dir", "path", None,
              help="where the reports go (default: reports/<timestamp>/, with reports/latest pointing at it)"),
    RunOption("seed", "int", DEFAULT_SEED, env="MONITE_SEED", help="seed for generated data"),
    RunOption("workers", "int", 1, minimum=1, maximum=64, help="parallel pytest-xdist workers (on a remote target they share one pace); `run` "
                   "without it: 2 for the whole suite on the in-process emulator with 2+ cores, else 1"),
    RunOption("baseline", "path", None,
              help="YAML/JSON file of accepted deviations: they do not fail the run but stay in the report"),
    RunOption("allow_production", "bool", False, help="allow running against Monite's production API"),
    RunOption("rate_limit", "float", None, minimum=0,
              help="most requests per second on a target without the control plane (default: the limit the "
                   "target advertises, 30 (documented) until it does; 0: no pacing)"),
    RunOption("allow_changes_to_existing", "bool", False,
              help="a throwaway entity: also sync, push and PATCH resources the run did not create "
                   "(PATCHed fields are restored)"),
    RunOption("require_complete", "bool", False,
              help="fail (exit 5) when checks could not run (skipped tests, cases not sent)"),
    RunOption("lifecycle_entity_id", "str", None, env="MONITE_LIFECYCLE_ENTITY_ID",
              help="an entity without an active accounting connection the run may connect and disconnect in "
                   "(the lifecycle scenarios on a remote target)"),
    RunOption("skip_rate_limit_probe", "bool", False, env="MONITE_SKIP_RATE_LIMIT_PROBE",
              help="do not send the deliberate burst that checks the documented 429 on a remote target"),
    RunOption("min_coverage", "thresholds", (),
              help="exit 6 when coverage is below a threshold: DIMENSION=PERCENT pairs, e.g. "
                   "statuses=90,parameters=80 (statuses, parameters, enums, fields)"),
    RunOption("record", "bool", False,
              help="write every exchange of the run, redacted, to exchanges.har (HAR 1.2) in the report folder"),
    RunOption("token", "str", None, env="MONITE_TOKEN", cli=False, secret=True,
              help="a bearer token used as it is"),
    RunOption("client_id", "str", None, env="MONITE_CLIENT_ID", cli=False,
              help="partner client id; the suite fetches tokens at POST /auth/token"),
    RunOption("client_secret", "str", None, env="MONITE_CLIENT_SECRET", cli=False, secret=True,
              help="partner client secret"),
    RunOption("entity_id", "str", None, env="MONITE_ENTITY_ID", cli=False,
              help="the entity the suite may read and create in (required for a remote target)"),
    RunOption("other_entity_id", "str", None, env="MONITE_OTHER_ENTITY_ID", cli=False,
              help="a second entity of the same partner, for the isolation scenarios"),
)
BY_NAME: Mapping[str, RunOption] = {option.name: option for option in RUN_OPTIONS}
# Of `monite-conformance run` only (not of one version's run, so not handed to pytest or a child).
FAIL_ON_DIFFERENCE = RunOption("fail_on_difference", "bool", False,
                               help="differential run: exit 1 when the two versions behave differently")
# Which configuration file the run reads (README "Configuration file"); not itself in a file.
CONFIG = RunOption("config", "path", None, env="MONITE_CONFORMANCE_CONFIG",
                   help="configuration file (default: monite-conformance.toml, or pyproject.toml with "
                        "[tool.monite-conformance], the nearest from the working directory upward)")
NO_CONFIG = RunOption("no_config", "bool", False, help="read no configuration file")


def child_argv(values: Mapping[str, Any], config_file: Path | None) -> list[str]:
    """`monite-conformance run` arguments that give exactly the run `values` describe (a
    resolved configuration's fields): every option with a flag explicit, so the child decides
    nothing anew; credentials and entity ids are not arguments (the environment, or the same
    configuration file, gives them)."""
    args = ["run"]
    for option in RUN_OPTIONS:
        args += option.argv(values.get(option.name))
    return args + ([f"{CONFIG.flag}={config_file}"] if config_file is not None else [f"--{NO_CONFIG.flag[2:]}"])


def pytest_argv(values: Mapping[str, Any], config_file: Path | None) -> list[str]:
    """The `--monite-*` options that give a pytest session exactly the run `values` describe."""
    args: list[str] = []
    for option in RUN_OPTIONS:
        args += option.argv(values.get(option.name), pytest=True)
    return args + ([f"{CONFIG.pytest_flag}={config_file}"] if config_file is not None else [NO_CONFIG.pytest_flag])


def names_of(values: Iterable[str] | None) -> tuple[str, ...]:
    """Repeated, comma-separated operation ids or tags as one tuple."""
    return _names(BY_NAME["only"], list(values or []))
