"""Shared fixtures: one Extractor for the whole session (loading it costs ~1 s)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus" / "news"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def extractor():
    from claims import Extractor

    return Extractor()


def batch_command(sources: Path, out: Path, *args: str) -> list[str]:
    """The argv of `claims batch` run as a subprocess (tests that kill it or read its
    exit code and stderr)."""
    import sys

    return [
        sys.executable,
        "-m",
        "claims",
        "batch",
        "--sources",
        str(sources),
        "--out",
        str(out),
        *args,
    ]


def assert_grounded(records: list[dict], text: str) -> None:
    """Every span and evidence sentence of these JSONL records is the text at its offsets."""
    for record in records:
        for part in ("buyer", "product", "amount"):
            span = record[part]
            assert text[span["start"] : span["end"]] == span["text"]
        source = record["source"]
        assert text[source["sentence_start"] : source["sentence_end"]] == source["sentence"]
