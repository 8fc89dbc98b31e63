"""parse_amount against the gold table tests/data/amounts.json (named lists, as in
price-parser): AMOUNTS, NO_AMOUNT and BUGS_CAUGHT (forms other libraries get wrong)."""

from __future__ import annotations

import json

import pytest

from claims import parse_amount
from claims.amounts import find_amounts
from claims.normalize import normalize
from conftest import DATA

TABLE = json.loads((DATA / "amounts.json").read_text(encoding="utf-8"))
AMOUNTS = TABLE["amounts"]
NO_AMOUNT = TABLE["no_amount"]
BUGS_CAUGHT = TABLE["bugs_caught"]
FIELDS = ("value", "unit", "currency", "approx", "low", "high")


def _check(row):
    amount = parse_amount(row["text"])
    assert amount is not None, row["text"]
    got = {f: getattr(amount, f) for f in FIELDS}
    want = {f: row[f] for f in FIELDS if f in row}
    assert {f: got[f] for f in want} == want, row["text"]


@pytest.mark.parametrize("row", AMOUNTS, ids=[r["text"] for r in AMOUNTS])
def test_amounts(row):
    _check(row)


@pytest.mark.parametrize("row", BUGS_CAUGHT, ids=[r["text"] for r in BUGS_CAUGHT])
def test_bugs_caught(row):
    _check(row)


@pytest.mark.parametrize("text", NO_AMOUNT)
def test_no_amount(text):
    assert parse_amount(text) is None


def test_table_is_large_enough():
    assert len(AMOUNTS) + len(BUGS_CAUGHT) >= 60


def test_find_skips_phone_numbers_ordinals_and_model_numbers():
    text = normalize("热线400-996-1195；第3块；H100芯片；采购了２万块")
    found = [text[m.start : m.end] for m in find_amounts(text)]
    assert found == ["2万块"]
