"""The README's rule table is the rule table: every id with its level, nothing stale."""

from __future__ import annotations

from pathlib import Path

from conformance.diff.render.rule_table import rule_table_markdown

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_lists_every_diff_rule_with_its_level() -> None:
    text = README.read_text(encoding="utf-8")
    assert rule_table_markdown() in text, (
        "README's diff rule table is out of date: paste conformance.diff.render.rule_table.rule_table_markdown()")
