"""`monite-emulator`: placeholder until the emulator lands (issue 3)."""


def main() -> None:
    print("monite-emulator: the emulator is coming (issue 3).")
