"""The `claims batch` command line: its arguments and exit codes. Kept apart from
`run.py` so that registering the subcommand costs `claims extract` nothing at start-up.

Exit codes: 0 all sources read; 1 a source, an article's extraction or a worker failed,
or an input was read only in part — the others are still processed and the failure is
in the report; 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from typing import Any

from ..cli import iso_date
from .consolidate import DEFAULT_TOLERANCE
from .workers import ARTICLES_PER_WORKER

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
MAX_LISTED = 20  # failure lines printed; all are in report.json


def add_parser(sub: Any) -> None:
    """Register `claims batch` on the CLI's subparsers."""
    p = sub.add_parser("batch", help="nightly batch over news feeds, JSONL dumps and folders")
    p.add_argument("--sources", required=True, metavar="TOML", help="the sources file")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (holds the state)")
    p.add_argument(
        "--workers",
        type=_positive,
        default=None,
        metavar="N",
        help="local worker processes (1 = in this process; default: one per core, fewer "
        f"for a small backlog: one per {ARTICLES_PER_WORKER} articles)",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on a Dask cluster (tcp://host:port); needs claims[dask]",
    )
    p.add_argument(
        "--since",
        type=iso_date,
        metavar="YYYY-MM-DD",
        help="skip articles published before this date",
    )
    p.add_argument(
        "--tolerance",
        type=float,
        default=DEFAULT_TOLERANCE,
        metavar="X",
        help="relative amount tolerance for consolidation (default 0.05)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--debug", action="store_true", help="show tracebacks")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from exc
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def main(args: argparse.Namespace) -> int:
    """The CLI entry: one summary line on stderr, no traceback unless --debug."""
    from .run import run_batch
    from .sources import UsageError

    try:
        summary = run_batch(
            args.sources,
            args.out,
            workers=args.workers,
            scheduler=args.scheduler,
            since=args.since,
            tolerance=args.tolerance,
            quiet=args.quiet,
        )
    except UsageError as exc:
        print(f"claims batch: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        raise
    except Exception as exc:
        print(f"claims batch: {type(exc).__name__}: {exc}", file=sys.stderr)
        if args.debug:
            traceback.print_exc()
        else:
            print("claims batch: (run with --debug for the traceback)", file=sys.stderr)
        return EXIT_FAILED
    print(summary.line(), file=sys.stderr)
    for problem in summary.failures[:MAX_LISTED]:
        print(f"claims batch: failed: {problem}", file=sys.stderr)
    if len(summary.failures) > MAX_LISTED:
        more = len(summary.failures) - MAX_LISTED
        print(f"claims batch: … and {more} more (see report.json)", file=sys.stderr)
    for warning in summary.warnings[:MAX_LISTED]:
        print(f"claims batch: warning: {warning}", file=sys.stderr)
    if len(summary.warnings) > MAX_LISTED:
        more = len(summary.warnings) - MAX_LISTED
        print(f"claims batch: … and {more} more warnings (see report.json)", file=sys.stderr)
    # an input read only in part is a failure too: the exit code must say so
    return EXIT_FAILED if summary.failures or summary.warnings else EXIT_OK
