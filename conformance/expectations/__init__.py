"""What counts: documented rules fail anywhere, assumptions only on the emulator, probes never."""
