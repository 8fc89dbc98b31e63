"""Normalisation keeps offsets; sentences keep brackets and quotes whole."""

from __future__ import annotations

from claims.normalize import normalize
from claims.sentences import spans_between, split_sentences


def test_normalize_is_length_preserving_and_simplifies():
    text = "輝達ＧＢ２００晶片，微軟購買４８.５萬塊\u3000！"
    norm = normalize(text)
    assert len(norm) == len(text)
    assert norm.startswith("辉达GB200")
    assert "微软购买48.5万块" in norm
    assert "，" in norm  # CJK punctuation that structures clauses is kept


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
