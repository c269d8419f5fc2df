"""Undo what a scenario created on the target, last first, also when the scenario failed."""

from __future__ import annotations

from collections.abc import Callable


class Cleanup:
    def __init__(self) -> None:
        self._steps: list[tuple[str, Callable[[], None]]] = []

    def add(self, what: str, undo: Callable[[], None]) -> None:
        """Register `undo` (which raises when it could not undo) under a description."""
        self._steps.append((what, undo))

    def run(self) -> list[str]:
        """Run every step, newest first; return the descriptions of the steps that failed."""
        failures: list[str] = []
        while self._steps:
            what, undo = self._steps.pop()
            try:
                undo()
            except Exception as exc:  # one failed undo must not stop the others
                failures.append(f"{what}: {exc}")
        return failures
