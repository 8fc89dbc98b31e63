"""Normalisation keeps offsets; sentences keep brackets and quotes whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claims.normalize import _converter, _may_convert, normalize, to_simplified
from claims.resources import models_dir
from claims.sentences import spans_between, split_sentences
from claims.training import opencc_triggers

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def test_normalize_is_length_preserving_and_simplifies():
    text = "輝達ＧＢ２００晶片，微軟購買４８.５萬塊\u3000！"
    norm = normalize(text)
    assert len(norm) == len(text)
    assert norm.startswith("辉达GB200")
    assert "微软购买48.5万块" in norm
    assert "，" in norm  # CJK punctuation that structures clauses is kept


def test_skipping_texts_without_trigger_characters_converts_exactly_like_opencc():
    """`to_simplified` skips OpenCC for a text holding no character its dictionaries
    change: every corpus line (simplified and traditional) comes out as OpenCC's own."""
    lines = [
        line
        for folder in ("news", "unseen", "segmentation")
        for path in sorted((CORPUS / folder).glob("*.txt"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    converter = _converter()
    same_length = [line for line in lines if len(converter.convert(line)) == len(line)]
    assert len(same_length) > 200
    assert [to_simplified(line) for line in same_length] == [
        converter.convert(line) for line in same_length
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("公司已回覆，订单照旧", "公司已回复，订单照旧"),  # 覆: only a phrase changes it
        ("买家意志消沈", "买家意志消沉"),  # 沈: a simplified surname, changed in phrases
        ("收到𠁞个", "收到𠀾个"),  # beyond the BMP (its class is one range)
        ("微软购买了48.5万块芯片", "微软购买了48.5万块芯片"),  # nothing to change: skipped
    ],
)
def test_phrase_only_changes_still_reach_opencc(text, expected):
    assert to_simplified(text) == expected == _converter().convert(text)


def test_simplified_text_skips_opencc_and_traditional_text_does_not():
    may_convert = _may_convert()
    assert may_convert is not None  # the shipped list is that of the installed OpenCC
    assert may_convert.search("据Omdia估计，微软今年购买了48.5万块英伟达Hopper芯片。") is None
    assert may_convert.search("據Omdia估計，微軟今年購買了48.5萬塊輝達Hopper晶片。")
    news = [
        line
        for path in sorted((CORPUS / "news").glob("*.txt"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    assert sum(1 for line in news if line.strip() and not may_convert.search(line)) > 100


def test_a_trigger_list_of_another_opencc_release_converts_every_text(monkeypatch):
    import opencc

    monkeypatch.setattr(opencc, "__version__", "0.0.1")
    assert _may_convert.__wrapped__() is None


def test_trigger_table_matches_the_installed_opencc():
    """`models/t2s_triggers.json` lists what this OpenCC's dictionaries change; after an
    upgrade, rebuild it (`python -m claims.training.opencc_triggers`)."""
    if not opencc_triggers.dictionary_tool().is_file():
        pytest.skip("this OpenCC build carries no opencc_dict tool")
    shipped = json.loads((models_dir() / "t2s_triggers.json").read_text(encoding="utf-8"))
    assert shipped["characters"] == opencc_triggers.build()["characters"]


def test_sentences_respect_quotes_and_brackets():
    text = "他说：「今年买了。明年再买！」随后离开。\n第二段（注：见上。）结束"
    sentences = [text[s.start : s.end] for s in split_sentences(text)]
    assert sentences == ["他说：「今年买了。明年再买！」随后离开。", "第二段（注：见上。）结束"]
    paragraphs = [s.paragraph for s in split_sentences(text)]
    assert paragraphs == [0, 1]


def test_commas_inside_numbers_do_not_split_clauses():
    text = "赫兹订购了100,000辆电动车，价值42亿美元"
    assert [text[a:b] for a, b in spans_between(text, 0, len(text), frozenset("，,"))] == [
        "赫兹订购了100,000辆电动车",
        "价值42亿美元",
    ]
