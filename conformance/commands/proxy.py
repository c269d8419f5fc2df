"""`monite-conformance proxy`: check a dependent service's traffic against the spec, live.

    monite-conformance proxy --upstream URL [--port N] [--report-dir DIR] [--fail-on request|response|any] [--record]

Point the service at the printed base URL instead of Monite's (or the emulator's). On
SIGINT/SIGTERM the proxy writes its reports and exits 1 when the `--fail-on` side broke a
rule, else 0; `GET /_proxy/report` or SIGUSR1 writes them without stopping. `--record` also
writes every forwarded exchange, redacted, to exchanges.har (as `run --record`; `replay` reads it). A bad option
is one line and exit 2; an upstream that does not answer at start, one line and exit 3.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from conformance import config_file
from conformance import interrupt
from conformance.errors import ConfigError
from conformance.options import CONFIG, NO_CONFIG
from conformance.proxy.fail_on import FailOn
from conformance.redaction import redact

DEFAULT_PORT = 8766  # the emulator's default is 8765


def register(app: typer.Typer) -> None:
    app.command("proxy")(proxy)


def proxy(
    upstream: Annotated[str | None, typer.Option(
        help="the API root the service would use: https://api.sandbox.monite.com/v1, http://127.0.0.1:8765/v1 "
             "(or [proxy] upstream in the configuration file)")] = None,
    port: Annotated[int | None, typer.Option(min=0, max=65535,
                                             help=f"loopback port to listen on (0: any free port; default {DEFAULT_PORT})")]
    = None,
    report_dir: Annotated[Path | None, typer.Option(
        help="where the reports go (default: reports/proxy-<timestamp>/)")] = None,
    fail_on: Annotated[FailOn | None, typer.Option(
        help="exit 1 when the service's requests, the upstream's responses, or either broke a rule "
             "(default: request)")] = None,
    record: Annotated[bool | None, typer.Option(
        "--record", help=escape("write every forwarded exchange, redacted, to exchanges.har (HAR 1.2) in the "
                                "report folder; `replay` judges it again (or record = true in [proxy])"),
        show_default=False)]
    = None,
    config: Annotated[Path | None, typer.Option(help=escape(CONFIG.help))] = None,
    no_config: Annotated[bool, typer.Option("--no-config", help=NO_CONFIG.help)] = False,
) -> int:
    """Forward a service's calls to Monite (or the emulator) and check every request and response against the spec."""
    from conformance.proxy.server import ProxySession, base_url_of, bind_loopback, serve_until_signalled
    from conformance.proxy.upstream import parse_upstream, probe_upstream

    # Flags first, then the configuration file's [proxy] table, then the defaults.
    file = config_file.load(config, disabled=no_config).proxy
    upstream = upstream or file.get("upstream")
    if upstream is None:
        raise ConfigError("give --upstream (or upstream in the [proxy] table of a configuration file)")
    port = port if port is not None else file.get("port", DEFAULT_PORT)
    report_dir = report_dir or file.get("report_dir")
    fail_on = fail_on or FailOn(file.get("fail_on", FailOn.request.value))
    record = record if record is not None else bool(file.get("record", False))

    target = probe_upstream(parse_upstream(upstream))
    folder = report_dir or _default_folder()
    try:
        folder.mkdir(parents=True, exist_ok=True)  # now, not at exit: a bad folder is a usage error
    except OSError as exc:
        raise ConfigError(f"cannot write reports to {folder}: {exc.strerror or exc}") from None
    try:
        sock = bind_loopback(port)
    except OSError as exc:
        raise ConfigError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}") from None
    session = ProxySession(target, folder, fail_on, record=record)
    interrupt.moment("before-serving")
    print(redact(f"monite-conformance proxy: {base_url_of(sock)} -> {target.base_url}"
                 f"{' (emulator)' if target.is_emulator else ''}; reports in {folder}; fail on {fail_on.value}"
                 f"{'; recording to exchanges.har' if record else ''}"),
          flush=True)
    code = serve_until_signalled(session, sock)
    traffic = session.traffic()
    print(f"monite-conformance proxy: {traffic.exchanges} exchanges, {traffic.counts['request']} request and "
          f"{traffic.counts['response']} response violations, {traffic.counts['observations']} observations; "
          f"reports in {folder}; exit {code}", flush=True)
    return code


def _default_folder() -> Path:
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    folder, n = Path("reports") / f"proxy-{stamp}", 1
    while folder.exists():
        n += 1
        folder = Path("reports") / f"proxy-{stamp}-{n}"
    return folder
