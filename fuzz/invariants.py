"""What every input must satisfy, shared by the fuzz target and the regression test
(tests/test_fuzz_regressions.py): it decodes or is refused with ReadError, the amount
parser returns an amount or None, and extraction (from the text the CLI would read)
raises nothing, is deterministic, and grounds every span and evidence sentence."""

from __future__ import annotations

from claims import Extractor, parse_amount
from claims.reader import ReadError, decode_reporting


def check(data: bytes, extractor: Extractor) -> None:
    try:
        text, _, _ = decode_reporting(data, "fuzz")
    except ReadError:
        text = data.decode("utf-8", errors="replace")
    parse_amount(text[:120])
    first = [c.to_dict() for c in extractor.extract(text)]
    if first != [c.to_dict() for c in extractor.extract(text)]:
        raise AssertionError("extraction is not deterministic")
    for record in first:
        for part in ("buyer", "product", "amount"):
            span = record[part]
            if text[span["start"] : span["end"]] != span["text"]:
                raise AssertionError(f"{part} {span!r} is not the text at its offsets")
        for evidence in record["source"]["evidence"]:
            start, end = evidence["sentence_start"], evidence["sentence_end"]
            if text[start:end] != evidence["sentence"]:
                raise AssertionError("evidence sentence is not the text at its offsets")
