"""Ctrl-C stops `monite-conformance run` at every moment, with exit 130 and an "interrupted" verdict
in what could be written. Also: Ctrl-C that lands where pytest cannot format the interrupt (seen
once under load: a frame without a line number made pytest's KeyboardInterrupt report raise
TypeError) is still exit 130."""

from __future__ import annotations

import contextlib
import json
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance.commands.run import _caused_by_interrupt
from tests.interrupt_support import Command, busy_cpu, start


def _raised_while_handling_an_interrupt() -> BaseException:
    try:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            None - 1  # type: ignore[operator]  # what pytest's traceback formatting hit
    except TypeError as exc:
        return exc
    raise AssertionError("unreachable")


def test_an_error_while_handling_ctrl_c_counts_as_the_interrupt() -> None:
    assert _caused_by_interrupt(_raised_while_handling_an_interrupt())
    assert _caused_by_interrupt(KeyboardInterrupt())


def test_any_other_error_does_not() -> None:
    try:
        try:
            raise ValueError("x")
        except ValueError:
            raise RuntimeError("y")
    except RuntimeError as exc:
        assert not _caused_by_interrupt(exc)


# -- Ctrl-C at every moment of `monite-conformance run` ---------------------------------------
# Each test holds the command at one moment (conformance.interrupt.moment), presses Ctrl-C there
# and checks the exit code, the verdict in what could be written, and that nothing was lost.

NARROW = ["run", "--suite", "scenario", "--only", "tax-rates"]


def _summary(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))


def _interrupted_at(moment: str, tmp_path: Path, args: list[str] | None = None,
                    env: dict[str, str] | None = None) -> tuple[Command, Path]:
    out = tmp_path / "out"
    command = start([*(args or NARROW), "--report-dir", str(out)], tmp_path, hold=moment, env=env)
    command.wait_for(f"holding {moment}")
    command.ctrl_c()
    command.finish()
    return command, out


def _assert_130_without_traceback(command: Command) -> None:
    assert command.returncode == 130, command.stdout + command.stderr
    assert "Traceback" not in command.stdout + command.stderr


@pytest.mark.parametrize("load", ["busy"])
def test_ctrl_c_while_loading_exits_130_without_a_traceback(tmp_path: Path, load: str) -> None:
    with busy_cpu() if load == "busy" else _nothing():
        command, out = _interrupted_at("loading", tmp_path)
    _assert_130_without_traceback(command)
    assert "interrupted" in command.stderr
    assert not out.exists()  # nothing had started: nothing is written


def test_ctrl_c_before_pytest_starts_exits_130(tmp_path: Path) -> None:
    command, out = _interrupted_at("before-pytest", tmp_path)
    _assert_130_without_traceback(command)
    assert "interrupted" in command.stderr


@pytest.mark.parametrize("load", ["idle"])
def test_ctrl_c_during_collection_gives_an_interrupted_verdict(tmp_path: Path, load: str) -> None:
    with busy_cpu() if load == "busy" else _nothing():
        command, out = _interrupted_at("collection", tmp_path)
    _assert_130_without_traceback(command)
    assert _summary(out)["verdict"] == "interrupted"
    assert "interrupted: results are partial (exit 130)" in command.stdout


@pytest.mark.parametrize("load", ["busy"])
def test_ctrl_c_during_a_test_stops_the_run_with_partial_reports(tmp_path: Path, load: str) -> None:
    with busy_cpu() if load == "busy" else _nothing():
        command, out = _interrupted_at("test", tmp_path)
    _assert_130_without_traceback(command)
    summary = _summary(out)
    assert summary["verdict"] == "interrupted"
    assert summary["counts"]["total"] < 5, summary["counts"]  # it stopped: the rest did not run
    for name in ("report.html", "junit.xml", "summary.md"):
        assert (out / name).stat().st_size > 0, name


def test_ctrl_c_during_a_retry_after_wait_stops_the_run(tmp_path: Path) -> None:
    command, out = _interrupted_at("retry-after-wait", tmp_path,
                                   args=[*NARROW, "--target", "asgi:tests.interrupt_targets:tax_rates_rate_limited"])
    _assert_130_without_traceback(command)
    assert _summary(out)["verdict"] == "interrupted"


@pytest.mark.parametrize("load", ["idle"])
def test_ctrl_c_while_reports_are_written_finishes_them_with_an_interrupted_verdict(tmp_path: Path,
                                                                                   load: str) -> None:
    with busy_cpu() if load == "busy" else _nothing():
        command, out = _interrupted_at("reports", tmp_path)
    _assert_130_without_traceback(command)
    summary = _summary(out)
    assert summary["verdict"] == "interrupted"
    assert summary["counts"]["passed"] > 0  # every test had run; the verdict says the run was stopped
    assert "interrupted" in (out / "summary.md").read_text(encoding="utf-8")


