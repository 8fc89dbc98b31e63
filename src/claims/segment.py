"""Word segmentation: spaCy's Chinese tokenizer with jieba, configured in one place.

Segmentation decides whether a single-character cue (买, 未, 各, 将) or a Chinese
lexicon name stands as a word of its own ("三星" is not a name inside "三星级").
Every lexicon alias is added as a jieba user word at load time, in every process,
because spaCy does not serialise jieba's user dictionary with a pipeline.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

SEGMENTERS = ("jieba",)


@dataclass(frozen=True, slots=True)
class Tokens:
    """Token boundaries of one text span, as absolute offsets."""

    starts: frozenset[int]
    ends: frozenset[int]

    def aligned(self, start: int, end: int) -> bool:
        return start in self.starts and end in self.ends


class Segmenter:
    """A spaCy `zh` tokenizer backed by jieba, with the lexicon as user words."""

    def __init__(self, user_words: Iterable[str], name: str = "jieba") -> None:
        if name not in SEGMENTERS:
            raise ValueError(f"unknown segmenter {name!r}; choose from {', '.join(SEGMENTERS)}")
        import jieba
        import spacy

        jieba.setLogLevel(logging.WARNING)
        for word in sorted(set(user_words)):
            if len(word) > 1 and " " not in word:
                jieba.add_word(word)
        self.name = name
        self.nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": name}}})

    def tokens(self, text: str, offset: int = 0) -> Tokens:
        """Segment *text*; return token boundaries shifted by *offset*."""
        doc = self.nlp.make_doc(text)
        starts = {offset + token.idx for token in doc}
        ends = {offset + token.idx + len(token.text) for token in doc}
        return Tokens(frozenset(starts), frozenset(ends))

    def words(self, text: str) -> list[str]:
        """The words of *text* (for inspection and the benchmark)."""
        return [token.text for token in self.nlp.make_doc(text)]
