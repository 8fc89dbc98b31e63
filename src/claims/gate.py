"""The mention-free gate: reasons an amount can never be a purchase claim that need
only the text, the cue words and the word boundaries.

A vague or per-unit figure, a count in a non-counting unit, a market size, revenue or
investment, a negated, hypothetical or relative amount: none of these asks which
companies or products the sentence names. The extractor asks the gate before it tags
and links a sentence, so a sentence whose every amount fails here costs no alignment,
attribution or linking (most numbers in the news are of this kind); the linker asks it
first for every amount, so both decide alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from .amounts import AmountMatch, grammar
from .cues import Cue, Cues, load_cues
from .segment import Tokens
from .sentences import CLAUSE_BREAKS, PART_BREAKS, Sentence, spans_between

_CLAUSE_BREAKS = frozenset(CLAUSE_BREAKS)


@dataclass(slots=True)
class Passed:
    """What the gate read about an amount that passed it, for the linker to reuse."""

    c_start: int  # the amount's clause
    c_end: int
    p_start: int  # the start of its part (semicolons cut parts)
    predicates: list[Cue]  # purchase verbs in the clause
    denials: list[Cue]  # denials in the sentence


class AmountGate:
    """Gates the amounts of one normalised text (clauses and parts are cached)."""

    def __init__(self, text: str, cues: Cues | None = None) -> None:
        self.text = text
        self.cues = cues or load_cues()
        self.classifiers: dict[str, str] = grammar().classifiers
        self._purposes = tuple(self.cues.raw["spending_purposes"])
        self._time_words = tuple(self.cues.raw["per_unit_time_words"])
        self._batch_markers = tuple(self.cues.raw["batch_markers"])
        self._span_cache: dict[tuple[int, frozenset[str]], list[tuple[int, int]]] = {}
        self._verdicts: dict[int, str | Passed] = {}  # by amount start

    # ------------------------------------------------------------ clauses, parts
    def spans(self, sentence: Sentence, breaks: frozenset[str]) -> list[tuple[int, int]]:
        """The clauses (or parts) of a sentence, computed once per sentence."""
        key = (sentence.start, breaks)
        spans = self._span_cache.get(key)
        if spans is None:
            spans = self._span_cache[key] = spans_between(
                self.text, sentence.start, sentence.end, breaks
            )
        return spans

    def clause(self, sentence: Sentence, pos: int) -> tuple[int, int]:
        for a, b in self.spans(sentence, _CLAUSE_BREAKS):
            if a <= pos < b:
                return a, b
        return sentence.start, sentence.end

    def part(self, sentence: Sentence, pos: int) -> tuple[int, int]:
        for a, b in self.spans(sentence, PART_BREAKS):
            if a <= pos < b:
                return a, b
        return sentence.start, sentence.end

    # --------------------------------------------------------------------- gate
    def check(self, sentence: Sentence, am: AmountMatch, tokens: Tokens | None) -> str | Passed:
        """The reason *am* cannot be a purchase, or what was read on the way (decided
        once per amount: the extractor asks first, the linker again)."""
        verdict = self._verdicts.get(am.start)
        if verdict is None:
            verdict = self._verdicts[am.start] = self._check(sentence, am, tokens)
        return verdict

    def _check(self, sentence: Sentence, am: AmountMatch, tokens: Tokens | None) -> str | Passed:
        text, cues = self.text, self.cues
        value = am.amount
        if value.value is None:
            return "vague amount"
        if value.unit is None and value.currency is None:
            return "no unit"
        if value.is_count and value.unit not in self.classifiers:
            return "unit is not a counting classifier"
        if value.is_count and value.value == 1 and text[am.start] in "一1":
            return "single unit"
        c_start, c_end = self.clause(sentence, am.start)
        p_start, _ = self.part(sentence, am.start)
        if self.per_unit(c_start, am, tokens):
            return "per-unit figure"
        if value.is_count and cues.demonstratives.find(text, max(c_start, am.start - 2), am.start):
            return "refers back to items already counted (这两台…)"
        predicates = cues.predicates.find(text, c_start, c_end, tokens)
        exclusion = self.exclusion(c_start, c_end, predicates, tokens)
        if exclusion:
            return f"not a purchase ({exclusion})"
        if cues.negations.find(text, c_start, am.start, tokens):
            return "negated"
        denials = cues.denials.find(text, sentence.start, sentence.end, tokens)
        if cues.hypotheticals.find(text, p_start, am.start, tokens):
            return "hypothetical"
        if self.relative_amount(c_start, am, tokens):
            return "relative amount (a difference, not a total)"
        return Passed(c_start, c_end, p_start, predicates, denials)

    def without_purchase_cue(
        self,
        sentence: Sentence,
        am: AmountMatch,
        passed: Passed,
        tokens: Tokens | None,
        org_ends: set[int],
    ) -> bool:
        """Will the linker reject this amount for want of any purchase cue? Decided from
        cue words alone, before names are tagged: no purchase verb in its clause (nor,
        for money, at the head of the next), no recipient marker or frame, no order-value
        noun, back-reference, 前者/后者, batch or breakdown marker, no bracket or colon
        before it, and no name that could end right before it as a list item (*org_ends*:
        where a lexicon organisation ends). Every shape the linker tries needs one of
        these; a sentence whose amounts all lack them is only context, like a gated one."""
        text, cues = self.text, self.cues
        c_start, c_end = passed.c_start, passed.c_end
        if passed.predicates or text[am.start - 1 : am.start] in "(（" or am.start == 0:
            return False
        if text[c_start - 1 : c_start] in ("：", ":") or any(
            text.startswith(m, c_start) for m in self._batch_markers
        ):
            return False
        if any(end in org_ends for end in range(am.start - 4, am.start + 1)):
            return False  # 亚马逊约260亿美元: a list item
        money = am.amount.is_money
        if (
            money
            and c_end + 1 < sentence.end
            and cues.predicates.find(text, c_end + 1, min(c_end + 4, sentence.end), tokens)
        ):
            return False  # 动用新台币420亿元，添购…: the verb opens the next clause
        if money and cues.value_nouns.find(text, c_start, am.start, tokens):
            return False
        if any(text.find(opener, c_start, c_end) != -1 for opener, _ in cues.recipient_frames):
            return False
        return not (
            cues.recipients.find(text, c_start, c_end, tokens)
            or cues.anaphoric_purchase.find(text, c_start, am.start, tokens)
            or cues.former_latter.find(text, max(sentence.start, am.start - 3), am.start)
            or cues.breakdown.find(text, sentence.start, min(sentence.start + 4, sentence.end))
        )

    def relative_amount(self, c_start: int, am: AmountMatch, tokens: Tokens | None) -> bool:
        """比Meta多采购了5万块 / 较去年减少1万块 / 采购量增加了10万块: a difference."""
        text, cues = self.text, self.cues
        changes = cues.changes.find(text, max(c_start, am.start - 8), am.start, tokens)
        if not changes:
            return False
        last = changes[-1]
        if am.start - last.end <= 1 and len(last.word) > 1:
            return True  # 增加了10万块: the change word governs the amount
        return bool(cues.comparisons.find(text, c_start, last.start, tokens))

    def per_unit(self, c_start: int, am: AmountMatch, tokens: Tokens | None) -> bool:
        """每块约2万美元 / 每个机柜内装有72块: a figure per unit, not a total. A bare
        每 counts only right before the amount (每年 elsewhere is a rate of time)."""
        for cue in self.cues.per_unit.find(self.text, c_start, am.start, tokens):
            if len(cue.word) > 1 or am.start - cue.end <= 2:
                return True
        # 每柜 / 每座 …: 每 and any one character, unless it is a time rate (每年采购)
        position = self.text.find("每", c_start, am.start)
        while position != -1:
            if not self.text.startswith(self._time_words, position):
                return True
            position = self.text.find("每", position + 1, am.start)
        return False

    def exclusion(
        self, c_start: int, c_end: int, predicates: list[Cue], tokens: Tokens | None
    ) -> str | None:
        """A market size, revenue, investment, stock … in the clause (unless a longer
        purchase verb holds the word, or the money is put in to buy something)."""
        for cue in self.cues.exclusions.find(self.text, c_start, c_end, tokens):
            if any(
                p.start <= cue.start < p.end and len(p.word) > len(cue.word) for p in predicates
            ):
                continue
            if cue.label == "investment" and any(
                p.start > cue.end and self.text.endswith(self._purposes, c_start, p.start)
                for p in predicates
            ):
                continue  # 投入100亿元用于购买GPU: money spent on a product
            return cue.label
        return None
