"""Put the emulator's entity under test in a known state before a property test.

Reset, then seed: a connected connection, synced records, tax rates and ledger accounts,
enough for several pages at the limits the coverage phase tries (1 and 2), so links and
next-page tokens lead somewhere. Small, because it happens before every test and scenario.
Only the emulator has a control plane; against another target nothing is arranged.
"""

from __future__ import annotations

from conformance.http.auth import TokenProvider
from conformance.target.control import EmulatorControl

SEED_RECORDS_PER_TYPE = 10
SEED_TAX_RATES = 6
SEED_LEDGER_ACCOUNTS = 6


def fresh_seeded_entity(control: EmulatorControl, tokens: TokenProvider, entity_id: str) -> dict:
    """Reset the emulator and seed `entity_id`; returns the seeded (connected) connection."""
    control.reset()
    tokens.invalidate()  # the reset emptied the emulator's token store
    return control.seed(entity_id, records_per_type=SEED_RECORDS_PER_TYPE, tax_rates=SEED_TAX_RATES,
                        ledger_accounts=SEED_LEDGER_ACCOUNTS)


def without_active_connection(control: EmulatorControl, connection: dict) -> None:
    """Deauthorize the seeded connection: the synced data stays (so the list links lead
    somewhere) but the entity has no active connection, so scenarios can walk the connection
    lifecycle (create -> get / sync / disconnect) instead of meeting 409 (A5)."""
    control.deauthorize(connection["id"])
