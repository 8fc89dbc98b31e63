"""Word segmentation: spaCy's Chinese tokenizer with jieba, configured in one place.

Segmentation decides whether a single-character cue (买, 未, 各, 将) or a Chinese
lexicon name stands as a word of its own ("三星" is not a name inside "三星级").
Every lexicon alias is a jieba user word: the table of jieba's words and ours is built
once and cached (`claims.wordfreq`), and each Segmenter cuts with its own jieba
Tokenizer over it, so the global `jieba` is never changed.
`Segmenter(words, name="pkuseg")` uses spacy-pkuseg instead, with the model trained on
our segmentation set (`models/pkuseg/`, see `claims.training.pkuseg`) and the aliases as
its user dictionary; jieba stays the default (README, "Segmenters").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from math import log
from typing import TYPE_CHECKING, Any

from .wordfreq import WordFrequencies, word_frequencies

if TYPE_CHECKING:
    from spacy.language import Language


SEGMENTERS = ("jieba", "pkuseg")
# The characters jieba keeps together in one block before cutting (jieba.re_han_default).
_BLOCK_CHARS = frozenset(
    [chr(c) for c in range(0x4E00, 0x9FD6)]
    + list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+#&._%-")
)


class Tokens:
    """Token boundaries of the sentence text[lo:hi], as absolute offsets, computed on
    demand one block at a time.

    jieba cuts a text by first splitting it into blocks of Han characters, Latin letters
    and digits (`jieba.re_han_default`); every other character is a token of its own.
    Cutting only the blocks a question touches therefore gives exactly the boundaries of
    cutting the whole sentence, and most sentences need one or two blocks, not all.
    """

    __slots__ = (
        "_cut",
        "_decided",
        "_done",
        "_ends",
        "_routes",
        "_starts",
        "hi",
        "lo",
        "text",
    )

    def __init__(
        self,
        text: str,
        lo: int,
        hi: int,
        cut: Callable[[str], Iterable[str]],
        routes: JiebaRoutes | None = None,
    ) -> None:
        self.text = text
        self.lo = lo
        self.hi = hi
        self._cut = cut
        self._routes = routes
        self._decided: dict[int, bool | None] = {}  # what the routes said (None: ask HMM)
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
        if ch not in _BLOCK_CHARS:
            return not ch.isspace()
        if self._routes is not None and position not in known:
            answer = self._routes.boundary(self.text, position, self.lo, self.hi, self._decided)
            if answer is not None:
                return answer
        block = self._block_start(char)
        if block not in self._done:
            self._cut_block(block)
        return position in known

    def _block_start(self, char: int) -> int:
        while char > self.lo and self.text[char - 1] in _BLOCK_CHARS:
            char -= 1
        return char

    def _cut_block(self, block: int) -> None:
        end = block
        while end < self.hi and self.text[end] in _BLOCK_CHARS:
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


class JiebaRoutes:
    """Decides most word-boundary questions from jieba's dictionary path over the block,
    without its HMM: the shortcut that makes alignment checks cheap.

    jieba links the words of its dictionary into a graph over each block and takes the
    most probable path; a run of single characters on that path may then be re-joined
    by its HMM (the costly part of a cut). A position is therefore a boundary when the
    path passes through it and a word of two or more characters touches it (the HMM
    joins only single characters), and is none when the path steps over it. Only a
    position between two single characters is left undecided (None): the caller cuts
    the block. One path answers every position of its block, so a block is routed once.
    """

    def __init__(self, table: WordFrequencies) -> None:
        self._freq = table.freq
        self._logtotal = log(table.total)
        # log(count) - log(total) of the words seen so far: jieba's word score, taken once
        self._scores: dict[str, float] = {}

    def boundary(
        self, text: str, position: int, lo: int, hi: int, decided: dict[int, bool | None]
    ) -> bool | None:
        """Does jieba cut text[lo:hi] at *position*? None when only the HMM can tell.
        *decided* memoises the answers for this text[lo:hi], a whole block at a time."""
        if position <= lo or position >= hi:
            return True
        if text[position - 1] not in _BLOCK_CHARS or text[position] not in _BLOCK_CHARS:
            return True
        if position not in decided:
            self._route_block(text, position, lo, hi, decided)
        return decided[position]

    def _route_block(
        self, text: str, position: int, lo: int, hi: int, decided: dict[int, bool | None]
    ) -> None:
        """Answer every position inside the block around *position* from its path."""
        first = position - 1
        while first > lo and text[first - 1] in _BLOCK_CHARS:
            first -= 1
        last = position + 1
        while last < hi and text[last] in _BLOCK_CHARS:
            last += 1
        ends = self._best_path(text[first:last])
        n = last - first
        for inside in range(first + 1, last):
            decided[inside] = False  # stepped over, unless the path passes below
        at, previous = 0, 0
        while at < n:
            following = ends[at]
            if at:
                long_word = at - previous >= 2 or following - at >= 2
                decided[first + at] = True if long_word else None
            previous, at = at, following

    def _best_path(self, block: str) -> list[int]:
        """jieba's most probable path over *block* (its `get_DAG` and `calc`, same
        arithmetic and tie-break, in one loop): the end of the word starting at each
        position."""
        freq, known = self._freq, self._scores
        single = -self._logtotal  # log(1) - logtotal: a character no word starts with
        n = len(block)
        scores = [0.0] * (n + 1)
        ends = [0] * (n + 1)
        for start in range(n - 1, -1, -1):
            best_score, best_last = 0.0, -1
            last = start
            fragment = block[start]
            count = freq.get(fragment)
            while count is not None:
                if count:
                    word = known.get(fragment)
                    if word is None:
                        word = known[fragment] = log(count) - self._logtotal
                    score = word + scores[last + 1]
                    if best_last < 0 or score >= best_score:
                        best_score, best_last = score, last
                last += 1
                if last == n:
                    break
                fragment = block[start : last + 1]
                count = freq.get(fragment)
            if best_last < 0:  # no word starts here: the character alone
                best_score, best_last = single + scores[start + 1], start
            scores[start] = best_score
            ends[start] = best_last + 1
        return ends


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
        # jieba's table with our words, from the cache (`claims.wordfreq`); jieba itself
        # is imported only when a block must be cut (a boundary the routes leave open)
        self._table = word_frequencies(words)
        self._routes = JiebaRoutes(self._table)
        self._jieba: Any = None

    @property
    def jieba(self) -> Any:
        """A jieba Tokenizer over this segmenter's table (the global `jieba.dt` is left
        as it is: another library's jieba does not see our words)."""
        if self._jieba is None:
            self._jieba = self._table.tokenizer()
        return self._jieba

    @property
    def nlp(self) -> Language:
        """The spaCy pipeline: `spacy.blank("zh")` with this segmenter."""
        if self._nlp is None:
            import spacy

            self._nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": self.name}}})
            tokenizer: Any = self._nlp.tokenizer
            if self.name == "pkuseg":
                tokenizer.pkuseg_seg = self._pkuseg
            else:
                tokenizer.jieba_seg = self.jieba
        return self._nlp

    def tokens(self, text: str, lo: int = 0, hi: int | None = None) -> Tokens:
        """The (lazily computed) word boundaries of text[lo:hi]."""
        routes = self._routes if self.name == "jieba" else None
        return Tokens(text, lo, len(text) if hi is None else hi, self._cut, routes)

    def _cut(self, block: str) -> Iterable[str]:
        if self.name == "pkuseg":
            return self._pkuseg.cut(block)
        return self.jieba.cut(block, cut_all=False)

    def words(self, text: str) -> list[str]:
        """The words of *text*, as the spaCy pipeline's tokens."""
        return [token.text for token in self.nlp.make_doc(text)]
