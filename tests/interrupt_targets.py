"""In-process targets for the Ctrl-C tests (`--target asgi:tests.interrupt_targets:<name>`)."""

from __future__ import annotations

from typing import Any


def tax_rates_rate_limited() -> Any:
    """The emulator, answering the first listTaxRates with 429 and Retry-After: the run waits it out."""
    from monite_emulator.app import create_app
    from monite_emulator.cli import parse_fault_spec
    from monite_emulator.settings import EmulatorSettings

    rule = parse_fault_spec("operation=listTaxRates status=429 retry_after=1 times=1")
    return create_app(EmulatorSettings(faults=[rule]))
