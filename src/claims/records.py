"""Typed claim records and their JSONL form (the output contract).

Field names are a public contract read by users and the shared scorer: keep them.
Every span holds [start, end) offsets into the decoded original document text, and
`text` is exactly `original[start:end]`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

PREDICATES = ("purchase", "order", "deploy", "plan")


@dataclass(slots=True)
class BuyerSpan:
    text: str
    name: str
    id: str | None
    start: int
    end: int
    inferred: bool = False


@dataclass(slots=True)
class ProductSpan:
    text: str
    name: str
    id: str | None
    vendor: str | None
    start: int
    end: int
    inferred: bool = False


@dataclass(slots=True)
class AmountSpan:
    text: str
    value: int | float
    unit: str | None
    currency: str | None
    approx: bool
    low: int | float | None
    high: int | float | None
    start: int
    end: int


@dataclass(slots=True)
class PeriodSpan:
    """When the claim is for: the time expression as written and its calendar year
    (null when relative and the document date is unknown, or only a quarter)."""

    text: str
    year: int | None
    start: int
    end: int


@dataclass(slots=True)
class Evidence:
    sentence: str
    sentence_start: int
    sentence_end: int


@dataclass(slots=True)
class Source:
    doc: str | None
    attributed_to: str | None
    attribution_text: str | None
    sentence: str
    sentence_start: int
    sentence_end: int
    encoding: str | None = None
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(slots=True)
class Claim:
    """One purchase claim: who bought how much of what, according to whom."""

    buyer: BuyerSpan
    product: ProductSpan
    amount: AmountSpan
    predicate: str
    source: Source
    confidence: float
    rules: list[str] = field(default_factory=list)
    period: PeriodSpan | None = None

    def key(self) -> tuple[Any, ...]:
        """Identity within one document: the same buyer, product and amount."""
        return (
            self.buyer.id or self.buyer.name,
            self.product.id or self.product.name,
            self.amount.value,
            self.amount.currency,
        )

    def to_dict(self, explain: bool = False) -> dict[str, Any]:
        data = {
            "buyer": asdict(self.buyer),
            "product": asdict(self.product),
            "amount": asdict(self.amount),
            "predicate": self.predicate,
            "period": asdict(self.period) if self.period else None,
            "source": asdict(self.source),
            "confidence": round(self.confidence, 3),
        }
        if explain:
            data["rules"] = list(self.rules)
        return data


def schema() -> dict[str, Any]:
    """The JSON Schema of one output record (shipped in the package)."""
    import json
    from importlib import resources

    path = resources.files("claims").joinpath("schema/claim.schema.json")
    return json.loads(path.read_text(encoding="utf-8"))
