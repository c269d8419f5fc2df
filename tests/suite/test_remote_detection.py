"""Issue 16, item 5: the documented broken variants are caught on the sandbox-like deployment too.

Each variant of `tests/deployments/broken.py` (one documented rule broken, from tests/faults/)
is layered on the `control_plane_hidden` deployment (seeded like a sandbox entity, no control
plane, the lifecycle entity set) and the suite is run against it as a QA engineer runs it (the
CLI, remote target). Caught: the run exits 1 with at least one failure (the same deployment
without the fault gives none: tests/suite/test_alternative_deployments.py). A variant with a `miss`
explanation is expected to pass; if it is caught, the explanation is out of date and this fails.

Time: each run is the variant's slice of the suite (its `slice`), 20-120 s on the 2-core machine.
By default the representative slice runs (`broken.REPRESENTATIVE`); `MONITE_DETECTION=full` runs
every variant, `MONITE_DETECTION=name,name` those, and `MONITE_DETECTION_WHOLE=1` the whole quick
suite against each instead of its slice. `python -m tests.deployments detect` prints the matrix.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.deployments.broken import REPRESENTATIVE, VARIANTS
from tests.deployments.detection import detect

ENV = "MONITE_DETECTION"


def _names() -> list[str]:
    chosen = os.environ.get(ENV, "").strip()
    if chosen == "full":
        return list(VARIANTS)
    if chosen:
        names = [name.strip() for name in chosen.split(",") if name.strip()]
        unknown = sorted(set(names) - set(VARIANTS))
        if unknown:
            raise pytest.UsageError(f"{ENV}: unknown variant(s) {', '.join(unknown)}; see tests/deployments/broken.py")
        return names
    return list(REPRESENTATIVE)


@pytest.mark.parametrize("name", _names())
def test_documented_variant_is_caught_on_the_sandbox_like_deployment(name: str, tmp_path: Path) -> None:
    variant = VARIANTS[name]
    result = detect(variant, tmp_path, whole=bool(os.environ.get(f"{ENV}_WHOLE")))
    assert not result.left_behind, f"{name}: the run left behind {result.left_behind}"
    if variant.miss:
        assert not result.caught, (
            f"{name} is caught ({result.describe()}), but broken.py explains it as a miss: {variant.miss}")
        if variant.opt_in:
            again = detect(variant, tmp_path / "opt-in", extra=variant.opt_in)
            assert again.caught, f"{name} is not caught with {' '.join(variant.opt_in)} either: {again.describe()}"
        return
    assert result.caught, f"{name} ({variant.rule}) was not caught on the sandbox-like deployment: {result.describe()}"
