"""`monite-conformance`: placeholder until the run command lands (issue 6)."""


def main() -> None:
    print("monite-conformance: the `run` command is coming (issue 6).")
