"""`monite-emulator` stops on Ctrl-C at any moment with exit 130 and no traceback: while it loads,
while it serves, and while a request is in flight. The signal is sent at an event (a marker the
command writes, the line it prints, a request it has received), never after a sleep."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx

from tests.interrupt_support import Command, busy_cpu, start


def _serve(tmp_path: Path, *options: str, hold: str | None = None) -> Command:
    return start(["--port", "0", *options], tmp_path, hold=hold, module="monite_emulator")


def _origin(command: Command) -> str:
    assert command.process.stdout is not None
    line = command.process.stdout.readline()  # "monite-emulator X on http://127.0.0.1:PORT (...)"
    assert " on http://" in line, line
    return line.split(" on ", 1)[1].split(" ", 1)[0]


def _stopped_cleanly(command: Command) -> None:
    output = command.finish()
    assert command.returncode == 130, output
    assert "Traceback" not in output


def test_ctrl_c_while_loading_exits_130(tmp_path: Path) -> None:
    with busy_cpu():
        command = _serve(tmp_path, hold="loading")
        command.wait_for("holding loading")
        command.ctrl_c()
        _stopped_cleanly(command)
    assert "interrupted" in command.stderr


def test_ctrl_c_while_serving_exits_130(tmp_path: Path) -> None:
    command = _serve(tmp_path)
    origin = _origin(command)
    assert httpx.get(f"{origin}/_emulator").status_code == 200
    command.ctrl_c()
    _stopped_cleanly(command)


def test_ctrl_c_with_a_request_in_flight_exits_130(tmp_path: Path) -> None:
    command = _serve(tmp_path, "--fault", "operation=listTaxRates delay_seconds=60")
    origin = _origin(command)
    outcome: list[object] = []

    def call() -> None:
        try:
            outcome.append(httpx.get(f"{origin}/v1/accounting_tax_rates", timeout=120).status_code)
        except httpx.HTTPError as exc:
            outcome.append(type(exc).__name__)

    caller = threading.Thread(target=call)
    caller.start()
    # The request has arrived once its delay rule has fired (the control plane answers meanwhile).
    while not _delay_fired(origin):
        pass
    command.ctrl_c()
    _stopped_cleanly(command)
    caller.join()
    assert outcome, "the client got neither an answer nor an error"


def _delay_fired(origin: str) -> bool:
    return httpx.get(f"{origin}/_emulator/faults", timeout=30).json()["faults"][0]["hits"] > 0
