"""Coverage-guided fuzzing (atheris) of the reader, the amount parser and the extractor.

    make fuzz MINUTES=10          # or: python fuzz/fuzz_claims.py -max_total_time=600 DIR

Seeds are the corpus documents (copied to a scratch corpus folder by `make fuzz`).
Every input must decode or raise ReadError, parse or return None, and extract without
an exception into claims whose spans are the text at their offsets. A crash leaves a
`crash-*` file in fuzz/findings/: once fixed, move it to tests/data/fuzz/, where
tests/test_fuzz_regressions.py replays every file.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from invariants import check as check_input

    from claims import Extractor

EXTRACTOR = Extractor()


def check(data: bytes) -> None:
    check_input(data, EXTRACTOR)


def main() -> None:
    atheris.Setup(sys.argv, check)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
