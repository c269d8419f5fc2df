"""`monite-emulator`: run the emulator on uvicorn.

    monite-emulator [--host 127.0.0.1] [--port 8765] [--db PATH] [--rate-limit N] [--sync-delay S]
                    [--fault SPEC ...] [--faults FILE]

Bad options print one line and exit 2; Ctrl-C (or SIGINT) at any moment exits 130 without a
traceback: while the modules load it is noted and acted on once they are loaded, while serving
uvicorn shuts down (open requests get `timeout_graceful_shutdown` seconds).
"""

from __future__ import annotations

import os
import signal
import sys

_interrupts: list[int] = []


def _note_interrupt(signum: int, frame: object) -> None:
    _interrupts.append(signum)


_ARGV0 = sys.argv[0] if sys.argv else ""
_AS_COMMAND = (__name__ == "__main__" or os.path.basename(_ARGV0) == "monite-emulator"
               or _ARGV0.endswith(os.path.join("monite_emulator", "__main__.py")))
if _AS_COMMAND:  # before the heavy imports below: a Ctrl-C now is noted, not a traceback
    signal.signal(signal.SIGINT, _note_interrupt)
    if os.environ.get("MONITE_TEST_MOMENTS"):  # test-only hook, as conformance.interrupt.moment
        with open(os.environ["MONITE_TEST_MOMENTS"], "a", encoding="utf-8") as _moments:
            _moments.write("holding loading\n" if os.environ.get("MONITE_TEST_HOLD") == "loading" else "at loading\n")
        if os.environ.get("MONITE_TEST_HOLD") == "loading":
            while not _interrupts:
                signal.pause()

import logging  # noqa: E402
import shlex  # noqa: E402
from enum import Enum  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import typer  # noqa: E402
import yaml  # noqa: E402
from typer.exceptions import Abort, Exit, TyperException  # noqa: E402

from monite_emulator import __version__  # noqa: E402

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as the shell reports a Ctrl-C


class LogLevel(str, Enum):
    critical = "critical"
    error = "error"
    warning = "warning"
    info = "info"
    debug = "debug"


FAULT_HELP = (
    "A fault rule as space-separated key=value pairs, e.g. 'operation=getLedgerAccount status=503 times=2' "
    "or 'method=GET path=/v1/ledger_accounts/* drop=true probability=0.1 seed=7' "
    "(keys: see monite_emulator/README.md, \"Fault rules\"). Repeatable. Reset restores these rules."
)

app = typer.Typer(add_completion=False, help="Run the local Monite accounting API emulator.")


def _scalar(text: str) -> Any:
    """A key=value value as JSON would carry it: integer, number, boolean, null, else the text."""
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("null", "none"):
        return None
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return text


def parse_fault_spec(spec: str) -> dict[str, Any]:
    """``'operation=getLedgerAccount status=503'`` -> ``{"operation": "getLedgerAccount", "status": 503}``."""
    rule: dict[str, Any] = {}
    try:
        parts = shlex.split(spec)  # quotes keep spaces: message='the platform is down'
    except ValueError as exc:
        raise typer.BadParameter(f"{spec!r}: {exc}", param_hint="'--fault'") from None
    for part in parts:
        key, sep, value = part.partition("=")
        if not sep or not key:
            raise typer.BadParameter(f"{spec!r}: expected key=value pairs, got {part!r}", param_hint="'--fault'")
        rule[key.strip()] = _scalar(value.strip())
    if not rule:
        raise typer.BadParameter("an empty fault rule", param_hint="'--fault'")
    return rule


