"""A stateful local emulator of Monite's accounting-integration API."""

__version__ = "0.1.0"
