"""Crash soak: kill -9 a posting process hundreds of times; the book must stay whole.

The long form of ``tests/ledger/test_crash.py`` (SPEC §11): the same child,
the same checks after every kill (``tests/ledger/crash_child.py``), on one
SQLite file that grows round after round. Run from the repository root::

    .venv/bin/python bench/crash_soak.py --kills 200

Exits 1 and prints what is wrong at the first round whose checks fail.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=200, help="how many kill -9 (default 200)")
    parser.add_argument("--seed", type=int, default=20070401, help="random seed")
    parser.add_argument("--db", type=Path, help="SQLite file to create (default: a temp file)")
    parser.add_argument(
        "--min-delay",
        type=float,
        default=0.05,
        help="earliest kill after the child is ready, s (default 0.05)",
    )
    parser.add_argument(
        "--max-delay",
        type=float,
        default=0.6,
        help="latest kill after the child is ready, s (default 0.6)",
    )
    parser.add_argument(
        "--every", type=int, default=10, help="print progress every N kills (default 10; 0: never)"
    )
    args = parser.parse_args(argv)
    if args.kills < 1 or not 0 <= args.min_delay <= args.max_delay:
        parser.error("need --kills >= 1 and 0 <= --min-delay <= --max-delay")
    if args.db is not None and args.db.exists():
        parser.error(f"{args.db} exists; the soak starts from a new file")
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    # After the sys.path line above, so the script runs from a plain checkout.
    from tests.ledger.crash_child import soak

    def progress(round_no: int, acknowledged: int, journals: int) -> None:
        if args.every and (round_no % args.every == 0 or round_no == args.kills):
            print(
                f"kill {round_no:>5}/{args.kills}: +{acknowledged:>4} acknowledged, "
                f"{journals:>7} journals in the book",
                flush=True,
            )

    with tempfile.TemporaryDirectory(prefix="crash-soak-") as scratch:
        path = args.db or Path(scratch) / "crash.db"
        result = soak(
            path,
            kills=args.kills,
            seed=args.seed,
            min_delay=args.min_delay,
            max_delay=args.max_delay,
            progress=progress,
        )
        size = path.stat().st_size if path.exists() else 0

    per_kill = result.elapsed / result.rounds if result.rounds else 0.0
    mean_delay = sum(result.delays) / len(result.delays) if result.delays else 0.0
    print()
    print(f"kills               {result.rounds} of {args.kills} (seed {args.seed})")
    print(
        f"elapsed             {result.elapsed:.1f} s ({per_kill:.2f} s per kill, "
        f"mean delay {mean_delay:.3f} s)"
    )
    print(
        f"acknowledged        {len(result.acknowledged)} vouchers, all present"
        if not result.problems
        else f"acknowledged        {len(result.acknowledged)} vouchers"
    )
    print(f"journals in book    {result.journals} ({size / 1024:.0f} KiB database file)")
    # Killed after commit() returned but before the voucher was printed: committed,
    # never acknowledged. Many of these show the kills land at the commit boundary.
    print(
        f"unacknowledged      {result.journals - len(result.acknowledged)} committed journals "
        "whose voucher the child never got to print"
    )
    if result.problems:
        print(f"FAILED after kill {result.failed_round}:")
        for problem in result.problems:
            print(f"  - {problem}")
        return 1
    print(
        "ok                  integrity_check ok, no half-written journal, totals equal "
        "entries, trial balance balances, vouchers gapless, after every kill"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
