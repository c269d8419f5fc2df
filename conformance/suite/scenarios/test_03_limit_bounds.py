"""3. Limit bounds, where the docs disagree with each other.

The endpoint reference (seed 003) says 1 <= limit <= 250, default 250 (its prose: 100),
invalid -> 422; the concepts page says 1..100 and 416. What both agree on is documented;
the reference's side is A13/A14; what the target does is always reported as an observation.
"""

from __future__ import annotations

import httpx
import pytest

from conformance.http.client import MoniteClient
from conformance.target.control import EmulatorControl
from conformance.expectations.kinds import Expectations
from conformance.suite.scenarios import catalogue
from conformance.suite.scenarios.arrange import ScenarioEntities, SeededEntity, seed_entity
from conformance.suite.scenarios.lists import LEDGER_ACCOUNTS, TAX_RATES, PagedList, synced_records
from conformance.target.targets import Target

# Footprint on a target without the control plane (conformance/commands/remote_workers.py): reads each list
# again with every limit.
pytestmark = [pytest.mark.scenario,
              pytest.mark.footprint(walks=("ledger_accounts", "synced_records", "tax_rates"), changes=())]

SEED_COUNTS = {"records_per_type": 3, "tax_rates": 3, "ledger_accounts": 3}
LISTS = (synced_records("product"), TAX_RATES, LEDGER_ACCOUNTS)
# limit value -> the documented rule that refuses it
OUT_OF_RANGE = {"0": catalogue.LIMIT_OUT_REFUSED, "-1": catalogue.LIMIT_OUT_REFUSED, "251": catalogue.LIMIT_OUT_REFUSED,
                "ten": catalogue.LIMIT_NOT_INT_REFUSED, "2.5": catalogue.LIMIT_NOT_INT_REFUSED, "": catalogue.LIMIT_NOT_INT_REFUSED}
IN_BOTH_RANGES = ("1", "100")
ONLY_IN_REFERENCE_RANGE = ("101", "250")
# Enough records of one type to tell a default page of 100 from one of 250.
DEFAULT_PROBE_RECORDS = 260

by_list = pytest.mark.parametrize("paged", LISTS, ids=lambda paged: paged.name)


@pytest.fixture
def entity_id(seeded: SeededEntity) -> str:
    return seeded.entity_id


def _get(client: MoniteClient, paged: PagedList, limit: str) -> httpx.Response:
    return client.get(paged.path, params={**paged.params, "limit": limit})


@by_list
def test_limits_out_of_range_are_refused(paged: PagedList, client: MoniteClient, check: Expectations) -> None:
    outcomes: dict[str, int] = {}
    for limit, documented_rule in OUT_OF_RANGE.items():
        response = _get(client, paged, limit)
        outcomes[limit] = response.status_code
        check.expect(response.status_code < 500, catalogue.NO_SERVER_ERROR, f"limit={limit!r} answered {response.status_code}",
                     response)
        check.expect(400 <= response.status_code < 500, documented_rule,
                     f"limit={limit!r} answered {response.status_code}", response)
        check.expect(response.status_code == 422, catalogue.LIMIT_422, f"limit={limit!r} answered {response.status_code}",
                     response)
    _report_concepts_page(check, paged, outcomes)


@by_list
def test_limits_in_range_are_accepted(paged: PagedList, client: MoniteClient, check: Expectations) -> None:
    outcomes: dict[str, int] = {}
    for limit in (*IN_BOTH_RANGES, *ONLY_IN_REFERENCE_RANGE):
        response = _get(client, paged, limit)
        outcomes[limit] = response.status_code
        rule = catalogue.LIMIT_IN_BOTH_RANGES if limit in IN_BOTH_RANGES else catalogue.LIMIT_250_OK
        check.expect(response.status_code == 200, rule, f"limit={limit} answered {response.status_code}", response)
        if response.status_code == 200:
            size = len(response.json().get("data", []))
            check.expect(size <= int(limit), catalogue.PAGE_SIZE, f"limit={limit} gave {size} items", response)
    _report_concepts_page(check, paged, outcomes)


def _report_concepts_page(check: Expectations, paged: PagedList, outcomes: dict[str, int]) -> None:
    """Always reported: which of the two disagreeing pages the target follows."""
    shown = ", ".join(f"limit={value!r} -> {status}" for value, status in outcomes.items())
    numbers = {int(value): status for value, status in outcomes.items() if _is_int(value)}
    concepts = all(status == (200 if 1 <= value <= 100 else 416) for value, status in numbers.items())
    reference = all(status == (200 if 1 <= value <= 250 else 422) for value, status in numbers.items())
    verdict = ("both pages (these values do not tell them apart)" if concepts and reference
               else "the concepts page" if concepts else "the endpoint reference" if reference else "neither page")
    check.observe(catalogue.LIMIT_CONCEPTS_PAGE, f"{paged.path}: {shown}; the target follows {verdict}")


def _is_int(value: str) -> bool:
    return value.lstrip("-").isdigit()


@pytest.fixture
def big_entity(request: pytest.FixtureRequest, monite_target: Target, emulator_control: EmulatorControl | None,
               scenario_entities: ScenarioEntities | None) -> SeededEntity:
    """An entity with more synced records of one type than either documented default page."""
    if emulator_control is None or scenario_entities is None:
        return SeededEntity(monite_target.entity_id)
    return seed_entity(emulator_control, scenario_entities.entity_id(request.node.nodeid),
                       records_per_type=DEFAULT_PROBE_RECORDS, tax_rates=0, ledger_accounts=0)


@pytest.mark.assumption
def test_default_page_size(big_entity: SeededEntity, client: MoniteClient, check: Expectations) -> None:
    response = client.for_entity(big_entity.entity_id).get("/accounting_synced_records",
                                                           params={"object_type": "product"})
    check.expect(response.status_code == 200, catalogue.LIST_OK, f"the list answered {response.status_code}", response)
    body = response.json()
    size, more = len(body.get("data", [])), body.get("next_pagination_token") is not None
    if not more and size <= 100:
        check.observe(catalogue.DEFAULT_LIMIT_PROBE,
                      f"inconclusive: the entity has only {size} product records, too few to tell 100 from 250")
        return
    check.observe(catalogue.DEFAULT_LIMIT_PROBE, f"a page without limit holds {size} items"
                  + (" and has a next page" if more else " (all there are)"))
    check.expect(size == 250 or (size > 100 and not more), catalogue.DEFAULT_LIMIT_250,
                 f"a page without limit holds {size} items{' and has a next page' if more else ''}", response)
