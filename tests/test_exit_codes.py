"""The one exit-code policy (conformance.exit_codes): every command's outcome, one code, and the
README's table says the same."""

from __future__ import annotations

import re
from pathlib import Path

from conformance.exit_codes import EXIT_CODES, OUTCOMES, exit_code, worst

README = Path(__file__).resolve().parents[1] / "README.md"


def _readme_table() -> dict[str, int]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Exit codes\n"):]
    section = section[:section.index("\n## ", 5)]
    table: dict[str, int] = {}
    for code, outcomes in re.findall(r"^\| (\d+) \| ([^|]+) \|", section, flags=re.M):
        for outcome in re.findall(r"`([a-z-]+)`", outcomes):
            table[outcome] = int(code)
    return table


def test_the_readme_table_is_the_policy() -> None:
    assert _readme_table() == EXIT_CODES


def test_the_same_outcome_has_the_same_code_for_every_command() -> None:
    assert exit_code("failures") == exit_code("violations") == exit_code("differences") == 1
    assert exit_code("conforms") == exit_code("clean") == exit_code("no-difference") == 0
    assert exit_code("usage") == exit_code("no-tests") == 2
    assert exit_code("something unknown") == exit_code("error") == 4
    assert all(meaning for _, meaning in OUTCOMES.values())


def test_several_runs_exit_with_the_worst_code() -> None:
    assert worst([]) == 0 and worst([0, 5]) == 5 and worst([5, 1]) == 1 and worst([1, 3]) == 3
    assert worst([3, 4]) == 4 and worst([4, 2]) == 2 and worst([2, 130]) == 130 and worst([0, 7]) == 7
