"""7. Tax rates: the list and each one by id agree, and their rates add up.

Rates are percent x 100. Components add up to total_tax_rate; without a compound component
effective_tax_rate equals it, with one it may only be higher (docs: accounting-tax-rates).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from conformance.http.client import MoniteClient
from conformance.expectations.kinds import Expectations
from conformance.suite.scenarios import catalogue
from conformance.suite.scenarios.arrange import SeededEntity
from conformance.suite.scenarios.paging import all_items

# Footprint on a target without the control plane (conformance/commands/remote_workers.py): compares each tax
# rate by id with the list.
pytestmark = [pytest.mark.scenario, pytest.mark.footprint(walks=("tax_rates",), changes=())]

SEED_COUNTS = {"records_per_type": 0, "tax_rates": 12, "ledger_accounts": 0}
PATH = "/accounting_tax_rates"


@pytest.fixture
def entity_id(seeded: SeededEntity) -> str:
    return seeded.entity_id


@pytest.fixture
def tax_rates(client: MoniteClient, check: Expectations) -> list[dict[str, Any]]:
    items = all_items(client, check, PATH)
    if not items:
        pytest.skip("the entity has no tax rates (no connected accounting system?)")
    return items


def test_each_tax_rate_by_id_matches_the_list(tax_rates: list[dict[str, Any]], client: MoniteClient,
                                              check: Expectations) -> None:
    for listed in tax_rates:
        one = client.get(f"{PATH}/{listed['id']}")
        check.expect(one.status_code == 200, catalogue.TAX_RATE_BY_ID, f"GET answered {one.status_code}", one)
        check.expect(one.json() == listed, catalogue.TAX_RATE_BY_ID,
                     f"GET {listed['id']} differs from its list entry", one)


def test_components_add_up(tax_rates: list[dict[str, Any]], check: Expectations) -> None:
    for rate in tax_rates:
        components = rate.get("components") or []
        if not components:
            continue
        label = f"tax rate {rate.get('name')!r} ({rate['id']}): components {components}"
        total = sum(component.get("rate", 0) for component in components)
        check.expect(rate.get("total_tax_rate") == total, catalogue.TAX_TOTAL_IS_SUM,
                     f"{label} add up to {total}, total_tax_rate is {rate.get('total_tax_rate')}")
        if any(component.get("is_compound") for component in components):
            check.expect(rate.get("effective_tax_rate", 0) >= rate.get("total_tax_rate", 0), catalogue.TAX_COMPOUND_NOT_LESS,
                         f"{label}: effective {rate.get('effective_tax_rate')} < total {rate.get('total_tax_rate')}")
        else:
            check.expect(rate.get("effective_tax_rate") == rate.get("total_tax_rate"), catalogue.TAX_EFFECTIVE_EQUALS_TOTAL,
                         f"{label}: effective {rate.get('effective_tax_rate')} != total {rate.get('total_tax_rate')}")


@pytest.mark.assumption
def test_unknown_tax_rate(client: MoniteClient, check: Expectations) -> None:
    response = client.get(f"{PATH}/{uuid.uuid4()}")
    check.expect(400 <= response.status_code < 500, catalogue.NO_SERVER_ERROR, f"answered {response.status_code}", response)
    check.expect(response.status_code == 404, catalogue.UNKNOWN_ID_404, f"answered {response.status_code}", response)
