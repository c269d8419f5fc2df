"""Every deployment by name: the docs-legal variants, one choice each, and all of them at once."""

from __future__ import annotations

from tests.deployments.sandbox import Variant
from tests.deployments.variants import ASSUMPTIONS, VARIANTS, all_at_once

DEPLOYMENTS: dict[str, Variant] = {**VARIANTS, "all_at_once": all_at_once}

# The assumption ids a deployment departs from (None: it departs from none).
DEPARTS_FROM: dict[str, tuple[str, ...] | None] = {
    **ASSUMPTIONS,
    "all_at_once": tuple(sorted({a for ids in ASSUMPTIONS.values() if ids for a in ids},
                                key=lambda a: int(a[1:]))),
}
