"""Word segmentation: spaCy's Chinese tokenizer with jieba, configured in one place.

Segmentation decides whether a single-character cue (买, 未, 各, 将) or a Chinese
lexicon name stands as a word of its own ("三星" is not a name inside "三星级").
Every lexicon alias is added as a jieba user word at load time, in every process,
because spaCy does not serialise jieba's user dictionary with a pipeline.
`Segmenter(words, name="pkuseg")` uses spacy-pkuseg instead, with the model trained on
our segmentation set (`models/pkuseg/`, see `claims.training.pkuseg`) and the aliases as
its user dictionary; jieba stays the default (README, "Segmenters").
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.language import Language

import regex

SEGMENTERS = ("jieba", "pkuseg")
# The characters jieba keeps together in one block before cutting (jieba.re_han_default).
_BLOCK_CHAR = regex.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&._%\-]")


class Tokens:
    """Token boundaries of the sentence text[lo:hi], as absolute offsets, computed on
    demand one block at a time.

    jieba cuts a text by first splitting it into blocks of Han characters, Latin letters
    and digits (`jieba.re_han_default`); every other character is a token of its own.
    Cutting only the blocks a question touches therefore gives exactly the boundaries of
    cutting the whole sentence, and most sentences need one or two blocks, not all.
    """

    __slots__ = ("_cut", "_done", "_ends", "_starts", "hi", "lo", "text")

    def __init__(self, text: str, lo: int, hi: int, cut: Callable[[str], Iterable[str]]) -> None:
        self.text = text
        self.lo = lo
        self.hi = hi
        self._cut = cut
        self._starts: set[int] = set()
        self._ends: set[int] = set()
        self._done: set[int] = set()  # block start offsets already cut

    def is_start(self, position: int) -> bool:
        """Does a word begin at *position*?"""
        if not self.lo <= position < self.hi:
            return False
        return self._boundary(position, position, self._starts)

    def is_end(self, position: int) -> bool:
        """Does a word end just before *position*?"""
        if not self.lo < position <= self.hi:
            return False
        return self._boundary(position - 1, position, self._ends)

    def aligned(self, start: int, end: int) -> bool:
        return self.is_start(start) and self.is_end(end)

    def _boundary(self, char: int, position: int, known: set[int]) -> bool:
        ch = self.text[char]
        if not _BLOCK_CHAR.match(ch):
            return not ch.isspace()
        block = self._block_start(char)
        if block not in self._done:
            self._cut_block(block)
        return position in known

    def _block_start(self, char: int) -> int:
        while char > self.lo and _BLOCK_CHAR.match(self.text[char - 1]):
            char -= 1
        return char

    def _cut_block(self, block: int) -> None:
        end = block
        while end < self.hi and _BLOCK_CHAR.match(self.text[end]):
            end += 1
        position = block
        for word in self._cut(self.text[block:end]):
            self._starts.add(position)
            position += len(word)
            self._ends.add(position)
        self._done.add(block)

    def boundaries(self) -> tuple[list[int], list[int]]:
        """All word starts and ends of the sentence (cuts every block; for tests)."""
        starts = [p for p in range(self.lo, self.hi) if self.is_start(p)]
        ends = [p for p in range(self.lo + 1, self.hi + 1) if self.is_end(p)]
        return starts, ends


def load_pkuseg(user_words: list[str]) -> Any:
    """spacy-pkuseg with the model trained here (`models/pkuseg/`, never downloaded) and
    the lexicon aliases as its user dictionary."""
    import spacy_pkuseg

    from .resources import models_dir

    where = models_dir() / "pkuseg"
    if not (where / "weights.npz").is_file():
        raise FileNotFoundError(
            f"claims: no pkuseg model at {where} (train it: python -m claims.training.pkuseg)"
        )
    return spacy_pkuseg.pkuseg(model_name=str(where), user_dict=user_words)


class Segmenter:
    """jieba with the lexicon as user words, and the spaCy `zh` pipeline around it.

    Token boundaries come from the same jieba call spaCy's Chinese tokenizer makes
    (`jieba.cut(text, cut_all=False)`), without building a `Doc`: the claim path needs
    only boundaries, and importing spaCy costs half a second of cold start. `nlp` (the
    spaCy pipeline, for components that need a `Doc`) is built on first use and gives
    the same tokens (tested).
    """

    def __init__(self, user_words: Iterable[str], name: str = "jieba") -> None:
        if name not in SEGMENTERS:
            raise ValueError(f"unknown segmenter {name!r}; choose from {', '.join(SEGMENTERS)}")
        words = sorted(w for w in set(user_words) if len(w) > 1 and " " not in w)
        self.name = name
        self._nlp: Language | None = None
        if name == "pkuseg":
            self._pkuseg = load_pkuseg(words)
            return
        import jieba

        jieba.setLogLevel(logging.WARNING)
        for word in words:
            jieba.add_word(word)
        self._jieba = jieba

    @property
    def nlp(self) -> Language:
        """The spaCy pipeline: `spacy.blank("zh")` with this segmenter."""
        if self._nlp is None:
            import spacy

            self._nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": self.name}}})
            if self.name == "pkuseg":
                self._nlp.tokenizer.pkuseg_seg = self._pkuseg  # type: ignore[attr-defined]
        return self._nlp

    def tokens(self, text: str, lo: int = 0, hi: int | None = None) -> Tokens:
        """The (lazily computed) word boundaries of text[lo:hi]."""
        return Tokens(text, lo, len(text) if hi is None else hi, self._cut)

    def _cut(self, block: str) -> Iterable[str]:
        if self.name == "pkuseg":
            return self._pkuseg.cut(block)
        return self._jieba.cut(block, cut_all=False)

    def words(self, text: str) -> list[str]:
        """The words of *text*, as the spaCy pipeline's tokens."""
        return [token.text for token in self.nlp.make_doc(text)]
