"""Run the suite against one documented broken variant layered on the sandbox-like deployment.

`detect` serves `control_plane_hidden` with the variant under it (launcher.serve's `layer`), runs
the CLI as a user would (remote target, lifecycle entity set), and says whether the run caught it
(exit 1 and a failure) and which tests failed. `matrix` runs several and gives the share caught.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tests.deployments.broken import Broken
from tests.deployments.launcher import serve
from tests.deployments.runs import run_with_cli

BASE = "control_plane_hidden"


@dataclass
class Detection:
    name: str
    caught: bool
    returncode: int
    failed_tests: list[str]
    seconds: float
    requests: int
    changed: list[str] = field(default_factory=list)
    left_behind: list[str] = field(default_factory=list)

    def describe(self) -> str:
        failed = ", ".join(test.split("::")[-1] for test in self.failed_tests[:6]) or "no failure"
        return (f"exit {self.returncode}, {len(self.failed_tests)} failed ({failed}), {self.requests} requests, "
                f"{self.seconds:.0f} s")


def detect(variant: Broken, workdir: Path, *, whole: bool = False, extra: tuple[str, ...] = ()) -> Detection:
    args = (() if whole else variant.slice) + extra
    workdir.mkdir(parents=True, exist_ok=True)
    with serve(BASE, layer=variant.layer) as served:
        outcome = run_with_cli(served, workdir, *args)
    failed = sorted(outcome.failures)
    return Detection(variant.name, outcome.returncode == 1 and bool(failed), outcome.returncode, failed,
                     outcome.seconds, outcome.requests, [c.describe() for c in outcome.changed],
                     [left.describe() for left in outcome.left_behind])
