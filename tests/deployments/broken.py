"""Documented broken variants (tests/faults/) layered on the sandbox-like deployment (issue 16, item 5).

Each variant breaks one *documented* rule (a seed or a docs page; not an assumption, which off the
emulator is only an observation) and is layered under the `control_plane_hidden` deployment: the
emulator seeded like a sandbox entity, its control plane hidden, the lifecycle entity named in
MONITE_LIFECYCLE_ENTITY_ID, rate limit 60/s. A run as a QA engineer starts it must catch it.

`slice` is what a run against it needs to see the broken rule (CLI arguments): the matrix runs
that part of the suite to keep its time down (a catch by a part is a catch by the whole quick
suite, whose tests, seeds and order are the same); `MONITE_DETECTION=whole` runs the whole
quick suite against each. `miss` explains a variant the run cannot catch with the documented
setup; the matrix then expects it to pass, so an explanation that stops being true shows up.

Left out, because on a target without the control plane they break only an assumption (an
observation, never a failure, by design): forbidden_is_404 (A3), oversized_body_is_422 (A18),
tokens_live_a_day (A20), gateway_answers_unknown_paths (A9), text_body_is_415 (A25),
unlisted_version_is_latest (A1), old_version_writes_ledger (A30), limit_416 (docs-legal).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.faults import check_faults as checks
from tests.faults import scenario_faults as scenarios

SCENARIOS = ("--suite", "scenario")
PROPERTY = ("--suite", "property")
CONNECTIONS = (*SCENARIOS, "--only", "connections")


@dataclass(frozen=True)
class Broken:
    layer: Callable[[Any], Any]  # the hidden emulator app -> the broken app
    rule: str  # the documented rule it breaks, with its source
    slice: tuple[str, ...]  # CLI arguments: the part of the suite that sees the rule
    miss: str | None = None  # why the documented setup cannot catch it (expected to pass)
    opt_in: tuple[str, ...] = ()  # CLI arguments with which a missed variant is caught after all

    @property
    def name(self) -> str:
        return self.layer.__name__


def _b(layer: Callable[[Any], Any], rule: str, *slice_: str, miss: str | None = None,
       opt_in: tuple[str, ...] = ()) -> Broken:
    return Broken(layer, rule, tuple(slice_), miss, opt_in)


_PROPERTY_LISTS = (*PROPERTY, "--only", "listLedgerAccounts,listTaxRates")
_PUSH_MISS = ("a push names a synced record; the run has none of its own (its lifecycle connection is never "
              "authorized, so nothing syncs there) and pushing the user's records is opt-in: caught with "
              "--allow-changes-to-existing")

VARIANTS: dict[str, Broken] = {b.name: b for b in (
    # the Monite checks of the property tests (conformance/checks/)
    _b(checks.version_not_echoed, "docs: api/concepts/versioning (X-Monite-Version echoed)", *_PROPERTY_LISTS),
    _b(checks.request_id_constant, "docs: api/concepts/http-headers (x-request-id per response)", *_PROPERTY_LISTS),
    _b(checks.error_body_flat, "docs: api/concepts/overview (ErrorSchemaResponse)", *_PROPERTY_LISTS),
    _b(checks.rate_limit_header_missing, "docs: api/concepts/rate-limiting (headers)", *_PROPERTY_LISTS),
    _b(checks.page_over_limit, "seed 003 (a page holds at most limit items)", *_PROPERTY_LISTS),
    _b(checks.next_page_overlaps, "seed 003 (pages disjoint)", *SCENARIOS),
    _b(checks.next_page_reversed, "seed 003 (order across pages)", *SCENARIOS),
    _b(checks.timestamps_not_utc, "docs: reference/base-concepts (UTC timestamps)", *_PROPERTY_LISTS),
    _b(checks.entity_id_not_echoed, "docs: api/concepts/http-headers (entity echoed)", *_PROPERTY_LISTS),
    # the scenarios (conformance/suite/scenarios/)
    _b(scenarios.disconnect_keeps_status, "seeds 001, 002 (disconnect answers status disconnected)", *CONNECTIONS),
    _b(scenarios.connection_create_200, "docs: post-accounting-connections (201)", *CONNECTIONS),
    _b(scenarios.no_connections_404, "seed 002 (no connections: 200 {data: []})", *CONNECTIONS),
    _b(scenarios.second_connection_allowed, "seed 002 (one active connection)", *CONNECTIONS),
    _b(scenarios.page_loses_boundary_item, "seed 003 (every item once)", *SCENARIOS),
    _b(scenarios.prev_token_dropped, "seed 003 (prev_pagination_token)", *SCENARIOS),
    _b(scenarios.limit_clamped, "seed 003 (limit out of range refused)", *SCENARIOS),
    _b(scenarios.desc_ignored_for_updated_at, "seed 003 (order=desc)", *SCENARIOS),
    _b(scenarios.gte_is_strict, "seed 003 (__gte includes the boundary)", *SCENARIOS),
    _b(scenarios.push_claims_done, "seed 002 (a push answers pending)", *SCENARIOS, miss=_PUSH_MISS,
       opt_in=("--allow-changes-to-existing",)),
    _b(scenarios.push_never_settles, "seed 002 (a pushed record settles in done or error)", *SCENARIOS,
       miss="a push names a synced record; the run has none of its own (its lifecycle connection is never "
            "authorized, so nothing syncs there) and pushing the user's records is opt-in; and even with "
            "--allow-changes-to-existing the docs give no time for a push to settle (A28: an observation)"),
    _b(scenarios.tax_total_skips_last_component, "docs: accounting-tax-rates (total is the sum)", *SCENARIOS),
    _b(scenarios.patch_clears_unsent_fields, "docs: patch-ledger-accounts-id (partial PATCH)", *SCENARIOS),
    _b(scenarios.missing_version_is_422, "docs: api/concepts/versioning (missing version: 400)", *SCENARIOS),
    _b(scenarios.expired_token_accepted, "docs: api/concepts/authentication (a valid token)", *SCENARIOS,
       miss="a token expires only after its expires_in (1800 s on the deployment); the run does not wait that "
            "long and cannot move the target's clock"),
    _b(scenarios.ledger_get_ignores_entity, "seeds 000-004 (x-monite-entity-id owns the resource)", *SCENARIOS),
    _b(scenarios.rate_limit_headers_missing, "docs: api/concepts/rate-limiting (headers)", *SCENARIOS),
    _b(scenarios.no_retry_after, "docs: api/concepts/rate-limiting (429 with Retry-After)", *SCENARIOS,
       "--only", "listAccountingConnections"),
    _b(scenarios.rate_limit_not_enforced, "docs: api/concepts/rate-limiting (over the limit: 429)", *SCENARIOS,
       "--only", "listAccountingConnections"),
    _b(scenarios.rate_limited_body_flat, "docs: api/concepts/overview (ErrorSchemaResponse on the 429)",
       *SCENARIOS, "--only", "listAccountingConnections"),
    _b(scenarios.version_echo_pinned, "docs: api/concepts/versioning (the version asked for, echoed)", *SCENARIOS),
    _b(scenarios.old_versions_refused, "seeds 000-002 (their versions accepted)", *SCENARIOS),
)}

# The default `make test` slice: the lifecycle (new on the sandbox), the 429 probe, a Monite check.
REPRESENTATIVE = ("disconnect_keeps_status", "no_retry_after")
