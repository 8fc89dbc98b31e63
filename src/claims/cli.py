"""Command line: `claims extract PATH…` and `claims eval …`.

Exit codes: 0 every input was read and processed; 1 some inputs failed (one line per
failure on stderr, the rest processed); 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING

from . import __version__
from .reader import DEFAULT_MAX_BYTES, ReadError
from .segment import SEGMENTERS

if TYPE_CHECKING:
    from .extractor import Extractor, Result
    from .reader import Document

EXIT_OK, EXIT_FAILED_INPUTS, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="claims",
        description="Extract purchase claims (buyer, product, amount, source) from Chinese news.",
    )
    parser.add_argument("--version", action="version", version=f"claims {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    ex = sub.add_parser("extract", help="extract claims from text files, folders or stdin ('-')")
    ex.add_argument(
        "paths", nargs="+", metavar="PATH", help="file, folder (recursive) or - for stdin"
    )
    ex.add_argument(
        "-o", "--output", metavar="FILE", help="write here (atomically) instead of stdout"
    )
    ex.add_argument("--format", choices=("jsonl", "table"), default="jsonl")
    ex.add_argument("--glob", default="*.txt", help="file pattern inside folders (default: *.txt)")
    ex.add_argument(
        "--min-confidence",
        type=float,
        default=0.0,
        metavar="X",
        help="drop claims below this confidence (0..1)",
    )
    ex.add_argument(
        "--explain", action="store_true", help="add the rules behind each claim ('rules')"
    )
    ex.add_argument(
        "--explain-rejected",
        action="store_true",
        help="print each rejected candidate amount and why on stderr",
    )
    _add_pipeline_options(ex, "run the trained entity recogniser on candidate sentences")
    ex.add_argument(
        "--max-bytes",
        type=int,
        default=DEFAULT_MAX_BYTES,
        help="reject input files larger than this (default 64 MiB)",
    )
    ex.add_argument(
        "--published",
        type=iso_date,
        metavar="YYYY-MM-DD",
        help="the documents' date: resolves 今年/去年 to years in 'period'",
    )
    ex.add_argument("--debug", action="store_true", help="show tracebacks for failed inputs")

    ev = sub.add_parser(
        "eval", help="score predictions against gold (P/R/F1, attribution, predicate)"
    )
    ev.add_argument("gold", help="gold.jsonl, or a folder with documents and gold.jsonl")
    ev.add_argument(
        "pred", nargs="?", help="predicted claims (JSONL); omitted with a folder: extract now"
    )
    ev.add_argument("--verbose", action="store_true", help="list every missed and spurious claim")
    ev.add_argument("--json", action="store_true", help="print totals as one JSON object")
    ev.add_argument(
        "--by-tag", action="store_true", help="also score each phenomenon (gold 'tags') apart"
    )
    ev.add_argument("--min-f1", type=float, default=None, help="exit 1 when F1 falls below this")
    _add_pipeline_options(ev, "with a folder: run the entity recogniser")
    ev.add_argument(
        "--without-heldout",
        action="store_true",
        help="with a folder: leave the NER held-out names (models/ner/heldout.json) out "
        "of the lexicon, as for corpus/unseen",
    )
    from .batch.cli import add_parser as add_batch_parser

    add_batch_parser(sub)
    return parser


def _add_pipeline_options(parser: argparse.ArgumentParser, ner_help: str) -> None:
    parser.add_argument("--segmenter", default="jieba", choices=SEGMENTERS, help="word segmenter")
    parser.add_argument(
        "--ner",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=f"{ner_help} (default: on)",
    )


def iso_date(text: str) -> date:
    """An argparse type for YYYY-MM-DD (shared by `extract --published` and `batch
    --since`)."""
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "extract":
            return _extract(args)
        if args.command == "batch":
            from .batch.cli import main as batch_main

            return batch_main(args)
        return _eval(args)
    except KeyboardInterrupt:
        print("claims: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


def _documents(args: argparse.Namespace) -> Iterator[tuple[str, object]]:
    """Yield (name, Document or error message) for every input, in order."""
    from .reader import ReadError, expand_inputs, read_path, read_stdin

    items = list(expand_inputs(args.paths, args.glob))
    progress = None
    if sys.stderr.isatty() and len(items) > 20:
        from tqdm import tqdm

        progress = tqdm(total=len(items), unit="doc", file=sys.stderr)
    for item in items:
        if isinstance(item, str) and item != "-":
            yield item, f"{item}"
        else:
            try:
                document = (
                    read_stdin() if item == "-" else read_path(Path(str(item)), args.max_bytes)
                )
                yield document.doc, document
            except ReadError as exc:
                yield str(item), str(exc)
        if progress is not None:
            progress.update()
    if progress is not None:
        progress.close()


def _extracted(
    extractor: Extractor,
    documents: Iterable[tuple[str, Document | str]],
    published: date | None,
) -> Iterator[tuple[str, Document | str, Result | Exception | None]]:
    """(name, document or read error, result) in input order; documents are extracted
    in the groups `Extractor.run_many` reads together (the recogniser batches them)."""
    from .extractor import GROUP_CHARS, GROUP_DOCUMENTS, grouped
    from .reader import Document

    def size(entry: tuple[str, Document | str]) -> int:
        return len(entry[1].text) if isinstance(entry[1], Document) else 0

    for group in grouped(documents, size, GROUP_DOCUMENTS, GROUP_CHARS):
        readable = [item for _, item in group if isinstance(item, Document)]
        outcomes = iter(
            extractor.run_many((d.text, d.doc, d.encoding, published) for d in readable)
        )
        for name, item in group:
            yield name, item, next(outcomes) if isinstance(item, Document) else None


def _extract(args: argparse.Namespace) -> int:
    from .extractor import Extractor
    from .output import atomic_writer, jsonl_line, table_header, table_row
    from .reader import Document

    extractor = Extractor(segmenter=args.segmenter, ner=args.ner)
    failures = 0

    def run(out: IO[str]) -> None:
        nonlocal failures
        if args.format == "table":
            out.write(table_header())
        for name, item, outcome in _extracted(extractor, _documents(args), args.published):
            if not isinstance(item, Document):
                failures += 1
                print(f"claims: {item}", file=sys.stderr)
                continue
            if item.warning:
                failures += 1  # read in part: the exit code must say so
                print(f"claims: {item.warning}", file=sys.stderr)
            if isinstance(outcome, BaseException):  # one bad document must not stop the run
                failures += 1
                print(
                    f"claims: {name}: extraction failed: {type(outcome).__name__}: {outcome}",
                    file=sys.stderr,
                )
                if args.debug:
                    traceback.print_exception(outcome)
                continue
            for claim in outcome.claims:
                if claim.confidence < args.min_confidence:
                    continue
                record = claim.to_dict(explain=args.explain)
                out.write(table_row(record) if args.format == "table" else jsonl_line(record))
            out.flush()
            if args.explain_rejected:
                for rejected in outcome.rejections:
                    print(
                        f"claims: {name}: rejected {rejected['amount']!r} at {rejected['start']}: "
                        f"{rejected['reason']} | {rejected['sentence']}",
                        file=sys.stderr,
                    )

    if args.output:
        with atomic_writer(args.output) as handle:
            run(handle)
    else:
        run(sys.stdout)
    return EXIT_FAILED_INPUTS if failures else EXIT_OK


def _eval(args: argparse.Namespace) -> int:
    import json

    from .evaluate import describe, load_jsonl, score

    gold_path = Path(args.gold)
    try:
        if gold_path.is_dir():
            gold = load_jsonl(gold_path / "gold.jsonl")
            if args.pred:
                predictions = load_jsonl(args.pred)
            else:
                from .evaluate import predict_folder
                from .extractor import Extractor
                from .ner import heldout_ids

                exclude = heldout_ids() if args.without_heldout else frozenset()
                extractor = Extractor(args.segmenter, ner=args.ner, exclude=exclude)
                predictions = predict_folder(gold_path, gold, extractor)
        else:
            if not args.pred:
                print(
                    "claims eval: give PRED.jsonl, or a folder holding documents and gold.jsonl",
                    file=sys.stderr,
                )
                return EXIT_USAGE
            gold, predictions = load_jsonl(gold_path), load_jsonl(args.pred)
    except (OSError, ValueError, ReadError) as exc:
        print(f"claims eval: {exc}", file=sys.stderr)
        return EXIT_FAILED_INPUTS
    scores = score(gold, predictions)
    if args.by_tag:
        from .evaluate import by_tag, describe_tags

        print(describe_tags(by_tag(gold, predictions)))
    if args.json:
        print(json.dumps(scores.totals(), ensure_ascii=False))
    else:
        print(describe(scores, verbose=args.verbose))
    if args.min_f1 is not None and scores.f1 < args.min_f1:
        print(f"claims eval: F1 {scores.f1:.4f} is below {args.min_f1}", file=sys.stderr)
        return EXIT_FAILED_INPUTS
    return EXIT_OK
