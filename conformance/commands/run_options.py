"""The options of `monite-conformance run`, generated from `conformance.options.RUN_OPTIONS`,
and the one step from what the user gave to a checked `RunConfig`.

Every parameter is None unless given on the command line, so the configuration file and then
the environment can decide (`RunConfig.resolve`); a boolean has both forms (`--require-complete`,
`--no-require-complete`), so a flag can override a file either way.
"""

from __future__ import annotations

import dataclasses
import inspect
import os
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from conformance.config import EMULATOR_HTTP, RunConfig
from conformance.config_file import FileConfig
from conformance.errors import ConfigError
from conformance.options import CONFIG, FAIL_ON_DIFFERENCE, NO_CONFIG, RUN_OPTIONS, RunOption

_METAVARS = {"str": "TEXT", "target": "TARGET", "version": "YYYY-MM-DD", "int": "N", "float": "N", "path": "PATH", "names": "NAMES",
             "thresholds": "DIMENSION=PERCENT,..."}
_TYPES: dict[str, Any] = {"str": str, "target": str, "version": str, "choice": str, "int": int, "float": float, "bool": bool,
                          "path": Path, "names": list[str], "thresholds": str}


def _parameter(option: RunOption, repeatable: bool = False) -> inspect.Parameter:
    kind = list[str] if repeatable else _TYPES[option.kind]
    if option.choices:  # typer shows and checks the choices of an Enum
        kind = Enum(option.name.title().replace("_", ""), {choice: choice for choice in option.choices}, type=str)
    both = option.kind == "bool" and not option.name.startswith("no_")
    declarations = [f"{option.flag}/--no-{option.flag[2:]}"] if both else [option.flag]
    metavar = None if option.choices or option.kind == "bool" else _METAVARS[option.kind]
    annotation = Annotated[kind | None, typer.Option(*declarations, help=escape(option.described), metavar=metavar,
                                                     show_default=False)]
    return inspect.Parameter(option.name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation)


def command(body: Callable[[dict[str, Any]], int], doc: str) -> Callable[..., int]:
    """A typer command whose parameters are the run options (with a flag), `--fail-on-difference`,
    `--config` and `--no-config`; it hands `body` a dict of them by name (None: not given)."""
    parameters = [_parameter(option, repeatable=option.name == "api_version")
                  for option in RUN_OPTIONS if option.cli]
    parameters += [_parameter(FAIL_ON_DIFFERENCE), _parameter(CONFIG), _parameter(NO_CONFIG)]

    def run(**given: Any) -> int:
        return body({name: value.value if isinstance(value, Enum) else value for name, value in given.items()})

    run.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    run.__annotations__ = {parameter.name: parameter.annotation for parameter in parameters}
    run.__doc__ = doc
    return run


def default_workers(config: RunConfig) -> int:
    """Workers of a run that did not say: both cores of a 2-core machine for the whole suite on
    an emulator the run starts in-process (each worker its own emulator, results as one
    process: `conformance.pytest_plugin.scheduling`); one process otherwise (a remote target's
    rate limit, not the machine, sets its pace; a part of the suite is one group)."""
    if config.target == EMULATOR_HTTP or not config.starts_emulator or config.suite != "all":
        return 1
    return 2 if (os.cpu_count() or 1) >= 2 else 1


def resolve_run(given: dict[str, Any], api_version: str | None, file: FileConfig, report_dir: Path) -> RunConfig:
    """The run's configuration at `api_version`, every option checked (ConfigError: exit 2):
    the operation names of --only/--skip and of the file's overrides, and the baseline."""
    from conformance.openapi.catalog import spec_catalog
    from conformance.verdict.baseline import load_baseline

    options = {name: value for name, value in given.items() if name in {o.name for o in RUN_OPTIONS}}
    config = RunConfig.resolve(file=file, **{**options, "api_version": api_version, "report_dir": report_dir})
    if options.get("workers") is None and "workers" not in file.run:
        config = dataclasses.replace(config, workers=default_workers(config))
    catalog = spec_catalog()
    for key, names in (("operations", list(file.operations)),
                       ("skip", list(file.run.get("skip", ()))), ("only", list(file.run.get("only", ())))):
        try:
            catalog.resolve(names)
        except ValueError as exc:
            raise ConfigError(f"{file.path}: {key}: {exc}") from None
    try:
        for names in (config.only, config.skip):
            catalog.resolve(list(names))
        if config.baseline is not None:
            load_baseline(config.baseline)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    return config
