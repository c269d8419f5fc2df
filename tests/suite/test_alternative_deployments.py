"""Issue 9, item 7: the whole suite passes every alternative deployment, and harms nothing there.

An alternative deployment is the emulator seeded like a sandbox entity (a connected connection,
12 ledger accounts, synced records, a second entity), its control plane hidden, behind a variant
that makes one docs-legal choice where the docs are silent (`tests/deployments/`). Against each,
the quick profile of the whole suite (property + scenarios), run as a user runs it (the CLI, or
plain pytest), must give:

- exit 0 and no failure: the variant follows the docs, so any failure is a false alarm;
- observations naming the assumption the variant departs from (CLI: summary.json);
- every pre-existing connection, ledger account, synced record and tax rate exactly as before,
  and no state-changing request (disconnect, sync, push, PATCH, DELETE) naming one of them sent;
- nothing the run created left behind;
- with the lifecycle entity (MONITE_LIFECYCLE_ENTITY_ID, issue 16): every documented success
  status exercised but the two a run cannot reach there (sync: its connection stays
  pending_auth; push: it would change the user's records), each listed with its reason in
  summary.json's `sandbox`, and the 429 probe run once, its cost there too (CLI).

Time: one run takes 90-140 s over loopback on the 2-core machine (suite-bound, see
`python -m tests.deployments run`), so the full matrix (every deployment x CLI and pytest, about
40 runs) takes more than an hour. By default two runs stand for it: every variant at once
(`all_at_once`) through the CLI, and the control plane hidden with no other difference through
plain pytest (the README's other way to run). `MONITE_DEPLOYMENTS=full` runs the full matrix,
plus the realistic 30 requests/s run (no 429 may be seen); `MONITE_DEPLOYMENTS=name,name` runs
those deployments both ways.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.deployments.launcher import serve
from tests.deployments.registry import DEPLOYMENTS, observation_groups, success_replaced
from tests.deployments.runs import Outcome, run_with_cli, run_with_pytest
from tests.deployments import timeline
from tests.deployments.sandbox import REALISTIC_RATE_LIMIT, SANDBOX_RATE_LIMIT

ENV = "MONITE_DEPLOYMENTS"
SHOWN = 15  # list at most this many items of each kind of problem


@dataclass(frozen=True)
class Case:
    how: str  # "cli" | "pytest"
    deployment: str
    rate_limit: int = SANDBOX_RATE_LIMIT

    @property
    def id(self) -> str:
        limited = f"-{self.rate_limit}rps" if self.rate_limit != SANDBOX_RATE_LIMIT else ""
        return f"{self.how}-{self.deployment}{limited}"


def _cases() -> list[Case]:
    chosen = os.environ.get(ENV, "").strip()
    if chosen == "full":
        cases = [Case(how, name) for name in DEPLOYMENTS for how in ("cli", "pytest")]
        return cases + [Case("cli", "control_plane_hidden", REALISTIC_RATE_LIMIT)]
    if chosen:
        names = [name.strip() for name in chosen.split(",") if name.strip()]
        unknown = sorted(set(names) - set(DEPLOYMENTS))
        if unknown:
            raise pytest.UsageError(f"{ENV}: unknown deployment(s) {', '.join(unknown)}; see tests/deployments/registry.py")
        return [Case(how, name) for name in names for how in ("cli", "pytest")]
    return [Case("cli", "all_at_once"), Case("pytest", "control_plane_hidden")]


CASES = _cases()


def problems_of(case: Case, outcome: Outcome) -> list[str]:
    """Everything that keeps the run from the target state, each with its evidence."""
    problems: list[str] = []
    if outcome.returncode != 0:
        problems.append(f"exit code {outcome.returncode}, expected 0")
    if outcome.failures:
        problems.append(f"{len(outcome.failures)} failures (false alarms: the deployment follows the docs):")
        problems += [f"  {test}: {text.strip().splitlines()[0][:240] if text.strip() else ''}"
                     for test, text in list(outcome.failures.items())[:SHOWN]]
    groups = observation_groups(case.deployment)
    if case.how == "cli" and groups:
        if outcome.summary is None:
            problems.append("no summary.json was written")
        else:
            observed = outcome.observed_rules()
            for group in groups:
                if not observed & set(group):
                    problems.append(f"no observation names {' or '.join(group)} (an assumption the deployment "
                                    f"departs from); observed rules: {', '.join(sorted(observed)) or 'none'}")
    if case.how == "cli" and outcome.summary is not None:
        # The run paces to the limit the deployment advertises (issue 17): summary.json says which.
        pacing = outcome.summary.get("pacing", {})
        if pacing.get("advertised_limit") != case.rate_limit or not pacing.get("requests"):
            problems.append(f"summary.json does not say the run paced to the advertised {case.rate_limit} "
                            f"requests/s: {pacing}")
        problems += lifecycle_problems(outcome.summary, UNREACHABLE_SUCCESS | success_replaced(case.deployment))
    if outcome.changed:
        problems.append(f"{len(outcome.changed)} pre-existing resources changed:")
        problems += [f"  {change.describe()[:300]}" for change in outcome.changed[:SHOWN]]
        problems.append("  by these requests:")
        for entry, test in outcome.changing_requests[:SHOWN]:
            job = f" (a job queued by {entry.queued_by.line()} ran at its start)" if entry.queued_by else ""
            problems.append(f"  {entry.line()}{job} in {test}")
    if outcome.touching_requests:
        problems.append(f"{len(outcome.touching_requests)} state-changing requests named a pre-existing resource "
                        "(only resources the run created may be changed):")
        problems += [f"  {entry.line()} in {test}" for entry, test in outcome.touching_requests[:SHOWN]]
    if outcome.left_behind:
        problems.append(f"{len(outcome.left_behind)} created resources left behind:")
        problems += [f"  {leftover.describe()}" for leftover in outcome.left_behind[:SHOWN]]
    return problems


# Documented success statuses a run cannot reach on a sandbox-like target even with the lifecycle
# entity (conformance/report/sandbox.py gives the reasons), and nothing else.
UNREACHABLE_SUCCESS = {("syncAccountingConnection", "202"), ("pushSyncedRecord", "200")}
PROBE_TEST = "test_advertised_limit_answers_429_then_lets_the_client_back"


def lifecycle_problems(summary: dict, unreachable: set[tuple[str, str]]) -> list[str]:
    section = summary.get("sandbox") or {}
    problems = []
    unseen = {(item["operation"], item["status"]) for item in section.get("not_exercised", [])}
    if unseen != unreachable:
        problems.append(f"documented success statuses not exercised: {sorted(unseen)}, expected exactly "
                        f"{sorted(unreachable)} (with the lifecycle entity)")
    if any(not item.get("reason") for item in section.get("not_exercised", [])):
        problems.append("a success status not exercised has no reason in summary.json's sandbox section")
    probe = section.get("rate_limit_probe") or {}
    if not probe.get("ran") or not probe.get("answered_429") or not probe.get("requests"):
        problems.append(f"the 429 probe did not run to a 429 (summary.json sandbox.rate_limit_probe: {probe})")
    return problems


@pytest.mark.long(190)  # each case; scheduled first, one per xdist worker (tests/conftest.py)
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_whole_suite_passes_and_harms_nothing(case: Case, tmp_path: Path) -> None:
    with serve(case.deployment, rate_limit=case.rate_limit) as served:
        runner = run_with_cli if case.how == "cli" else run_with_pytest
        outcome = runner(served, tmp_path)
        tests = timeline.read(tmp_path / "timeline.jsonl")
        too_many = [entry.line() for entry in served.log.requests if entry.status == 429
                    and PROBE_TEST not in timeline.which_test(tests, entry.started)]
    problems = problems_of(case, outcome)
    if too_many:  # the suite paces itself under the documented limit; only the probe bursts on purpose
        problems.append(f"{len(too_many)} answers were 429 at {case.rate_limit} requests/s (the suite must pace "
                        f"itself under the documented limit): first {too_many[0]}")
    assert not problems, (
        f"{case.id}: {outcome.requests} requests in {outcome.seconds:.0f} s\n" + "\n".join(problems)
        + f"\n(report: {outcome.report_dir or tmp_path})")
