"""Link amounts to buyers and products: the rules that turn mentions into claims.

For every amount in a candidate sentence the linker decides, in order:
1. whether the amount can be a purchase at all (a counting classifier or a currency;
   not vague, not per-unit, not revenue/investment/market size/stock, not negated,
   not hypothetical);
2. which construction carries it (a purchase verb; an item of a list "谷歌(16.9万块)"
   or "亚马逊约260亿美元"; an order value "这笔订单价值约42亿美元"; a back-reference
   "这批采购包括…"; a breakdown "其中…占5285台");
3. the buyer (distributive 分别/各, joint 合计, recipient 卖给/为…提供, relative clause
   "…芯片的Meta", subject, pronoun, or the topic of the preceding sentences);
4. the product (after the amount, before it, earlier in the sentence, or the latest
   compatible product of the preceding sentences — then marked inferred).
Each decision is recorded as a rule name so that `--explain` can show it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import regex

from .amounts import AmountMatch, grammar
from .attribution import Attribution, attribution_for
from .cues import Cue, Cues, load_cues
from .gate import AmountGate
from .resources import load_json
from .segment import Tokens
from .sentences import CLAUSE_BREAKS, Sentence
from .tagger import Mention, Tagged

CONTEXT_SENTENCES = 3
# linking a sentence looks at the mentions of this many sentences before it (a table's
# head, an earlier product or buyer) and a few characters after it, never further
WINDOW_SENTENCES = 34  # MAX_TABLE_LINES, the table head, and a margin
WINDOW_AFTER = 64
# a table line: "微软：约62万块" / "· 谷歌: 45万块" alone on its line, under an announcing line
TABLE_LINE = regex.compile(r"\s*[-*•·]?\s*[^，。；：:\n]{1,16}[：:]")
TABLE_LINE_CHARS = 40
MAX_TABLE_LINES = 30
TOPIC_SENTENCES = 2
PRODUCT_REACH = 16
HEAD_GAP = 12  # characters between a modifying product and its head (…的资讯设备)
_LEAD_WORDS = regex.compile(
    r"[（(【\[][^）)】\]]{0,30}[）)】\]]|"  # a dateline or bracketed aside: （中央社记者台北报导）
    r"(?:\d+年)?(?:\d+月)?(?:\d+日)?|今年|去年|明年|此前|此后|随后|目前|同时|另外|此外|而|但|不过|其中|并|且|也|还"
)
LIST_GAP = regex.compile(r"\s*(?:(?:则|也|亦)?(?:约为|为|是|有)|则|:|：)?\s*")
PAREN_OPEN = "(（"
SELLER_TYPES = frozenset({"chip_vendor", "automaker"})
IN_HOUSE_CLASSES = frozenset({"accelerator", "chip", "cpu", "gpu"})


@dataclass(slots=True)
class BuyerRef:
    """A buyer as found: its span in the text, name and id, and how it was found."""

    start: int
    end: int
    name: str
    id: str | None
    inferred: bool = False


@dataclass(slots=True)
class ProductRef:
    start: int
    end: int
    name: str
    id: str | None
    vendor: str | None
    cls: str | None
    level: int
    inferred: bool = False


@dataclass(slots=True)
class Draft:
    """A claim before records are built: references into the normalised text."""

    buyer: BuyerRef
    product: ProductRef
    amount: AmountMatch
    predicate: str
    sentence: Sentence
    attribution: Attribution | None
    rules: list[str] = field(default_factory=list)
    confidence: float = 0.0


@dataclass(slots=True)
class Rejection:
    """A candidate amount that made no claim, and why (for --explain-rejected)."""

    amount: AmountMatch
    sentence: Sentence
    reason: str


@cache
def _scoring() -> dict:
    return load_json("scoring.json")


_PLURAL_COUNTS = {"两": 2, "二": 2, "俩": 2, "三": 3, "四": 4, "五": 5}


@cache
def _plural_pattern() -> regex.Pattern[str]:
    data = load_cues().raw["plural_references"]
    heads = "|".join(map(regex.escape, sorted(data["heads"], key=len, reverse=True)))
    fixed = "|".join(map(regex.escape, data["fixed"]))
    counts = "".join(_PLURAL_COUNTS)
    return regex.compile(rf"(?:这|上述|该)?(?P<n>[{counts}])家(?:{heads})?|{fixed}")


def _same_org(mention: Mention, buyer: BuyerRef) -> bool:
    if mention.id is not None and mention.id == buyer.id:
        return True
    return mention.entry.name == buyer.name


def _product_ref(m: Mention, inferred: bool = False) -> ProductRef:
    return ProductRef(m.start, m.end, m.name, m.id, m.vendor, m.cls, m.level, inferred)


def _buyer_ref(m: Mention, inferred: bool = False) -> BuyerRef:
    return BuyerRef(m.start, m.end, m.entry.name, m.id, inferred)


class SentenceLinker:
    """Links the amounts of one document, sentence by sentence, keeping context."""

    def __init__(
        self,
        text: str,
        tagged: Tagged,
        sentences: list[Sentence],
        gate: AmountGate | None = None,
    ) -> None:
        self.text = text
        self.tagged = tagged
        self.sentences = sentences
        self.cues: Cues = load_cues()
        self.gate = gate or AmountGate(text, self.cues)
        self.drafts: list[Draft] = []
        self.rejections: list[Rejection] = []
        # attributions read in each sentence so far (a table's source is in its head)
        self.heard: dict[int, list[Attribution]] = {}
        # cue lists asked for once per amount or organisation: read them once
        raw = self.cues.raw
        self._places = tuple(raw["place_prefixes"])
        self._deal_verbs = tuple(raw["bilateral_deal_verbs"])
        self._counterparty_gaps = frozenset(raw["counterparty_markers"])
        self.classifiers: dict[str, str] = grammar().classifiers
        self.accepts: dict[str, list[str]] = grammar().units["classifier_accepts"]

    # ------------------------------------------------------------------ helpers
    def _clause(self, sentence: Sentence, pos: int) -> tuple[int, int]:
        return self.gate.clause(sentence, pos)

    def _part(self, sentence: Sentence, pos: int) -> tuple[int, int]:
        return self.gate.part(sentence, pos)

    def _compatible(self, amount: AmountMatch, product: Mention | ProductRef) -> bool:
        unit = amount.amount.unit
        if amount.amount.is_money or unit is None:
            return True
        group = self.classifiers.get(unit)
        if group is None:
            return False
        return product.cls is None or product.cls in self.accepts.get(group, [])

    def _previous_drafts(self, sentence: Sentence) -> list[Draft]:
        return [d for d in self.drafts if sentence.index - d.sentence.index <= CONTEXT_SENTENCES]

    # ---------------------------------------------------------------- entry point
    def hear(self, sentence: Sentence, attributions: list[Attribution]) -> None:
        """Remember the attributions of a sentence that holds no amount."""
        if attributions:
            self.heard[sentence.index] = attributions

    def link_sentence(
        self,
        sentence: Sentence,
        amounts: list[AmountMatch],
        tokens: Tokens | None,
        attributions: list[Attribution],
    ) -> None:
        self.heard[sentence.index] = attributions
        document = self.tagged
        first = self.sentences[max(0, sentence.index - WINDOW_SENTENCES)].start
        self.tagged = document.window(first, sentence.end + WINDOW_AFTER)
        try:
            for index, amount in enumerate(amounts):
                reason = self._link(sentence, amount, index, amounts, tokens, attributions)
                if reason:
                    self.rejections.append(Rejection(amount, sentence, reason))
        finally:
            self.tagged = document

    def _link(
        self,
        sentence: Sentence,
        am: AmountMatch,
        index: int,
        amounts: list[AmountMatch],
        tokens: Tokens | None,
        attributions: list[Attribution],
    ) -> str | None:
        """Try to make claims from one amount; return a rejection reason or None."""
        text, cues = self.text, self.cues
        value = am.amount
        passed = self.gate.check(sentence, am, tokens)
        if isinstance(passed, str):
            return passed
        c_start, c_end, p_start = passed.c_start, passed.c_end, passed.p_start
        predicates, denials = passed.predicates, passed.denials
        attribution = attribution_for(am.start, attributions)
        verb = self._verb(predicates, am) or self._award(c_start, c_end, tokens)
        if verb is None and value.is_money and c_end + 1 < sentence.end:
            # 动用新台币420亿元，添购…设备: the spending verb opens the next clause
            verb = self.cues.predicates.first(text, c_end + 1, min(c_end + 4, sentence.end), tokens)
        rules: list[str] = []

        # which construction carries the amount
        paren_org = self._paren_org(c_start, am)
        list_org = None if paren_org else self._list_org(c_start, am)
        if paren_org is not None:
            return self._from_list(sentence, am, paren_org, "parenthesis", tokens, attribution)
        if list_org is not None and not verb:
            return self._from_list(sentence, am, list_org, "list-item", tokens, attribution)
        if value.is_money and cues.value_nouns.find(text, c_start, am.start, tokens):
            return self._inherit(sentence, am, "order-value", tokens, attribution, own_product=True)
        if cues.anaphoric_purchase.find(text, c_start, am.start, tokens):
            return self._inherit(
                sentence, am, "back-reference", tokens, attribution, own_product=True
            )
        recipient = self._recipients(c_start, c_end, am, tokens)
        pointed = None if verb or recipient else self._pointed_product(sentence, am, tokens)
        if pointed is not None:
            verb, pointed_product = pointed
        elif not verb and not recipient and text[c_start - 1 : c_start] in ("：", ":"):
            # 签署订单，具体为：A320neo 20架、A350 10架 — the items after a colon take
            # the verb that announces them, in the same part of the sentence
            announced = cues.predicates.find(text, p_start, c_start, tokens)
            verb = announced[-1] if announced else None
        if not verb and not recipient and c_start > sentence.start:
            # 将采购数十万颗芯片，首批为1.8万颗GB300: a batch of what the clause before buys
            lead = text[c_start : c_start + 6]
            if any(lead.startswith(m) for m in cues.raw["batch_markers"]):
                earlier = cues.predicates.find(text, sentence.start, c_start, tokens)
                verb = earlier[-1] if earlier else None
        if not verb and not recipient:
            if cues.breakdown.find(text, sentence.start, min(sentence.start + 4, sentence.end)):
                return self._inherit(
                    sentence, am, "breakdown", tokens, attribution, own_product=True
                )
            return "no purchase cue"

        predicate = verb.label if verb else "purchase"
        rules.append(f"cue:{verb.word}" if verb else f"recipient:{recipient[0]}")
        anchor = verb.start if verb and verb.start < am.start else am.start

        product = (
            pointed_product
            if pointed is not None
            else self._product(sentence, am, c_start, c_end, tokens)
        )
        if product is None:
            return "no product"
        if isinstance(product, str):
            return product
        rules.append("product:inferred" if product.inferred else "product:stated")

        buyers = self._buyers(
            sentence,
            am,
            index,
            amounts,
            anchor,
            c_start,
            c_end,
            recipient,
            product,
            tokens,
            attributions,
            rules,
        )
        if isinstance(buyers, str):
            return buyers
        if self._plan(sentence, anchor, c_end, tokens, attributions):
            predicate = "plan"
        if product.level <= 1 and product.vendor is None:
            seller = self._seller(sentence, p_start, anchor, tokens)
            if seller is not None:
                product.vendor = seller.id
                product.name = seller.entry.name + product.name
                rules.append("product:seller-named")
        if denials:
            # 小米否认采购… / …的传闻不实: a denial in the sentence withdraws the claims
            # of the buyer it concerns, not those of another company (哈啰否认 …)
            buyers = [b for b in buyers if not self._denied(b, denials, sentence)]
            if not buyers:
                return "negated"
        for buyer in buyers:
            self._add(Draft(buyer, product, am, predicate, sentence, attribution, list(rules)))
        return None

    def _denied(self, buyer: BuyerRef, denials: list[Cue], sentence: Sentence) -> bool:
        """Does one of the sentence's denials concern *buyer*: it is the organisation
        denying (the last one before the denial word), the one named in the denied
        clause after it, or nobody is named before the denial at all?"""
        for cue in denials:
            before = self.tagged.within("org", sentence.start, cue.start)
            if not before:
                return True
            clause_end = self._clause(sentence, cue.start)[1]
            concerned = [before[-1], *self.tagged.within("org", cue.end, clause_end)]
            if any(_same_org(o, buyer) for o in concerned):
                return True
        return False

    # ------------------------------------------------------------ gates and cues
    def _verb(self, predicates: list[Cue], am: AmountMatch) -> Cue | None:
        before = [p for p in predicates if p.end <= am.start]
        if before:
            return before[-1]
        after = [p for p in predicates if p.start >= am.end]
        return after[0] if after else None

    def _plan(
        self,
        sentence: Sentence,
        anchor: int,
        c_end: int,
        tokens: Tokens | None,
        attributions: list[Attribution],
    ) -> bool:
        """A plan marker before the verb in the sentence (计划/将/拟, also across the
        semicolons of one allocation list), or after it in its clause (…的接收计划);
        markers inside an attribution (英伟达预计，) do not count."""
        markers = self.cues.plan.find(self.text, sentence.start, c_end, tokens)
        return any(
            not any(a.start <= m.start < a.end for a in attributions)
            and (m.end <= anchor or m.start >= anchor)
            for m in markers
        )

    # ----------------------------------------------------------------- products
    def _product(
        self, sentence: Sentence, am: AmountMatch, c_start: int, c_end: int, tokens: Tokens | None
    ) -> ProductRef | str | None:
        products = self.tagged.products
        after = [
            p
            for p in products
            if p.start >= am.end
            and p.end <= c_end
            and p.start - am.end <= PRODUCT_REACH
            and "、" not in self.text[am.end : p.start]  # A320neo 20架、A350 10架
            and self._compatible(am, p)
        ]
        # a counting classifier binds the noun right after it (1000颗H100的GPU集群 counts
        # H100s); money pays for the head of the phrase (…所需的资讯设备)
        chosen: Mention | None = None
        if after:
            chosen = self._head(after) if am.amount.is_money else after[0]
        if chosen is None:
            before = [
                p
                for p in products
                if c_start <= p.start and p.end <= am.start and self._compatible(am, p)
            ]
            chosen = before[-1] if before else None
        if chosen is None and am.amount.is_money:
            nxt = c_end + 1
            if nxt < sentence.end and self.cues.predicates.first(
                self.text, nxt, min(nxt + 3, sentence.end), tokens
            ):
                n_end = self._clause(sentence, nxt)[1]
                later = [p for p in products if p.start >= nxt and p.end <= n_end]
                chosen = self._head(later) if later else None
            if chosen is None:
                return "money without a product in its clause"
        elsewhere = False
        if chosen is None:
            before = [
                p
                for p in products
                if sentence.start <= p.start and p.end <= am.start and self._compatible(am, p)
            ]
            chosen = before[-1] if before else None
            elsewhere = chosen is not None  # stated in an earlier clause: ellipsis
        if chosen is not None:
            ref = _product_ref(chosen, inferred=elsewhere)
            if ref.level <= 1 and self._demonstrative_before(chosen, am, c_start, tokens):
                specific = self._context_product(
                    sentence, am, chosen.start, min_level=2, cls=chosen.cls
                )
                if specific is not None:
                    return specific
            return ref
        return self._context_product(sentence, am, am.start)

    def _head(self, candidates: list[Mention]) -> Mention:
        """The head of the noun phrase that opens *candidates*: in 算力业务所需的资讯设备
        the product after 的 is what is bought; the first one only modifies it."""
        head = candidates[0]
        for nxt in candidates[1:]:
            gap = self.text[head.end : nxt.start]
            if "的" not in gap or len(gap) > HEAD_GAP or any(ch in CLAUSE_BREAKS for ch in gap):
                break
            head = nxt
        return head

    def _demonstrative_before(
        self, product: Mention, am: AmountMatch, c_start: int, tokens: Tokens | None
    ) -> bool:
        lo = max(c_start, min(product.start, am.start) - 3)
        return bool(
            self.cues.demonstratives.find(self.text, lo, min(product.start, am.start), tokens)
        )

    def _context_product(
        self,
        sentence: Sentence,
        am: AmountMatch,
        before: int,
        min_level: int = 0,
        cls: str | None = None,
        first: int | None = None,
    ) -> ProductRef | None:
        if first is None:
            first = self.sentences[max(0, sentence.index - CONTEXT_SENTENCES)].start
        pool = [
            p
            for p in self.tagged.products
            if first <= p.start
            and p.end <= before
            and p.level >= min_level
            and (cls is None or p.cls == cls or p.cls is None)
            and self._compatible(am, p)
        ]
        if not pool:
            return None
        return _product_ref(pool[-1], inferred=True)

    # ------------------------------------------------------------------- buyers
    def _eligible(
        self, org: Mention, product: ProductRef | None, sentence: Sentence, tokens: Tokens | None
    ) -> bool:
        if org.entry.category != "org":
            return False
        if not self._may_own(org, product, sentence, tokens):
            return False
        c_start, c_end = self._clause(sentence, org.start)
        if self._is_seller(org, c_start, c_end, tokens):
            return False
        if self._counterparty(org, c_start, c_end, tokens):
            return False
        if org.entry.type == "government" and not self._clause_subject(org, c_start):
            return False  # 横跨美国多地: a place, not a buyer
        return not self._modifier(org)

    def _may_own(
        self, org: Mention, product: ProductRef | None, sentence: Sentence, tokens: Tokens | None
    ) -> bool:
        """A maker does not buy its own product (中国商飞 and C919, 英伟达 and H100),
        except in-house silicon deployed by a cloud or platform company (亚马逊 and
        Trainium) or anything marked 自研/自家."""
        if product is None or not product.vendor or org.id != product.vendor:
            return True
        if self.cues.self_made.find(self.text, sentence.start, sentence.end, tokens):
            return True
        return org.entry.type not in SELLER_TYPES and product.cls in IN_HOUSE_CLASSES

    def _awarded(self, c_start: int, marker: Cue) -> bool:
        """把首期2000台服务器的订单交给广达 / 将合同授予X: an order handed to X."""
        return bool(self.cues.awarded_orders.find(self.text, c_start, marker.start))

    def _award(self, c_start: int, c_end: int, tokens: Tokens | None) -> Cue | None:
        """The handing-over of an order as the clause's order verb, if there is one."""
        marker = self.cues.recipients.first(self.text, c_start, c_end, tokens)
        if marker and self._awarded(c_start, marker):
            return Cue(marker.start, marker.end, marker.word, "order")
        return None

    def _is_seller(self, org: Mention, c_start: int, c_end: int, tokens: Tokens | None) -> bool:
        """向特斯拉订购 / 从澳洲业者IREN购买: the organisation after 向/从 (and a short
        descriptor) sells, unless a recipient frame closes after it (向X提供: X receives);
        so does the one an order is handed to (把订单交给广达)."""
        lo = max(c_start, org.start - 4)
        handed = self.cues.recipients.find(self.text, lo, org.start, tokens)
        if handed and self._awarded(c_start, handed[-1]):
            return True
        markers = self.cues.sellers.find(self.text, max(c_start, org.start - 12), org.start, tokens)
        if not markers:
            return False
        marker = markers[-1]
        if self.cues.predicates.find(self.text, marker.end, org.start, tokens):
            return False
        between = [o for o in self.tagged.orgs if marker.end <= o.start and o.end <= org.start]
        if between and self._group(org, [*between, org])[0] is org:
            return False  # another, uncoordinated organisation is the one after 向
        return not self._frame_closes(org.end, c_end)

    def _clause_subject(self, org: Mention, c_start: int) -> bool:
        """Does *org* open its clause (after time words, a dateline, or a place name:
        香港数码港)?"""
        lead = _LEAD_WORDS.sub("", self.text[c_start : org.start]).strip()
        return lead in self._places or lead == "" or lead.endswith(("由", "让", "令", "使"))

    def _seller(
        self, sentence: Sentence, lo: int, anchor: int, tokens: Tokens | None
    ) -> Mention | None:
        """向特斯拉订购 / 从Polestar购入 / 与通用汽车约定…采购: the other party, which
        names a generic product class (电动车 → 特斯拉电动车)."""
        for org in reversed([o for o in self.tagged.orgs if lo <= o.start and o.end <= anchor]):
            c_start, c_end = self._clause(sentence, org.start)
            if self._is_seller(org, c_start, c_end, tokens) or self._counterparty(
                org, c_start, c_end, tokens
            ):
                return org
        return None

    def _coordinated(self, end: int, start: int) -> bool:
        gap = self.text[end:start].strip()
        return gap in self.cues.coordinators or gap == ""

    def _frame_closes(self, pos: int, c_end: int) -> bool:
        """True when a recipient frame (向X提供) closes soon after *pos* in the clause."""
        for _, closer in self.cues.recipient_frames:
            found = self.text.find(closer, pos, c_end)
            if found != -1 and found - pos <= 12:
                return True
        return False

    def _counterparty(self, org: Mention, c_start: int, c_end: int, tokens: Tokens | None) -> bool:
        """与X签约 / 和X联手: X is the other party of a deal, not the buyer."""
        if self._deal_partner(org, c_start, c_end):
            return True
        first = org
        for other in reversed(self.tagged.within("org", c_start, org.start)):
            if self._coordinated(other.end, first.start):
                first = other
            else:
                break
        marker = self.cues.counterparties.find(
            self.text, max(c_start, first.start - 1), first.start, tokens
        )
        if not marker:
            return False
        last = org
        for other in self.tagged.within("org", org.end, c_end):
            if self._coordinated(last.end, other.start):
                last = other
            else:
                break
        verb = self.cues.counterparty_verbs.first(
            self.text, last.end, min(c_end, last.end + 14), tokens
        )
        return verb is not None

    def _deal_partner(self, org: Mention, c_start: int, c_end: int) -> bool:
        """Viettel与英伟达合作 / 东航和空客签约: the organisation right after 与/和, right
        before a deal verb, is the other party, even though 与 also coordinates."""
        before = self.tagged.within("org", c_start, org.start)
        if not before or self.text[before[-1].end : org.start] not in self._counterparty_gaps:
            return False
        following = self.text[org.end : min(c_end, org.end + 4)]  # 合作 / 正式签约
        return any(verb in following for verb in self._deal_verbs)

    def _modifier(self, org: Mention) -> bool:
        """A country before a company (沙特AI企业HUMAIN) only modifies it."""
        if org.entry.type != "government":
            return False
        for other in self.tagged.orgs:
            if other.start >= org.end and other.start - org.end <= 8:
                gap = self.text[org.end : other.start]
                return not any(ch in CLAUSE_BREAKS or ch in "的及和与、" for ch in gap)
        return False

    def _in_attribution(self, org: Mention, attributions: list[Attribution]) -> bool:
        return any(a.start <= org.start < a.end for a in attributions)

    def _group(self, last: Mention, candidates: list[Mention]) -> list[Mention]:
        """`last` and the organisations coordinated before it (A、B和C)."""
        group = [last]
        for org in reversed([o for o in candidates if o.end <= last.start]):
            if self._coordinated(org.end, group[0].start) or self.text[
                org.end : group[0].start
            ] in ("、", "和", "与", "及"):
                group.insert(0, org)
            else:
                break
        return group

    def _buyers(
        self,
        sentence: Sentence,
        am: AmountMatch,
        index: int,
        amounts: list[AmountMatch],
        anchor: int,
        c_start: int,
        c_end: int,
        recipient: tuple[str, list[Mention]] | None,
        product: ProductRef,
        tokens: Tokens | None,
        attributions: list[Attribution],
        rules: list[str],
    ) -> list[BuyerRef] | str:
        text, cues = self.text, self.cues
        if recipient:
            orgs = [o for o in recipient[1] if self._eligible_recipient(o, product)]
            if orgs:
                rules.append("buyer:recipient")
                return [_buyer_ref(o) for o in orgs]
        relative = self._relative(am, c_end, product)
        if relative is not None:
            rules.append("buyer:relative-clause")
            return [_buyer_ref(relative)]
        passive = self._passive_agent(am, c_start, c_end, anchor, tokens)
        if passive is not None and self._eligible(passive, product, sentence, tokens):
            rules.append("buyer:passive-agent")
            return [_buyer_ref(passive)]
        pointed = self._former_latter(sentence, c_start, anchor, tokens)
        if pointed is not None:
            rules.append("buyer:former-latter")
            return [pointed]
        in_sentence = [
            o
            for o in self.tagged.orgs
            if sentence.start <= o.start
            and o.end <= anchor
            and self._eligible(o, product, sentence, tokens)
        ]
        in_clause = [o for o in in_sentence if o.start >= c_start]
        in_house = bool(in_clause) and all(o.id == product.vendor for o in in_clause)
        if not in_house and any(o.id != product.vendor for o in in_sentence):
            # the product's maker is its seller (微软从英伟达采购…), unless it is the
            # only subject of the clause: Meta预计采购约40万颗MTIA buys its own chip
            in_sentence = [o for o in in_sentence if o.id != product.vendor]
        outside = [o for o in in_sentence if not self._in_attribution(o, attributions)]
        candidates = outside or in_sentence
        head_start = self._clause(sentence, anchor)[0]
        heads = cues.unnamed_heads.find(text, head_start, anchor, tokens)
        heads += cues.unnamed_modified.find(text, head_start, anchor, tokens)
        unnamed = [
            u
            for u in heads
            if not cues.pronouns.find(text, max(head_start, u.start - 2), u.end, tokens)
            and not any(o.start <= u.start < o.end for o in self.tagged.orgs)
        ]
        if unnamed and not any(o.start >= head_start for o in candidates):
            plural = self._plural_reference(sentence, head_start, anchor)
            if plural is None:
                return "buyer is not named"
            cue_end, group = plural
            # 九巴及城巴昨日联合公布，两家公司各订购150部: the pair named just before
            spread = self._spread(group, cue_end, sentence, am, amounts, tokens, rules)
            if spread is not None:
                return spread
            rules.append("buyer:joint")
            names = "、".join(o.entry.name for o in group)
            return [BuyerRef(group[0].start, group[-1].end, names, None, inferred=True)]
        pronoun = cues.pronouns.find(
            text, max(c_start, candidates[-1].end if candidates else c_start), anchor, tokens
        )
        if candidates and not (
            pronoun
            and candidates[-1].end <= self._clause(sentence, anchor)[0]
            and not self._same_sentence_topic(candidates[-1], sentence)
        ):
            last = candidates[-1]
            joint = cues.joint.find(text, last.end, am.start, tokens)
            group = self._group(last, candidates)
            spread = self._spread(group, last.end, sentence, am, amounts, tokens, rules)
            if spread is not None:
                return spread
            if joint and len(group) > 1:
                rules.append("buyer:joint")
                names = "、".join(o.entry.name for o in group)
                return [BuyerRef(group[0].start, group[-1].end, names, None)]
            rules.append("buyer:subject" if last in outside else "buyer:speaker")
            return [_buyer_ref(last)]
        # no named subject in the sentence: a pronoun, or a subject-less clause
        topic = self._topic(sentence, product, tokens, bool(pronoun))
        if topic is None:
            return "no buyer"
        rules.append("buyer:pronoun" if pronoun else "buyer:topic")
        return [topic]

    def _spread(
        self,
        group: list[Mention],
        after: int,
        sentence: Sentence,
        am: AmountMatch,
        amounts: list[AmountMatch],
        tokens: Tokens | None,
        rules: list[str],
    ) -> list[BuyerRef] | None:
        """分别 with one amount per buyer (in order), or 各 with one amount for each."""
        distributive = self.cues.distributive.find(self.text, after, am.start, tokens)
        if not distributive or len(group) < 2:
            return None
        clause = self._clause(sentence, am.start)
        following = [
            a
            for a in amounts
            if a.start > distributive[0].end and self._clause(sentence, a.start) == clause
        ]
        if len(following) == len(group) and am in following:
            rules.append("buyer:respectively")
            return [_buyer_ref(group[following.index(am)])]
        rules.append("buyer:each")
        return [_buyer_ref(o) for o in group]

    def _plural_reference(
        self, sentence: Sentence, lo: int, anchor: int
    ) -> tuple[int, list[Mention]] | None:
        """两家公司 / 双方 / 三家航司: a count of buyers named together just before
        (in this sentence or the previous one); (end of the reference, the group)."""
        found = _plural_pattern().search(self.text, lo, anchor)
        if found is None:
            return None
        size = _PLURAL_COUNTS.get(found.group("n") or "", 2)
        first = self.sentences[max(0, sentence.index - 1)].start
        pool = [
            o
            for o in self.tagged.orgs
            if first <= o.start and o.end <= found.start() and o.entry.category == "org"
        ]
        for last in reversed(pool):
            group = self._group(last, pool)
            if len(group) == size:
                return found.end(), group
        return None

    def _passive_agent(
        self, am: AmountMatch, c_start: int, c_end: int, anchor: int, tokens: Tokens | None
    ) -> Mention | None:
        """10万块H100被微软买下 / 这批芯片由字节跳动订购: the agent after 被/由, when the
        purchase verb follows it."""
        verbs = self.cues.predicates.find(self.text, am.end, c_end, tokens)
        if not verbs:
            return None
        for marker in self.cues.passive.find(self.text, am.end, verbs[0].start, tokens):
            agents = [
                o for o in self.tagged.orgs if marker.end <= o.start and o.end <= verbs[0].start
            ]
            if agents and agents[0].start - marker.end <= 2:
                return agents[0]
        return None

    def _former_latter(
        self, sentence: Sentence, c_start: int, anchor: int, tokens: Tokens | None
    ) -> BuyerRef | None:
        """微软和谷歌……，后者采购了5万块: 前者/后者 point into the last pair named."""
        cue = self.cues.former_latter.first(self.text, c_start, anchor, tokens)
        if cue is None:
            return None
        first = self.sentences[max(0, sentence.index - 1)].start
        before = [o for o in self.tagged.orgs if first <= o.start and o.end <= cue.start]
        if len(before) < 2:
            return None
        group = self._group(before[-1], before)
        if len(group) < 2:
            return None
        org = group[0] if cue.label == "first" else group[-1]
        return BuyerRef(org.start, org.end, org.entry.name, org.id, inferred=True)

    def _pointed_product(
        self, sentence: Sentence, am: AmountMatch, tokens: Tokens | None
    ) -> tuple[Cue, ProductRef] | None:
        """引进波音737 MAX 8及空巴A320neo两款客机，前者6架、后者4架: 前者/后者 right
        before a bare amount point at the last two products named before, and the
        purchase verb is the one that introduced them."""
        cue = self.cues.former_latter.first(self.text, max(sentence.start, am.start - 3), am.start)
        if cue is None:
            return None
        products = [
            member
            for p in self.tagged.products
            if sentence.start <= p.start and p.end <= cue.start and self._compatible(am, p)
            for member in (p.members if len(p.members) > 1 else [p])
        ]
        named = [p for p in products if p.level >= 2]  # models, not 窄体客机
        products = named if len(named) >= 2 else products
        verbs = self.cues.predicates.find(self.text, sentence.start, cue.start, tokens)
        if len(products) < 2 or not verbs:
            return None
        product = products[-2] if cue.label == "first" else products[-1]
        return verbs[-1], _product_ref(product)

    def _same_sentence_topic(self, org: Mention, sentence: Sentence) -> bool:
        return org.start >= sentence.start

    def _eligible_recipient(self, org: Mention, product: ProductRef) -> bool:
        return org.entry.category == "org" and org.id != product.vendor and not self._modifier(org)

    def _recipients(
        self, c_start: int, c_end: int, am: AmountMatch, tokens: Tokens | None
    ) -> tuple[str, list[Mention]] | None:
        text, cues = self.text, self.cues
        marker = cues.recipients.first(text, c_start, c_end, tokens)
        if marker and self._awarded(c_start, marker):
            return None  # 把订单交给广达: 广达 is the supplier
        if marker:
            after = [o for o in self.tagged.orgs if marker.end <= o.start and o.end <= c_end]
            if after:
                return marker.word, self._group(after[-1], after)
        for opener, closer in cues.recipient_frames:
            found = text.find(opener, c_start, c_end)
            while found != -1:
                o_start = found + len(opener)
                found = text.find(opener, o_start, c_end)
                close = text.find(closer, o_start, c_end)
                if close == -1:
                    continue
                inside = [o for o in self.tagged.orgs if o_start <= o.start and o.end <= close]
                if inside:
                    return opener + "…" + closer, self._group(inside[-1], inside)
        return None

    def _relative(self, am: AmountMatch, c_end: int, product: ProductRef) -> Mention | None:
        """购买了22.4万块Hopper芯片的Meta: the buyer follows the product and 的."""
        if product.inferred or product.start < am.end:
            return None
        pos = product.end
        if self.text[pos : pos + 1] != "的":
            return None
        for org in self.tagged.orgs:
            if org.start == pos + 1 and org.end <= c_end + 64:
                return org
        return None

    def _topic(
        self, sentence: Sentence, product: ProductRef, tokens: Tokens | None, pronoun: bool
    ) -> BuyerRef | None:
        """The organisation the preceding text is about: the last buyer, else the
        first organisation of the previous sentence that could buy the product. A
        pronoun (该公司, 其) may reach into the previous paragraph; a clause without a
        subject only continues its own paragraph's topic."""
        recent = [d for d in self.drafts if sentence.index - d.sentence.index <= TOPIC_SENTENCES]
        recent = [d for d in recent if d.buyer.id is None or d.buyer.id != product.vendor]
        if not pronoun:
            recent = [d for d in recent if d.sentence.paragraph == sentence.paragraph]
        if recent:
            b = recent[-1].buyer
            return BuyerRef(b.start, b.end, b.name, b.id, inferred=True)
        if sentence.index == 0:
            return None
        prev = self.sentences[sentence.index - 1]
        if not pronoun and prev.paragraph != sentence.paragraph:
            return None
        for org in self.tagged.orgs:
            if prev.start <= org.start < prev.end and self._eligible(org, product, prev, None):
                return BuyerRef(org.start, org.end, org.entry.name, org.id, inferred=True)
        return None

    # ----------------------------------------------------------- other shapes
    def _paren_org(self, c_start: int, am: AmountMatch) -> Mention | None:
        """谷歌(16.9万块): an organisation right before a bracketed amount."""
        pos = am.start - 1
        if pos < 1 or self.text[pos] not in PAREN_OPEN:
            return None
        for org in self.tagged.orgs:
            if org.end == pos:
                return org
        return None

    def _table_head(self, sentence: Sentence) -> list[Sentence] | None:
        """For a table line (微软：约62万块 alone on its line), the sentences that
        announce the table: the one just above the first line, and the one before it
        in its paragraph (…估算了GPU采购量。排名前五的买家如下：)."""
        if not self._table_line(sentence):
            return None
        index = sentence.index - 1
        while index >= 0 and sentence.index - index <= MAX_TABLE_LINES:
            if not self._table_line(self.sentences[index]):
                break
            index -= 1
        if index < 0 or self._table_line(self.sentences[index]):
            return None
        head = [self.sentences[index]]
        if index > 0 and self.sentences[index - 1].paragraph == head[0].paragraph:
            head.insert(0, self.sentences[index - 1])
        return head

    def _table_line(self, sentence: Sentence) -> bool:
        if sentence.end - sentence.start > TABLE_LINE_CHARS:
            return False
        line_start = sentence.start == 0 or self.text[sentence.start - 1] == "\n"
        return line_start and TABLE_LINE.match(self.text, sentence.start, sentence.end) is not None

    def _list_org(self, c_start: int, am: AmountMatch) -> Mention | None:
        """亚马逊约260亿美元 / 微软为310亿美元 / 微软：48.5万块 after a head clause."""
        for org in self.tagged.orgs:
            if (
                org.end <= am.start
                and am.start - org.end <= 4
                and LIST_GAP.fullmatch(self.text, org.end, am.start)
            ):
                # the item starts the clause, or follows another item and a 、
                # (具体为：海南航空60架、四川航空40架)
                item_start = max(c_start, self.text.rfind("、", c_start, org.start) + 1)
                lead = self.text[item_start : org.start].strip()
                if lead in ("", "而", "则", "和", "以及", "另外", "其次"):
                    return org
        return None

    def _from_list(
        self,
        sentence: Sentence,
        am: AmountMatch,
        org: Mention,
        rule: str,
        tokens: Tokens | None,
        attribution: Attribution | None,
    ) -> str | None:
        text = self.text
        head_lo = self.sentences[max(0, sentence.index - 1)].start
        verb = self.cues.predicates.find(text, sentence.start, am.start, tokens)
        prior = [
            d
            for d in self._previous_drafts(sentence)
            if d.amount.amount.is_money == am.amount.is_money
        ]
        previous = self.sentences[max(0, sentence.index - 1)]
        if not verb and not prior and previous.paragraph == sentence.paragraph:
            # 对…GPU采购量进行了估算。排名如下：微软：约70万块；… the list's verb is
            # in the sentence that announces it
            verb = self.cues.predicates.find(text, previous.start, previous.end, tokens=None)
        head = self._table_head(sentence)
        if head is not None:
            # a table of "微软：约62万块" lines, one per line, under "…采购量如下："
            if not verb:
                verb = self.cues.predicates.find(text, head[0].start, head[-1].end, tokens=None)
            prior = []
            if attribution is None:
                attribution = next(
                    (a for h in reversed(head) for a in reversed(self.heard.get(h.index, []))),
                    None,
                )
        if not verb and not prior:
            return f"{rule} without a purchase context"
        if self.gate.exclusion(head_lo if not verb else sentence.start, am.start, verb, tokens):
            return f"{rule} in a non-purchase context"
        product = None
        before = [
            p
            for p in self.tagged.products
            if sentence.start <= p.start and p.end <= am.start and self._compatible(am, p)
        ]
        if before:
            product = _product_ref(before[-1])
        elif am.amount.is_count:
            product = self._context_product(
                sentence, am, am.start, first=head[0].start if head else None
            )
        if product is None:
            return f"{rule} without a product"
        predicate = verb[-1].label if verb else (prior[-1].predicate if prior else "purchase")
        if verb and self.cues.plan.find(text, sentence.start, verb[-1].start, tokens):
            predicate = "plan"
        if not before:
            product.inferred = True
        rules = [rule, "product:inferred" if product.inferred else "product:stated", "buyer:list"]
        self._add(Draft(_buyer_ref(org), product, am, predicate, sentence, attribution, rules))
        return None

    def _inherit(
        self,
        sentence: Sentence,
        am: AmountMatch,
        rule: str,
        tokens: Tokens | None,
        attribution: Attribution | None,
        own_product: bool,
    ) -> str | None:
        """Order values, back-references and breakdowns take the buyer of the claim
        they refer to (the latest one in the preceding sentences)."""
        prior = self._previous_drafts(sentence)
        if rule == "breakdown":
            prior = [d for d in prior if d.amount.amount.is_money == am.amount.is_money]
        if not prior:
            return f"{rule} with nothing to refer to"
        ref = prior[-1]
        c_start, c_end = self._clause(sentence, am.start)
        buyers = {d.buyer.id or d.buyer.name for d in prior}
        if len(buyers) > 1 and (
            _plural_pattern().search(self.text, c_start, am.start)
            or self.cues.joint.find(self.text, c_start, am.start, tokens)
        ):
            return f"{rule}: a total over several buyers (三家合计…)"
        named = [o.id for o in self.tagged.within("org", c_start, am.start) if o.id]
        if named:
            # 海航订单价值约59亿美元: the order of the buyer the clause names
            ref = next((d for d in reversed(prior) if d.buyer.id in named), ref)
        product: ProductRef | None = None
        if own_product:
            found = self._product(sentence, am, c_start, c_end, tokens)
            product = found if isinstance(found, ProductRef) and not found.inferred else None
        if product is None:
            product = ProductRef(**{**_asdict(ref.product), "inferred": True})
        buyer = BuyerRef(
            ref.buyer.start, ref.buyer.end, ref.buyer.name, ref.buyer.id, inferred=True
        )
        rules = [
            rule,
            "product:inferred" if product.inferred else "product:stated",
            "buyer:inherited",
        ]
        self._add(
            Draft(
                buyer,
                product,
                am,
                ref.predicate,
                sentence,
                attribution or ref.attribution if rule != "breakdown" else attribution,
                rules,
            )
        )
        return None

    # ---------------------------------------------------------------- denials
    def drop_denied(self) -> None:
        """小米回应"下单10万块H20"传闻：消息不实 — a claim whose buyer the document
        itself denies buying (a denial naming the buyer with the product or a purchase
        word) is withdrawn, wherever in the document the denial stands."""
        if not self.drafts:
            return  # nothing to withdraw: no need to read the document for denials
        denials = []
        for sentence in self.sentences:
            cues = self.cues.denials.find(self.text, sentence.start, sentence.end)
            if not cues:
                continue
            inside = range(sentence.start, sentence.end + 1)
            in_sentence = [o for o in self.tagged.orgs if o.start in inside]
            # who denies (the last organisation before the denial word) and whom the
            # denial names after it (否认了字节跳动采购…): not every name in the sentence
            orgs = set()
            for cue in cues:
                before = [o for o in in_sentence if o.end <= cue.start]
                if before:
                    orgs.add(before[-1].id or before[-1].entry.name)
                clause_end = self._clause(sentence, cue.start)[1]
                orgs.update(
                    o.id or o.entry.name
                    for o in in_sentence
                    if cue.end <= o.start and o.end <= clause_end
                )
            products = {p.id or p.name for p in self.tagged.products if p.start in inside}
            buys = bool(self.cues.predicates.find(self.text, sentence.start, sentence.end))
            denials.append((sentence, orgs, products, buys))
        if not denials:
            return
        kept = []
        for draft in self.drafts:
            buyer = draft.buyer.id or draft.buyer.name
            denied = next(
                (
                    sentence
                    for sentence, orgs, products, buys in denials
                    if buyer in orgs
                    and (buys or (draft.product.id or draft.product.name) in products)
                    and sentence.index != draft.sentence.index
                ),
                None,
            )
            if denied is None:
                kept.append(draft)
            else:
                reason = f"denied in the document: {self.text[denied.start : denied.end]}"
                self.rejections.append(Rejection(draft.amount, draft.sentence, reason))
        self.drafts = kept

    # ------------------------------------------------------------------ scoring
    def _add(self, draft: Draft) -> None:
        scoring = _scoring()
        construction = next(
            (r for r in draft.rules if not r.startswith(("cue:", "product:", "buyer:"))), None
        )
        if construction is None:
            construction = (
                "recipient" if any(r.startswith("recipient:") for r in draft.rules) else "verb"
            )
        score = scoring["base"].get(construction, scoring["base"]["verb"])
        for rule in draft.rules:
            score += scoring["adjust"].get(rule, 0.0)
        if draft.buyer.id is None:
            score += scoring["adjust"]["buyer:unknown-to-lexicon"]
        if draft.attribution is not None and draft.attribution.name:
            score += scoring["adjust"]["attributed"]
        distance = abs(draft.amount.start - draft.buyer.end)
        if not draft.buyer.inferred and distance > scoring["far_buyer_chars"]:
            score += scoring["adjust"]["buyer:far"]
        draft.rules.insert(0, f"construction:{construction}")
        draft.confidence = min(0.99, max(0.05, score))
        self.drafts.append(draft)


def _asdict(ref: ProductRef) -> dict:
    return {name: getattr(ref, name) for name in ref.__slots__}
