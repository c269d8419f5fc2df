"""Domain model of the emulator: rules and state changes, no HTTP."""

from monite_emulator.model.emulator import Emulator

__all__ = ["Emulator"]
