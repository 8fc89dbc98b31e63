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