def read_fault_file(path: Path) -> list[dict[str, Any]]:
    """A YAML (or JSON) file: a list of rules, or a mapping with the list under ``faults``."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise typer.BadParameter(f"cannot read {str(path)!r}: {exc.strerror}", param_hint="'--faults'") from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 1})" if where is not None else ""
        raise typer.BadParameter(f"{str(path)!r} is not valid YAML{line}", param_hint="'--faults'") from None
    if isinstance(data, dict) and set(data) == {"faults"}:
        data = data["faults"]
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise typer.BadParameter(f"{str(path)!r} must hold a list of fault rules (mappings), or 'faults:' with one",
                                 param_hint="'--faults'")
    return data


def check_faults(rules: list[tuple[str, dict[str, Any]]]) -> None:
    """Validate every rule as the control plane would, naming the option and the bad field."""
    from monite_emulator.app import operation_ids
    from monite_emulator.model.errors import Invalid
    from monite_emulator.model.faults import FaultBook

    book = FaultBook(operation_ids())
    for hint, rule in rules:
        try:
            book.add(rule)
        except Invalid as exc:
            raise typer.BadParameter(exc.message, param_hint=hint) from None


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to bind."),
    port: int = typer.Option(8765, "--port", min=0, max=65535,
                             help="TCP port (0: any free port; the first line printed names it)."),
    db: str | None = typer.Option(None, "--db", help="SQLite file that survives restarts (default: in memory)."),
    rate_limit: int = typer.Option(10000, "--rate-limit", min=1, help="Requests per second per token."),
    sync_delay: float = typer.Option(0.5, "--sync-delay", min=0.0, max=3600.0,
                                     help="Seconds before a queued sync/push job is due."),
    public_url: str | None = typer.Option(None, "--public-url",
                                          help="Base URL used in connection_url (default: the request's)."),
    fault: list[str] = typer.Option([], "--fault", help=FAULT_HELP),
    faults_file: Path | None = typer.Option(None, "--faults", help="A YAML file with a list of fault rules."),
    log_level: LogLevel = typer.Option(LogLevel.warning, "--log-level", help="Log level (uvicorn and emulator)."),
    version: bool = typer.Option(False, "--version", help="Print the version and exit."),
) -> None:
    """Serve the emulator: the API under /v1, the control plane under /_emulator/."""
    if version:
        print(f"monite-emulator {__version__}")
        return
    if db is not None:
        parent = os.path.dirname(os.path.abspath(db))
        if not os.path.isdir(parent):
            raise typer.BadParameter(f"directory {parent!r} does not exist", param_hint="'--db'")
    rules = [(f"'--fault {spec}'", parse_fault_spec(spec)) for spec in fault]
    if faults_file is not None:
        rules += [(f"'--faults {faults_file}' rule {n}", rule) for n, rule in enumerate(read_fault_file(faults_file), 1)]
    check_faults(rules)

    from monite_emulator.app import create_app
    from monite_emulator.serve import bind, serve_forever
    from monite_emulator.settings import EmulatorSettings

    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("monite-emulator: %(levelname)s: %(message)s"))
    emulator_log = logging.getLogger("monite_emulator")
    emulator_log.addHandler(handler)
    emulator_log.setLevel(log_level.value.upper())
    settings = EmulatorSettings(db_path=db, rate_limit_per_second=rate_limit, sync_delay_seconds=sync_delay,
                                public_base_url=public_url, faults=[rule for _, rule in rules])
    application = create_app(settings)
    sock = bind(host, port)
    port = sock.getsockname()[1]
    print(f"monite-emulator {__version__} on http://{host}:{port} (db: {db or 'in memory'}"
          f"{f', {len(rules)} fault rule(s)' if rules else ''})", flush=True)
    logging.getLogger("uvicorn.error").addFilter(_CancelledAtShutdown())
    stopped_by = serve_forever(application, sock, log_level.value)
    if signal.SIGINT in stopped_by:
        raise Exit(EXIT_INTERRUPTED)


class _CancelledAtShutdown(logging.Filter):
    """Requests still open when the graceful shutdown times out are cancelled; uvicorn logs each
    with a traceback. One line for all of them instead (printed after the server stopped)."""

    cancelled = 0

    def filter(self, record: logging.LogRecord) -> bool:
        import asyncio

        if record.exc_info and isinstance(record.exc_info[1], asyncio.CancelledError):
            type(self).cancelled += 1
            return False
        return True


def main(argv: list[str] | None = None) -> None:
    if _AS_COMMAND:
        signal.signal(signal.SIGINT, signal.default_int_handler)  # loaded: Ctrl-C interrupts from now on
        if _interrupts:
            print("monite-emulator: interrupted", file=sys.stderr)
            sys.exit(EXIT_INTERRUPTED)
    command = typer.main.get_command(app)
    try:
        code = command.main(args=argv if argv is not None else sys.argv[1:], prog_name="monite-emulator",
                            standalone_mode=False)
        if isinstance(code, int) and code:  # an Exit(code) comes back as the return value here
            sys.exit(code)
    except Exit as exc:
        sys.exit(exc.exit_code)
    except (Abort, KeyboardInterrupt):
        sys.exit(EXIT_INTERRUPTED)
    except TyperException as exc:  # usage errors (exit code 2) and other CLI errors
        message = " ".join(exc.format_message().split())
        print(f"monite-emulator: error: {message} (see --help)", file=sys.stderr)
        sys.exit(getattr(exc, "exit_code", 2) or 2)
    except OSError as exc:  # e.g. the port is taken
        print(f"monite-emulator: error: {exc}", file=sys.stderr)
        sys.exit(1)
    finally:
        if _CancelledAtShutdown.cancelled:
            print(f"monite-emulator: {_CancelledAtShutdown.cancelled} request(s) still open at shutdown "
                  "were cancelled", file=sys.stderr)


if __name__ == "__main__":
    main()
