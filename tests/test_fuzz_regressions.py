"""Replays inputs kept from fuzzing (`make fuzz`) under tests/data/fuzz/: mutated
documents that reached new code paths, and any crash the fuzzer finds (saved here as
a regression once fixed). Each must decode or be refused with ReadError, and extract
without an exception into claims grounded in the text, the same way twice."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conftest import DATA, ROOT

sys.path.insert(0, str(ROOT / "fuzz"))
from invariants import check

FINDINGS = sorted((DATA / "fuzz").glob("*"))


def test_there_are_findings_to_replay():
    assert len(FINDINGS) >= 10


@pytest.mark.parametrize("path", FINDINGS, ids=[p.name[:12] for p in FINDINGS])
def test_fuzz_input_is_handled(extractor, path: Path):
    check(path.read_bytes(), extractor)
