"""Hand-written behaviour scenarios (marker `scenario`), one module per numbered group of issue 5.

Each assertion cites its rule (`rules.py`); assumptions become observations on targets
without the emulator's control plane (`conformance.expectations.kinds`).
"""
