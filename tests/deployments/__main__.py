"""`python -m tests.deployments serve NAME` | `run NAME` | `list`: the deployments by hand.

- `serve NAME [--rate-limit N]`: serve it on loopback until Ctrl-C; prints the environment a user
  sets to point the suite at it.
- `run NAME [--rate-limit N] [--how cli|pytest] [--out DIR] [-- suite args]`: serve it, run the whole
  suite (quick profile) against it, write DIR/outcome.json (failures, observations, pre-existing
  resources changed and by which request, leftovers, wall time) and print a digest.
- `digest DIR...`: the failures of CLI runs (DIR/report/summary.json) grouped by cause, as Markdown.
- `detect [NAME...] [--whole] [--out DIR]`: the documented broken variants (tests/deployments/broken.py,
  all without NAME) layered on the sandbox-like deployment, each run with the CLI; prints the share
  caught per variant and writes DIR/detection.json.
- `list`: the deployment names.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from tests.deployments import timeline
from tests.deployments.launcher import serve
from tests.deployments.digest import markdown
from tests.deployments.registry import DEPARTS_FROM, DEPLOYMENTS
from tests.deployments.runs import Outcome, run_with_cli, run_with_pytest
from tests.deployments.sandbox import SANDBOX_RATE_LIMIT


def outcome_json(name: str, rate_limit: int, outcome: Outcome) -> dict:
    return {
        "deployment": name,
        "departs_from": DEPARTS_FROM.get(name),
        "how": outcome.how,
        "rate_limit": rate_limit,
        "returncode": outcome.returncode,
        "seconds": round(outcome.seconds, 1),
        "requests": outcome.requests,
        "failures": outcome.failures,
        "observations": outcome.observations,
        "changed": [change.describe() for change in outcome.changed],
        "left_behind": [leftover.describe() for leftover in outcome.left_behind],
        "changing_requests": [
            {"request": entry.line(), "test": test, "queued_by": entry.queued_by.line() if entry.queued_by else None,
             "changes": [change.describe() for change in entry.changes]}
            for entry, test in outcome.changing_requests
        ],
        "touching_requests": [{"request": entry.line(), "test": test} for entry, test in outcome.touching_requests],
        "counts": (outcome.summary or {}).get("counts"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.deployments")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list")
    detect_command = commands.add_parser("detect")
    detect_command.add_argument("variants", nargs="*")
    detect_command.add_argument("--whole", action="store_true")
    detect_command.add_argument("--out", type=Path, default=None)
    commands.add_parser("digest").add_argument("dirs", nargs="+", type=Path)
    for name in ("serve", "run"):
        command = commands.add_parser(name)
        command.add_argument("deployment", choices=sorted(DEPLOYMENTS))
        command.add_argument("--rate-limit", type=int, default=SANDBOX_RATE_LIMIT)
        if name == "run":
            command.add_argument("--how", choices=("cli", "pytest"), default="cli")
            command.add_argument("--out", type=Path, default=None)
            command.add_argument("suite_args", nargs="*")
    args = parser.parse_args(argv)
    if args.command == "digest":
        for folder in args.dirs:
            print(f"## {folder.name}\n\n{markdown(json.loads((folder / 'report' / 'summary.json').read_text()))}\n")
        return 0
    if args.command == "detect":
        return detect_matrix(args.variants, args.whole, args.out)
    if args.command == "list":
        print("\n".join(DEPLOYMENTS))
        return 0
    with serve(args.deployment, rate_limit=args.rate_limit) as served:
        if args.command == "serve":
            print("\n".join(f"export {key}={value}" for key, value in served.env.items()), flush=True)
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                return 0
        out = args.out or Path(tempfile.mkdtemp(prefix=f"deployment-{args.deployment}-"))
        out.mkdir(parents=True, exist_ok=True)
        runner = run_with_cli if args.how == "cli" else run_with_pytest
        outcome = runner(served, out, *args.suite_args)
    data = outcome_json(args.deployment, args.rate_limit, outcome)
    tests = timeline.read(out / "timeline.jsonl")
    with (out / "requests.jsonl").open("w", encoding="utf-8") as handle:
        for entry in served.log.requests:
            handle.write(json.dumps({"t": round(entry.started, 3), "request": entry.line(),
                                     "test": timeline.which_test(tests, entry.started)}) + "\n")
    (out / "outcome.json").write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"{args.deployment} ({args.how}): exit {outcome.returncode}, {len(outcome.failures)} failures, "
          f"{len(outcome.observations)} observations, {len(outcome.changed)} pre-existing changed, "
          f"{len(outcome.left_behind)} left behind, {len(outcome.touching_requests)} writes naming pre-existing, {outcome.requests} requests, {outcome.seconds:.1f} s -> {out}")
    return 0


def detect_matrix(names: list[str], whole: bool, out: Path | None) -> int:
    from tests.deployments.broken import VARIANTS
    from tests.deployments.detection import detect

    out = out or Path(tempfile.mkdtemp(prefix="detection-"))
    rows = []
    for name in names or list(VARIANTS):
        variant = VARIANTS[name]
        result = detect(variant, out / name, whole=whole)
        expected = "miss" if variant.miss else "caught"
        rows.append({"variant": name, "rule": variant.rule, "caught": result.caught, "expected": expected,
                     "miss": variant.miss, "returncode": result.returncode, "failed_tests": result.failed_tests,
                     "seconds": round(result.seconds, 1), "requests": result.requests,
                     "left_behind": result.left_behind, "slice": "whole quick suite" if whole else " ".join(variant.slice)})
        print(f"{name}: {'CAUGHT' if result.caught else 'missed'} (expected {expected}) - {result.describe()}", flush=True)
        if variant.opt_in:
            again = detect(variant, out / f"{name}-opt-in", whole=whole, extra=variant.opt_in)
            rows[-1]["caught_with_opt_in"] = {"args": " ".join(variant.opt_in), "caught": again.caught,
                                              "failed_tests": again.failed_tests}
            print(f"  with {' '.join(variant.opt_in)}: {'CAUGHT' if again.caught else 'missed'} - {again.describe()}",
                  flush=True)
        (out / "detection.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    caught = sum(1 for row in rows if row["caught"])
    print(f"caught {caught}/{len(rows)} documented broken variants ({100 * caught / max(1, len(rows)):.1f} %) -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
