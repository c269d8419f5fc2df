"""`monite-conformance replay FILE`: judge a recorded run or proxy session (exchanges.har) again, offline.

Exit codes (the one table): 0 no violation on the `--fail-on` side (default: the target's
responses), 1 there is one, 2 a usage error (a missing or unreadable file, a bad spec).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from conformance.errors import ConfigError
from conformance.proxy.fail_on import FailOn


def register(app: typer.Typer) -> None:
    app.command("replay")(replay)


def replay(
    har: Annotated[Path, typer.Argument(help="exchanges.har of a run or a proxy session made with --record",
                                        show_default=False)],
    spec: Annotated[Path | None, typer.Option(help="judge by this OpenAPI file instead of our spec")] = None,
    api_version: Annotated[str | None, typer.Option(
        help="judge by our spec at this API version [default: the recorded run's]")] = None,
    report_dir: Annotated[Path | None, typer.Option(
        help="where the reports go [default: replay/ beside FILE]")] = None,
    fail_on: Annotated[FailOn, typer.Option(
        help="which side's violations exit 1: the target's responses (default; the suite sends invalid "
             "requests on purpose), the requests, or any")] = FailOn.response,
) -> int:
    """Judge a recorded run's exchanges against the current spec and checks, with no network."""
    from conformance.proxy.replay import replay as replay_har

    folder = report_dir or har.parent / "replay"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot write reports to {folder}: {exc.strerror or exc}") from None
    written = replay_har(har, folder, fail_on, spec, api_version)
    counts = written["counts"]
    print(f"monite-conformance replay: {counts['exchanges']} exchanges, {counts['request_violations']} request and "
          f"{counts['response_violations']} response violations, {counts['observations']} observations; "
          f"reports in {folder}; {written['verdict']} (exit {written['exit_code']})", flush=True)
    return int(written["exit_code"])