def test_a_ctrl_c_swallowed_by_a_library_still_stops_the_run() -> None:
    """The checkpoint raises again what a library caught (conformance.interrupt)."""
    from conformance import interrupt

    interrupt.reset()
    interrupt.install()
    try:
        try:
            signal.raise_signal(signal.SIGINT)
        except KeyboardInterrupt:
            pass  # what a library's `except BaseException` does
        with pytest.raises(KeyboardInterrupt):
            interrupt.check()
        interrupt.handled()
        interrupt.check()  # handled: no second stop for the same Ctrl-C
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        interrupt.reset()
        interrupt._installed = False


def test_the_first_ctrl_c_is_deferred_the_second_is_not() -> None:
    from conformance import interrupt

    interrupt.reset()
    interrupt.install()
    try:
        with interrupt.deferred():
            signal.raise_signal(signal.SIGINT)  # noted only
            interrupt.check()  # deferred: no raise here
            with pytest.raises(KeyboardInterrupt):
                signal.raise_signal(signal.SIGINT)  # insisted
        assert interrupt.count() == 2 and interrupt.insisted()
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        interrupt.reset()
        interrupt._installed = False



@contextlib.contextmanager
def _nothing() -> Iterator[None]:
    yield


def test_ctrl_c_in_a_differential_run_stops_the_run_in_progress_and_skips_the_rest(tmp_path: Path) -> None:
    out = tmp_path / "out"
    command = start([*NARROW, "--api-version", "2023-09-01", "--api-version", "2024-05-25", "--report-dir", str(out)],
                    tmp_path, hold="test")
    command.wait_for("holding test")  # the first version's run, at its first test
    command.ctrl_c()  # to the differential command only, as the terminal's Ctrl-C (its runs have their own group)
    command.finish()
    _assert_130_without_traceback(command)
    assert _summary(out / "2023-09-01")["verdict"] == "interrupted"
    assert not (out / "2024-05-25").exists()  # the rest is skipped
    assert not (out / "compare.json").exists()
    assert "interrupted; no comparison, API 2024-05-25 not run" in command.stdout


# -- on a target without the control plane: pacing and cleanup ---------------------------------

def _on_sandbox_like(tmp_path: Path, hold: str, args: list[str], hold_signals: int = 1,
                     signals: int = 1) -> tuple[Command, Path, list]:
    from tests.deployments.launcher import serve

    out = tmp_path / "out"
    with serve("control_plane_hidden", rate_limit=30) as served:
        command = start([*args, "--report-dir", str(out)], tmp_path, hold=hold, env=served.env,
                        hold_signals=hold_signals)
        command.wait_for(f"holding {hold}")
        for n in range(1, signals + 1):
            command.ctrl_c()
            command.wait_for(f"sigint {n}")  # noted before the next one is sent
        command.finish()
        left = served.left_behind()
    return command, out, left


def test_ctrl_c_during_a_pacing_wait_stops_the_run(tmp_path: Path) -> None:
    command, out, left = _on_sandbox_like(tmp_path, "pacing-wait", NARROW)
    _assert_130_without_traceback(command)
    assert _summary(out)["verdict"] == "interrupted"
    assert left == []


LEDGER = ["run", "--suite", "property", "--only", "createLedgerAccount", "--rate-limit", "0"]


def test_ctrl_c_during_cleanup_lets_it_finish_then_stops(tmp_path: Path) -> None:
    command, out, left = _on_sandbox_like(tmp_path, "cleanup", LEDGER)
    _assert_130_without_traceback(command)
    assert _summary(out)["verdict"] == "interrupted"
    assert left == [], left  # everything the run created is gone
    assert "abandoned" not in command.stdout


def test_a_second_ctrl_c_during_cleanup_abandons_it_and_says_what_is_left(tmp_path: Path) -> None:
    command, out, left = _on_sandbox_like(tmp_path, "cleanup", LEDGER, hold_signals=2, signals=2)
    _assert_130_without_traceback(command)
    assert left, "the second Ctrl-C left nothing behind: the cleanup was not abandoned"
    for leftover in left:
        assert leftover.id in command.stdout, (leftover, command.stdout)
    assert "cleanup abandoned at a second Ctrl-C; left on the target" in command.stdout
