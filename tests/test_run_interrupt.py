"""Ctrl-C that lands where pytest cannot format the interrupt (seen once under load: a frame
without a line number made pytest's KeyboardInterrupt report raise TypeError) is still exit 130."""

from __future__ import annotations

from conformance.commands.run import _caused_by_interrupt


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
