"""5. Filters of the synced records: object_type, object_id, object_id__in, date ranges.

Every filtered list is compared with the unfiltered one filtered here; the date filters use
a boundary taken from an item itself, so items exactly at it show strict vs inclusive.
Filtered lists are walked in pages of 4, so the filters must also travel inside the tokens;
they are compared as multisets (the order is group 2's and 4's concern).
"""

from __future__ import annotations

import operator
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from conformance.http.client import MoniteClient
from conformance.expectations.kinds import Expectations
from conformance.suite.scenarios import catalogue
from conformance.suite.scenarios.arrange import SeededEntity
from conformance.expectations.ordering import parse_timestamp
from conformance.suite.scenarios.paging import all_items, flatten_ids, walk_forward

# Footprint on a target without the control plane (conformance/commands/remote_workers.py): compares filtered
# walks with the unfiltered list.
pytestmark = [pytest.mark.scenario, pytest.mark.footprint(walks=("synced_records",), changes=())]

SEED_COUNTS = {"records_per_type": 15, "tax_rates": 0, "ledger_accounts": 0}
PATH = "/accounting_synced_records"
OBJECT_TYPE = "vendor"
WALK_LIMIT = 4
OPERATORS: dict[str, Callable[[Any, Any], bool]] = {"gt": operator.gt, "lt": operator.lt, "gte": operator.ge,
                                                    "lte": operator.le}


@pytest.fixture
def entity_id(seeded: SeededEntity) -> str:
    return seeded.entity_id


@pytest.fixture
def records(client: MoniteClient, check: Expectations) -> list[dict[str, Any]]:
    """Every record of OBJECT_TYPE, unfiltered."""
    items = all_items(client, check, PATH, {"object_type": OBJECT_TYPE})
    if len(items) < 3:
        pytest.skip(f"the entity has {len(items)} {OBJECT_TYPE} records; the filters need at least 3")
    return items


def _filtered_ids(client: MoniteClient, check: Expectations, params: dict[str, Any]) -> list[str]:
    return flatten_ids(walk_forward(client, check, PATH, {"object_type": OBJECT_TYPE, **params}, WALK_LIMIT))


def _refused(check: Expectations, response: Any, rule: Any, what: str, field: str) -> None:
    check.expect(response.status_code == 422, rule, f"{what} answered {response.status_code}", response)
    locs = [entry.get("loc", []) for entry in response.json().get("detail", [])]
    check.expect(any(field in loc for loc in locs), catalogue.VALIDATION_BODY,
                 f"{what}: the 422 names {locs}, not {field}", response)


def test_object_type_is_required(client: MoniteClient, check: Expectations) -> None:
    missing = client.get(PATH)
    _refused(check, missing, catalogue.OBJECT_TYPE_REQUIRED, "a list without object_type", "object_type")
    unknown = client.get(PATH, params={"object_type": "invoice"})
    _refused(check, unknown, catalogue.OBJECT_TYPE_ENUM, "object_type=invoice", "object_type")


def test_object_type_filter(client: MoniteClient, check: Expectations, records: list[dict[str, Any]]) -> None:
    wrong = [item["id"] for item in records if item.get("object_type") != OBJECT_TYPE]
    check.expect(not wrong, catalogue.OBJECT_TYPE_FILTER, f"object_type={OBJECT_TYPE} listed other types: {wrong[:3]}")


def test_object_id(client: MoniteClient, check: Expectations, records: list[dict[str, Any]]) -> None:
    target = records[len(records) // 2]
    expected = [item["id"] for item in records if item["object_id"] == target["object_id"]]
    got = _filtered_ids(client, check, {"object_id": target["object_id"]})
    check.expect(sorted(got) == sorted(expected), catalogue.OBJECT_ID_FILTER,
                 f"object_id={target['object_id']} listed {got}, expected {expected}")
    nobody = _filtered_ids(client, check, {"object_id": str(uuid.uuid4())})
    check.expect(nobody == [], catalogue.OBJECT_ID_FILTER, f"an object_id nobody has listed {nobody}")


@pytest.mark.parametrize("how_many", [1, 3], ids=["one id", "many ids"])
def test_object_id_in(how_many: int, client: MoniteClient, check: Expectations,
                      records: list[dict[str, Any]]) -> None:
    chosen = {records[index]["object_id"] for index in range(0, len(records), 2)[:how_many]}
    unknown = str(uuid.uuid4())
    expected = [item["id"] for item in records if item["object_id"] in chosen]
    got = _filtered_ids(client, check, {"object_id__in": sorted(chosen) + [unknown]})
    check.expect(sorted(got) == sorted(expected), catalogue.OBJECT_ID_IN_FILTER,
                 f"object_id__in with {how_many} known ids (and one unknown) listed {got}, expected {expected}")


@pytest.mark.parametrize("field", ["created_at", "updated_at"])
@pytest.mark.parametrize("op", list(OPERATORS))
def test_date_filter_boundary(field: str, op: str, client: MoniteClient, check: Expectations,
                              records: list[dict[str, Any]]) -> None:
    boundary_text = sorted(records, key=lambda item: parse_timestamp(item[field]))[len(records) // 2][field]
    boundary = parse_timestamp(boundary_text)
    expected = [item["id"] for item in records if OPERATORS[op](parse_timestamp(item[field]), boundary)]
    at_boundary = {item["id"] for item in records if parse_timestamp(item[field]) == boundary}
    got = _filtered_ids(client, check, {f"{field}__{op}": boundary_text})
    inclusive = op.endswith("e")
    wrongly = (at_boundary - set(got)) if inclusive else (at_boundary & set(got))
    check.expect(not wrongly, catalogue.DATE_FILTER,
                 f"{field}__{op}={boundary_text}: {len(wrongly)} of the {len(at_boundary)} items exactly at the "
                 f"boundary were {'left out' if inclusive else 'listed'}")
    check.expect(sorted(got) == sorted(expected), catalogue.DATE_FILTER,
                 f"{field}__{op}={boundary_text} listed {len(got)} items, expected {len(expected)}: "
                 f"missing {sorted(set(expected) - set(got))[:3]}, unexpected {sorted(set(got) - set(expected))[:3]}")
