"""Score predicted claims against gold, with the matching rules of the shared kit.

A prediction matches a gold claim when a gold buyer alias is a case-insensitive
substring of buyer.text or buyer.name, a gold product key likewise of product.text or
product.name, the value is within 0.5% and the currency is the same (null for
counts). Each gold claim matches one prediction at most; predictions matching an
`optional` gold claim are neither rewarded nor punished; attribution and predicate
are scored on matched claims only.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

VALUE_TOLERANCE = 0.005


@dataclass(slots=True)
class DocReport:
    doc: str
    hits: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    missed: list[dict[str, Any]] = field(default_factory=list)
    spurious: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class Scores:
    tp: int
    fp: int
    fn: int
    attribution_ok: int
    predicate_ok: int
    reports: list[DocReport]

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def totals(self) -> dict[str, Any]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "attribution_acc": round(self.attribution_ok / self.tp, 4) if self.tp else None,
            "predicate_acc": round(self.predicate_ok / self.tp, 4) if self.tp else None,
        }


def _fold(text: object) -> str:
    return str(text or "").casefold()


def _get(record: dict[str, Any], *path: str) -> Any:
    for key in path:
        if not isinstance(record, dict):
            return None
        record = record.get(key)  # type: ignore[assignment]
    return record


def matches(pred: dict[str, Any], gold: dict[str, Any]) -> bool:
    """True when *pred* states the gold claim (buyer, product, amount)."""
    for role, keys in (("buyer", gold["buyer"]), ("product", gold["product"])):
        texts = [t for t in (_fold(_get(pred, role, "text")), _fold(_get(pred, role, "name"))) if t]
        if not any(_fold(k) in t for k in keys for t in texts):
            return False
    value = _get(pred, "amount", "value")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if abs(value - gold["value"]) > VALUE_TOLERANCE * abs(gold["value"]):
        return False
    currency = _fold(_get(pred, "amount", "currency")).upper() or None
    return currency == (_fold(gold.get("currency")).upper() or None)


def attribution_ok(pred: dict[str, Any], gold: dict[str, Any]) -> bool:
    wanted = gold.get("attributed_to") or []
    got = _fold(_get(pred, "source", "attributed_to"))
    if "*" in wanted:
        return True
    if not wanted:
        return not got
    return bool(got) and any(_fold(w) in got for w in wanted)


def score(gold_rows: Iterable[dict[str, Any]], predictions: Iterable[dict[str, Any]]) -> Scores:
    by_doc: dict[str, list[dict[str, Any]]] = {}
    for pred in predictions:
        by_doc.setdefault(os.path.basename(str(_get(pred, "source", "doc") or "")), []).append(pred)
    tp = fp = fn = attr = pred_ok = 0
    reports = []
    for row in gold_rows:
        preds = by_doc.pop(row["doc"], [])
        used = [False] * len(preds)
        report = DocReport(row["doc"])
        for gold in row.get("claims", []):
            for i, pred in enumerate(preds):
                if not used[i] and matches(pred, gold):
                    used[i] = True
                    report.hits.append((gold, pred))
                    break
            else:
                report.missed.append(gold)
        for i, pred in enumerate(preds):
            if not used[i] and not any(matches(pred, o) for o in row.get("optional", [])):
                report.spurious.append(pred)
        tp += len(report.hits)
        fn += len(report.missed)
        fp += len(report.spurious)
        for gold, pred in report.hits:
            attr += attribution_ok(pred, gold)
            pred_ok += pred.get("predicate") == gold.get("predicate")
        reports.append(report)
    for doc, preds in by_doc.items():
        fp += len(preds)
        reports.append(DocReport(doc or "<no source.doc>", spurious=list(preds)))
    return Scores(tp, fp, fn, attr, pred_ok, reports)


def by_tag(gold_rows: list[dict[str, Any]], predictions: list[dict[str, Any]]) -> dict[str, Scores]:
    """Scores per phenomenon: the documents whose gold row carries each `tags` entry."""
    tags = sorted({t for row in gold_rows for t in row.get("tags", [])})
    result = {}
    for tag in tags:
        rows = [r for r in gold_rows if tag in r.get("tags", [])]
        docs = {r["doc"] for r in rows}
        preds = [
            p for p in predictions if os.path.basename(str(_get(p, "source", "doc") or "")) in docs
        ]
        result[tag] = score(rows, preds)
    return result


def describe_tags(tagged: dict[str, Scores]) -> str:
    head = (
        f"{'phenomenon':<20} {'docs':>4} {'gold':>4} {'fp':>3} "
        f"{'P':>6} {'R':>6} {'F1':>6} {'attr':>6}"
    )
    lines = [head]
    for tag, s in sorted(tagged.items(), key=lambda kv: kv[1].f1):
        t = {k: "-" if v is None else v for k, v in s.totals().items()}
        lines.append(
            f"{tag:<20} {len(s.reports):>4} {s.tp + s.fn:>4} {s.fp:>3} {t['precision']:>6} "
            f"{t['recall']:>6} {t['f1']:>6} {t['attribution_acc']:>6}"
        )
    return "\n".join(lines)


def predict_folder(folder: Path, gold_rows: list[dict[str, Any]], extractor: Any) -> list[dict]:
    """The extractor's records for every document of a gold folder (`claims eval
    FOLDER`, the ablation benchmark, the unseen-names test)."""
    from .reader import read_path

    return [
        claim.to_dict()
        for row in gold_rows
        for claim in extractor.extract_document(read_path(folder / row["doc"])).claims
    ]


def load_jsonl(path: str | Path) -> list[dict[str, Any]]:
    rows = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{number}: not JSON: {exc.msg}") from exc
    return rows


def describe(scores: Scores, verbose: bool = False) -> str:
    lines = []
    if verbose:
        for report in scores.reports:
            if not report.missed and not report.spurious:
                continue
            lines.append(f"== {report.doc}: {len(report.hits)} matched")
            for gold in report.missed:
                lines.append(
                    f"  missed   {gold['buyer'][0]} | {gold['product'][0]} | "
                    f"{gold['value']} {gold.get('currency') or ''}"
                )
            for pred in report.spurious:
                lines.append(
                    f"  spurious {_get(pred, 'buyer', 'text')} | {_get(pred, 'product', 'text')} | "
                    f"{_get(pred, 'amount', 'value')} {_get(pred, 'amount', 'currency') or ''}"
                )
    t = scores.totals()
    lines.append(
        "tp={tp} fp={fp} fn={fn} precision={precision} recall={recall} f1={f1} "
        "attribution_acc={attribution_acc} predicate_acc={predicate_acc}".format(**t)
    )
    return "\n".join(lines)
