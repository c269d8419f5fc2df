"""Observations a person can read: one row per assumption or probe, and the target's profile.

A run against a target that is not our emulator may report hundreds of observations for a
handful of choices (A32 ×102, A9 ×80, …). Every report shows them grouped by rule: the count,
one sentence saying what the target chose and what the emulator does, up to three example
requests (curl, redacted) and the tests that saw it; the full evidence stays in the
per-observation list. The *target profile* is each observed rule's choice in a stable,
comparable form (`{"A7": "a path id that is not a uuid → 422"}`), which `compare` diffs.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from conformance.redaction import redact

MAX_EXAMPLES = 3
MAX_TESTS = 10
MAX_CHOICES = 5
MAX_TOPIC_CHARS = 90
PROFILE_ARROW = " → "
# A choice read off an observation without a request status ("answered otherwise").
UNKNOWN_CHOICE = "otherwise"


def by_rule(observations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The observations grouped by rule id, the most frequent first (ties by id).

    Each group: rule, kind, source, statement (the emulator's choice, or the docs' disagreement),
    count, choices (what the target did, with counts), sentence, examples (request and curl of up
    to three observations), tests (up to ten, and tests_count), operations.
    """
    groups: dict[str, list[dict[str, Any]]] = {}
    for obs in observations:
        groups.setdefault(str(obs.get("rule", "")), []).append(obs)
    rows = [_group(rule, items) for rule, items in groups.items()]
    return sorted(rows, key=lambda row: (-row["count"], row["rule"]))


def _group(rule: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    statements = Counter(str(obs.get("statement") or "") for obs in items)
    # The most frequent wording; ties by the wording, so the same run gives the same row.
    statement = min(statements, key=lambda text: (-statements[text], text))
    first = items[0]
    choices = Counter(_choice(obs) for obs in items)
    tests = sorted({str(obs.get("test", "")) for obs in items if obs.get("test")})
    examples, seen = [], set()
    for obs in items:
        key = obs.get("request") or obs.get("message")
        if key in seen:
            continue
        seen.add(key)
        examples.append({"request": redact(str(obs.get("request") or "")), "curl": redact(str(obs.get("curl") or "")),
                         "test": str(obs.get("test", ""))})
        if len(examples) == MAX_EXAMPLES:
            break
    row = {
        "rule": rule,
        "kind": str(first.get("kind") or "assumption"),
        "source": str(first.get("source") or ""),
        "statement": statement,
        "count": len(items),
        "choices": dict(sorted(choices.items(), key=lambda item: (-item[1], item[0]))),
        "examples": examples,
        "tests": tests[:MAX_TESTS],
        "tests_count": len(tests),
        "operations": sorted({str(obs["operation"]) for obs in items if obs.get("operation")}),
    }
    row["sentence"] = sentence(row)
    return row


def _choice(obs: dict[str, Any]) -> str:
    return str(obs.get("choice") or "").strip() or UNKNOWN_CHOICE


_OPERATION = re.compile(r"\b(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|TRACE) /[^\s;,()]*")
_ASIDE = re.compile(r"\s*\([^()]*\)")


def topic(statement: str) -> str:
    """What a rule is about, in a few words, the same for every operation it was seen on: its
    statement up to the first ';', without asides in parentheses or operation names."""
    text = _ASIDE.sub("", statement).split(";", 1)[0]
    text = _OPERATION.sub("an operation", text).strip().rstrip(".")
    return text if len(text) <= MAX_TOPIC_CHARS else text[:MAX_TOPIC_CHARS - 1].rstrip() + "…"


def choices_text(choices: dict[str, int]) -> str:
    """What the target did, stable and short: its distinct choices, sorted ("404 | 422")."""
    shown = sorted(choices)[:MAX_CHOICES]
    return " | ".join(shown) + (" | …" if len(choices) > MAX_CHOICES else "")


def sentence(row: dict[str, Any]) -> str:
    """One sentence: what the target chose, and what the emulator does (or where the docs disagree)."""
    did = _did(row["choices"])
    seen = f"seen {row['count']}× in {row['tests_count']} test{'s' if row['tests_count'] != 1 else ''}"
    if row["kind"] == "probe":
        return redact(f"Where the docs disagree ({row['source']}: {_shortened(row['statement'])}): {did}; {seen}.")
    return redact(f"Where the docs are silent: {did}; the emulator's choice ({row['rule']}): "
                  f"{_shortened(row['statement'])}; {seen}.")


def _did(choices: dict[str, int]) -> str:
    """"the target answered 422 (5×), 404 (1×)", or the target's stated choices."""
    shown = list(choices.items())[:MAX_CHOICES]
    statuses = [f"{choice} ({count}×)" for choice, count in shown if choice[:1].isdigit()]
    stated = [f"{choice} ({count}×)" for choice, count in shown if not choice[:1].isdigit()]
    parts = ([f"the target answered {', '.join(statuses)}"] if statuses else []) + stated
    return "; ".join(parts) + ("; …" if len(choices) > MAX_CHOICES else "")


def _shortened(statement: str, limit: int = 240) -> str:
    return statement if len(statement) <= limit else statement[:limit - 1].rstrip() + "…"


def profile(rows: list[dict[str, Any]]) -> dict[str, str]:
    """The target's choice per observed assumption or probe: `{"A7": "<topic> → <choices>"}`.

    A rule that is not listed was not observed: the target did as the emulator does, or the run
    did not exercise it."""
    return {row["rule"]: f"{topic(row['statement'])}{PROFILE_ARROW}{choices_text(row['choices'])}"
            for row in sorted(rows, key=lambda row: row["rule"])}


def split_profile_entry(value: str) -> tuple[str, str]:
    """(topic, choice) of a profile entry."""
    topic_text, arrow, choice = str(value).rpartition(PROFILE_ARROW)
    return (topic_text, choice) if arrow else ("", str(value))
