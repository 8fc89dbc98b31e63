"""Split text into sentences and clauses with offsets, keeping brackets and quotes whole.

Sentences end at 。！？!? and line breaks (a semicolon ends a *part*, see `parts`);
a terminator inside （）「」“”《》 does not split, and closing quotes stay with
their sentence. Paragraphs are runs of lines; their index lets context (attribution,
products, buyers) flow between sentences of one paragraph but not across.

A "sentence" longer than MAX_SENTENCE_CHARS (a table dump, a page without
punctuation) is cut at its last clause break or space before the limit, so that no
later stage ever works on an unbounded span; news sentences are far shorter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import regex

TERMINATORS = frozenset("。！？!?…")
PART_BREAKS = frozenset("；;")
CLAUSE_BREAKS = frozenset("，,：:；;—")
MAX_SENTENCE_CHARS = 600
_SOFT_BREAKS = CLAUSE_BREAKS | frozenset("、 \t\u3000")
OPENERS = "（(「『“《【〔[‘"
CLOSERS = "）)」』”》】〕]’"
_CLOSE_OF = dict(zip(OPENERS, CLOSERS, strict=True))
# the only characters the splitter acts on; it jumps from one to the next
_SPECIAL = regex.compile(
    "[" + regex.escape("\n" + "".join(TERMINATORS) + OPENERS + CLOSERS, special_only=True) + "]"
)


# never changed once made, but not frozen: a frozen class's __init__ sets each field
# through object.__setattr__, five times slower, and tens of thousands are made per MB
@dataclass(slots=True, unsafe_hash=True)
class Sentence:
    """A sentence: [start, end) in the document, its paragraph, and its index."""

    start: int
    end: int
    paragraph: int
    index: int


def split_sentences(text: str) -> list[Sentence]:
    """Split *text* into sentences (whitespace-trimmed spans, never empty)."""
    sentences: list[Sentence] = []
    paragraph = 0
    start = 0
    depth: list[str] = []
    i = 0
    n = len(text)

    def emit(begin: int, end: int) -> None:
        while begin < end and text[begin].isspace():
            begin += 1
        while end > begin and text[end - 1].isspace():
            end -= 1
        while end - begin > MAX_SENTENCE_CHARS:
            cut = _cut_point(text, begin, begin + MAX_SENTENCE_CHARS)
            sentences.append(Sentence(begin, cut, paragraph, len(sentences)))
            begin = cut
            while begin < end and text[begin].isspace():
                begin += 1
        if end > begin:
            sentences.append(Sentence(begin, end, paragraph, len(sentences)))

    while True:
        special = _SPECIAL.search(text, i)
        if special is None:
            break
        i = special.start()
        ch = text[i]
        if ch == "\n":
            emit(start, i)
            if sentences and sentences[-1].paragraph == paragraph:
                paragraph += 1
            depth.clear()
            start = i + 1
        elif ch in _CLOSE_OF:
            depth.append(_CLOSE_OF[ch])
        elif depth and ch == depth[-1]:
            depth.pop()
        elif ch in CLOSERS and ch in depth:
            while depth and depth.pop() != ch:
                pass
        elif ch in TERMINATORS and not depth:
            end = i + 1
            while end < n and (text[end] in TERMINATORS or text[end] in CLOSERS):
                end += 1
            emit(start, end)
            start = end
            i = end
            continue
        if len(depth) > 8:  # unbalanced brackets: stop waiting for them
            depth.clear()
        i += 1
    emit(start, n)
    return sentences


def _cut_point(text: str, begin: int, limit: int) -> int:
    """Where to cut an over-long sentence: after the last clause break or space in
    its second half, else between two characters that are not both letters/digits
    (never inside 48.5 or H100), else at the limit."""
    half = begin + (limit - begin) // 2
    for i in range(limit - 1, half, -1):
        if text[i] in _SOFT_BREAKS and not _inside_number(text, i):
            return i + 1
    for i in range(limit, half, -1):
        latin_word = text[i - 1].isalnum() and text[i].isascii() and text[i].isalnum()
        if not latin_word and not (text[i - 1].isdigit() or text[i].isdigit()):
            return i
    return limit


def _inside_number(text: str, i: int) -> bool:
    """A comma or colon between digits (100,000 / 10:30) is not a break."""
    return (
        text[i] in ",:."
        and 0 < i < len(text) - 1
        and text[i - 1].isdigit()
        and text[i + 1].isdigit()
    )


def spans_between(text: str, start: int, end: int, breaks: frozenset[str]) -> list[tuple[int, int]]:
    """Split text[start:end] at *breaks* outside brackets; return [start, end) pairs."""
    spans: list[tuple[int, int]] = []
    begin = start
    depth = 0
    for m in _structure(breaks).finditer(text, start, end):  # only the characters that act
        i = m.start()
        ch = text[i]
        if ch in OPENERS:
            depth += 1
        elif ch in CLOSERS:
            depth = max(0, depth - 1)
        elif depth == 0 and not _inside_number(text, i):
            spans.append((begin, i))
            begin = i + 1
    spans.append((begin, end))
    return [(a, b) for a, b in spans if b > a]


@cache
def _structure(breaks: frozenset[str]) -> re.Pattern[str]:
    """Brackets and the given break characters (the only ones `spans_between` reads)."""
    return re.compile("[" + re.escape("".join(sorted(set(OPENERS + CLOSERS) | breaks))) + "]")
