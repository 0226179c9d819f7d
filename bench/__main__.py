"""python -m bench: grow the benchmark's database, take every measurement, write RESULTS.md.

    DATABASE_URL=postgres://… python -m bench [--people N] [--attendance N] [--reps N] …

The database is ``<DATABASE_URL's database>_bench`` on the same server, made if missing and
reused while it holds the sizes asked for (``make bench`` runs this with the private server
when DATABASE_URL is unset). See README.md, "The benchmark".
"""

import argparse
import os
import sys
from pathlib import Path

from bench import STEPS

HERE = Path(__file__).resolve().parent


def arguments(argv):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--attendance", type=int, default=500_000)
    parser.add_argument("--events", type=int, default=1_000_000, help="events on file")
    parser.add_argument(
        "--ingest-events", type=int, default=50_000, help="events posted to events/bulk/ (24)"
    )
    parser.add_argument("--import-rows", type=int, default=20_000)
    parser.add_argument("--import-reps", type=int, default=3)
    parser.add_argument("--reps", type=int, default=20, help="runs of each quick measurement")
    parser.add_argument(
        "--only",
        action="append",
        choices=STEPS,
        help="take only this measurement (repeatable); the default: all of them",
    )
    parser.add_argument("--fresh", action="store_true", help="drop the bench database first")
    parser.add_argument("--output", type=Path, default=HERE / "RESULTS.md")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    options = arguments(argv)
    if not os.environ.get("DATABASE_URL"):
        print("python -m bench: set DATABASE_URL (or run `make bench`)", file=sys.stderr)
        return 2
    from bench.database import ensure_database

    os.environ["DATABASE_URL"] = ensure_database(os.environ["DATABASE_URL"], fresh=options.fresh)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from bench.run import run

    run(options, command=" ".join(["python -m bench", *argv]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
