"""The paginated lists of the API, and what the docs say about sorting each of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from conformance.expectations.kinds import Rule
from conformance.suite.scenarios import catalogue

# The list each path belongs to, by the names footprints use (pytest.mark.footprint).
FOOTPRINT_LISTS = {"/accounting_synced_records": "synced_records", "/accounting_tax_rates": "tax_rates",
                   "/ledger_accounts": "ledger_accounts"}
OBJECT_TYPES = ("product", "customer", "vendor", "receivable", "bill", "payment_record")  # seed 003


@dataclass(frozen=True)
class PagedList:
    name: str  # a test id
    path: str
    params: dict[str, Any] = field(default_factory=dict)  # what every request of the list sends
    sorts: tuple[str, ...] = ()  # the documented sort fields
    sort_rule: Rule = catalogue.SORTED  # the rule that makes sorting by those fields a contract
    default_sort: str = "created_at"
    default_sort_rule: Rule = catalogue.DEFAULT_SORT_CREATED
    state_key: str = ""  # its key in the control plane's GET /_emulator/state

    @property
    def walked(self) -> Any:
        """A case that walks this list and nothing else: its footprint on a remote target
        (`conformance.commands.remote_workers`), as a pytest parameter's marks."""
        return pytest.mark.footprint(walks=(FOOTPRINT_LISTS[self.path],))

    def case(self, *values: Any, id: str | None = None) -> Any:
        """This list (and `values`) as a pytest parameter of a case that walks only this list."""
        return pytest.param(self, *values, id=id or self.name, marks=self.walked)

    def state_items(self, state: dict[str, Any]) -> list[dict[str, Any]]:
        """The list's items in an entity's emulator state (ground truth for a walk)."""
        items = state.get(self.state_key, [])
        return [item for item in items if all(item.get(k) == v for k, v in self.params.items())]


def synced_records(object_type: str) -> PagedList:
    return PagedList(f"synced_records[{object_type}]", "/accounting_synced_records", {"object_type": object_type},
                     sorts=("created_at", "updated_at"), state_key="synced_records")


TAX_RATES = PagedList("tax_rates", "/accounting_tax_rates", sorts=("name",), sort_rule=catalogue.TAX_SORT_BY_NAME,
                      default_sort="name", default_sort_rule=catalogue.DEFAULT_SORT_NAME, state_key="tax_rates")
LEDGER_ACCOUNTS = PagedList("ledger_accounts", "/ledger_accounts", sorts=("name",), default_sort="name",
                            default_sort_rule=catalogue.DEFAULT_SORT_NAME, state_key="ledger_accounts")

ALL_LISTS: tuple[PagedList, ...] = (*(synced_records(t) for t in OBJECT_TYPES), TAX_RATES, LEDGER_ACCOUNTS)
