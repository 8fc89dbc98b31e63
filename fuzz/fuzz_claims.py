"""Coverage-guided fuzzing (atheris) of the reader, the amount parser and the extractor.

    make fuzz MINUTES=10          # or: python fuzz/fuzz_claims.py -max_total_time=600 DIR

Seeds are the corpus documents (copied to a scratch corpus folder by `make fuzz`).
Every input must decode or raise ReadError, parse or return None, and extract without
an exception into claims whose spans are the text at their offsets. A crash leaves a
`crash-*` file in fuzz/findings/: once fixed, move it to tests/data/fuzz/, where
tests/test_fuzz_regressions.py replays every file.
"""

from __future__ import annotations

import contextlib
import sys

import atheris

with atheris.instrument_imports():
    from claims import Extractor, parse_amount
    from claims.reader import ReadError, decode_reporting

EXTRACTOR = Extractor()


def check(data: bytes) -> None:
    """The invariants, shared with the regression test."""
    with contextlib.suppress(ReadError):
        decode_reporting(data, "fuzz")
    text = data.decode("utf-8", errors="replace")
    parse_amount(text[:120])
    for claim in EXTRACTOR.extract(text):
        for span in (claim.buyer, claim.product, claim.amount):
            if text[span.start : span.end] != span.text:
                raise AssertionError(f"span {span!r} is not the text at its offsets")
        source = claim.source
        if text[source.sentence_start : source.sentence_end] != source.sentence:
            raise AssertionError("evidence sentence is not the text at its offsets")


def main() -> None:
    atheris.Setup(sys.argv, check)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
