"""Drive `monite-conformance` / `monite-emulator` to a moment and press Ctrl-C there.

The command marks each moment in a file (MONITE_TEST_MOMENTS, `conformance.interrupt.moment`)
and waits at the one MONITE_TEST_HOLD names until the signal comes, so the signal lands at that
moment however busy the machine is: the tests wait for events, never for a time. `busy_cpu`
keeps one core spinning in a child process for the duration, as other work would.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.cli_support import REPO

HANG_GUARD_SECONDS = 600  # only a hung command hits it; no assertion depends on elapsed time


@dataclass
class Command:
    process: subprocess.Popen[str]
    moments: Path
    stdout: str = ""
    stderr: str = ""

    def lines(self) -> list[str]:
        try:
            return self.moments.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []

    def wait_for(self, line: str) -> None:
        """Block until the command has written `line` to its moments file (or has ended)."""
        import select

        # inotify is not in the standard library: poll the file, cheaply, until the line is there.
        while line not in self.lines():
            if self.process.poll() is not None:
                raise AssertionError(f"the command ended (exit {self.process.returncode}) before {line!r}; "
                                     f"moments: {self.lines()}\n{self.finish()}")
            select.select([], [], [], 0.02)

    def ctrl_c(self) -> None:
        self.process.send_signal(signal.SIGINT)

    def finish(self) -> str:
        try:
            self.stdout, self.stderr = self.process.communicate(timeout=HANG_GUARD_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.stdout, self.stderr = self.process.communicate()
        return self.stdout + self.stderr

    @property
    def returncode(self) -> int:
        return self.process.returncode


def start(args: list[str], tmp_path: Path, hold: str | None, env: dict[str, str] | None = None,
          hold_signals: int = 1, module: str = "conformance.cli") -> Command:
    """`python -m <module> <args>` with the moment hooks on, holding at `hold`."""
    moments = tmp_path / "moments.txt"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MONITE_")}
    environment.update(env or {})
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), environment.get("PYTHONPATH")]))
    environment.update(PYTHONUNBUFFERED="1", COLUMNS="200", MONITE_TEST_MOMENTS=str(moments))
    if hold:
        environment["MONITE_TEST_HOLD"] = hold
        environment["MONITE_TEST_HOLD_SIGNALS"] = str(hold_signals)
    process = subprocess.Popen([sys.executable, "-m", module, *args], cwd=tmp_path, env=environment,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return Command(process, moments)


@contextlib.contextmanager
def busy_cpu() -> Iterator[None]:
    """A child process spinning on one core while the block runs."""
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield
    finally:
        spinner.kill()
        spinner.wait()
