"""Replays inputs kept from fuzzing (`make fuzz`) under tests/data/fuzz/: mutated
documents that reached new code paths, and any crash the fuzzer finds (saved here as
a regression once fixed). Each must decode or be refused with ReadError, and extract
without an exception into claims grounded in the text, the same way twice."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from claims import parse_amount
from claims.reader import ReadError, decode_reporting
from conftest import DATA

FINDINGS = sorted((DATA / "fuzz").glob("*"))


def test_there_are_findings_to_replay():
    assert len(FINDINGS) >= 10


@pytest.mark.parametrize("path", FINDINGS, ids=[p.name[:12] for p in FINDINGS])
def test_fuzz_input_is_handled(extractor, path: Path):
    data = path.read_bytes()
    with contextlib.suppress(ReadError):
        decode_reporting(data, path.name)
    text = data.decode("utf-8", errors="replace")
    parse_amount(text[:120])
    first = [c.to_dict() for c in extractor.extract(text)]
    assert first == [c.to_dict() for c in extractor.extract(text)]
    for record in first:
        for part in ("buyer", "product", "amount"):
            span = record[part]
            assert text[span["start"] : span["end"]] == span["text"]
