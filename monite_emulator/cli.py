"""`monite-emulator`: run the emulator on uvicorn.

    monite-emulator [--host 127.0.0.1] [--port 8765] [--db PATH] [--rate-limit N] [--sync-delay S]

Bad options print one line and exit 2.
"""

from __future__ import annotations

import os
import sys

from enum import Enum

import typer
from typer.exceptions import Abort, Exit, TyperException

from monite_emulator import __version__

class LogLevel(str, Enum):
    critical = "critical"
    error = "error"
    warning = "warning"
    info = "info"
    debug = "debug"


app = typer.Typer(add_completion=False, help="Run the local Monite accounting API emulator.")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to bind."),
    port: int = typer.Option(8765, "--port", min=1, max=65535, help="TCP port."),
    db: str | None = typer.Option(None, "--db", help="SQLite file that survives restarts (default: in memory)."),
    rate_limit: int = typer.Option(10000, "--rate-limit", min=1, help="Requests per second per token."),
    sync_delay: float = typer.Option(0.5, "--sync-delay", min=0.0, max=3600.0,
                                     help="Seconds before a queued sync/push job is due."),
    public_url: str | None = typer.Option(None, "--public-url",
                                          help="Base URL used in connection_url (default: the request's)."),
    log_level: LogLevel = typer.Option(LogLevel.warning, "--log-level", help="uvicorn log level."),
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
    import uvicorn

    from monite_emulator.app import create_app
    from monite_emulator.settings import EmulatorSettings

    settings = EmulatorSettings(db_path=db, rate_limit_per_second=rate_limit,
                                sync_delay_seconds=sync_delay, public_base_url=public_url)
    application = create_app(settings)
    print(f"monite-emulator {__version__} on http://{host}:{port} (db: {db or 'in memory'})", flush=True)
    uvicorn.run(application, host=host, port=port, log_level=log_level.value)


def main(argv: list[str] | None = None) -> None:
    command = typer.main.get_command(app)
    try:
        command.main(args=argv if argv is not None else sys.argv[1:], prog_name="monite-emulator",
                     standalone_mode=False)
    except Exit as exc:
        sys.exit(exc.exit_code)
    except Abort:
        sys.exit(130)
    except TyperException as exc:  # usage errors (exit code 2) and other CLI errors
        message = " ".join(exc.format_message().split())
        print(f"monite-emulator: error: {message} (see --help)", file=sys.stderr)
        sys.exit(getattr(exc, "exit_code", 2) or 2)
    except OSError as exc:  # e.g. the port is taken
        print(f"monite-emulator: error: {exc}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
