"""`monite-conformance`: one Typer app with the sub-commands of `conformance.commands`.

Errors never show a traceback: a bad option or configuration is one line and exit 2, an
unreachable target or rejected credentials one line and exit 3 (README "Exit codes").
"""

from __future__ import annotations

import os
import sys

# First of all, when this is the command being run: a Ctrl-C while the modules below load is
# noted, not a traceback; main() then exits 130 (conformance.interrupt).
from conformance import interrupt

_AS_COMMAND = __name__ == "__main__" or os.path.basename(sys.argv[0] if sys.argv else "") == "monite-conformance"
if _AS_COMMAND:
    interrupt.install(deferred=True)
    interrupt.moment("loading")

import typer  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.markup import escape  # noqa: E402

from conformance.commands import compare as compare_command  # noqa: E402
from conformance.commands import diff as diff_command  # noqa: E402
from conformance.commands import proxy as proxy_command  # noqa: E402
from conformance.commands import replay as replay_command  # noqa: E402
from conformance.commands import run as run_command  # noqa: E402
from conformance.errors import ConfigError, TargetUnreachable  # noqa: E402
from conformance.exit_codes import INTERRUPTED, UNREACHABLE, USAGE  # noqa: E402
from conformance.redaction import redact  # noqa: E402

PROG = "monite-conformance"
EXIT_USAGE, EXIT_UNREACHABLE, EXIT_INTERRUPTED = USAGE, UNREACHABLE, INTERRUPTED

app = typer.Typer(name=PROG, add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Conformance suite for Monite's accounting-integration API.")


@app.callback()
def _root() -> None:
    """Conformance suite for Monite's accounting-integration API."""


run_command.register(app)
diff_command.register(app)
compare_command.register(app)
proxy_command.register(app)
replay_command.register(app)


def _fail(message: str, code: int) -> int:
    """Print `message` as the one line of an error (no traceback) and return the exit code."""
    message = message.replace("Value error, ", "").strip().splitlines()[0] if message.strip() else "error"
    Console(stderr=True, highlight=False).print(
        f"{PROG}: error: {escape(redact(message))}", style="red", soft_wrap=True)
    return code


def main(argv: list[str] | None = None) -> None:
    """Console entry point: one line and exit 2 for a bad option, never a traceback."""
    args = sys.argv[1:] if argv is None else argv
    if _AS_COMMAND:
        try:
            interrupt.resume()  # loaded: from now on Ctrl-C interrupts (or is deferred where it must be)
            interrupt.check()
        except KeyboardInterrupt:
            print(f"{PROG}: interrupted", file=sys.stderr, flush=True)
            sys.exit(EXIT_INTERRUPTED)
    if not args:
        app(args=["--help"], prog_name=PROG, standalone_mode=False)
        sys.exit(EXIT_USAGE)
    try:
        code = app(args=args, prog_name=PROG, standalone_mode=False)
    except ConfigError as exc:
        code = _fail(str(exc), EXIT_USAGE)
    except TargetUnreachable as exc:
        code = _fail(str(exc), EXIT_UNREACHABLE)
    except typer.TyperException as exc:  # click's usage errors (exit 2) and other CLI errors
        code = _fail(exc.format_message(), exc.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        code = EXIT_INTERRUPTED
    except typer.Exit as exc:
        code = exc.exit_code
    if code == EXIT_INTERRUPTED:  # Ctrl-C (Typer turns a KeyboardInterrupt into exit 130 too)
        print(f"{PROG}: interrupted", file=sys.stderr, flush=True)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
