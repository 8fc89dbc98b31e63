"""One record per claim across articles: the same buyer, product, currency and period
with amounts within a tolerance (48.5万 and 约48万 are one claim) from many articles
and outlets, with every source and the first and last time it was reported.

Grouping is by sorted value, so the result does not depend on the order articles were
processed in (a resumed run consolidates exactly like an uninterrupted one).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from typing import Any

DEFAULT_TOLERANCE = 0.05  # relative: amounts within 5 % of a group's smallest are one


def claim_key(record: dict[str, Any]) -> tuple[str, str, str, str]:
    """(buyer, product, currency, period) — everything but the amount."""
    buyer, product = record["buyer"], record["product"]
    period = record.get("period") or {}
    year = period.get("year")
    return (
        buyer.get("id") or f"name:{buyer['name']}",
        product.get("id") or f"name:{product['name']}",
        record["amount"].get("currency") or record["amount"].get("unit") or "",
        str(year) if year is not None else "",
    )


def consolidate(
    items: Iterable[tuple[str, dict[str, Any]]], tolerance: float = DEFAULT_TOLERANCE
) -> list[dict[str, Any]]:
    """(day, claim record) pairs → consolidated records, most widely reported first."""
    groups: dict[tuple[str, ...], list[tuple[str, dict[str, Any]]]] = {}
    for day, record in items:
        if record["amount"].get("value") is None:
            continue
        groups.setdefault(claim_key(record), []).append((day, record))
    merged: list[dict[str, Any]] = []
    for key, members in groups.items():
        members.sort(
            key=lambda m: (
                m[1]["amount"]["value"],
                m[1]["source"]["doc"] or "",
                m[1]["amount"]["start"],
            )
        )
        cluster: list[tuple[str, dict[str, Any]]] = []
        anchor = 0.0
        for member in members:
            value = float(member[1]["amount"]["value"])
            if cluster and abs(value - anchor) > abs(anchor) * tolerance:
                merged.append(_record(key, cluster))
                cluster = []
            if not cluster:
                anchor = value
            cluster.append(member)
        if cluster:
            merged.append(_record(key, cluster))
    merged.sort(
        key=lambda r: (
            -r["outlets"],
            -r["articles"],
            r["buyer"]["name"],
            r["product"]["name"],
            r["amount"]["value"],
            r["id"],
        )
    )
    return merged


def _record(key: tuple[str, ...], cluster: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    first = cluster[0][1]
    values = Counter(m[1]["amount"]["value"] for m in cluster)
    value = min(values, key=lambda v: (-values[v], v))  # the most reported, then smallest
    sources = []
    for day, record in sorted(cluster, key=lambda m: (_when(m), m[1]["source"]["doc"] or "")):
        source = record["source"]
        sources.append(
            {
                "doc": source["doc"],
                "title": source.get("title"),
                "published": source.get("published"),
                "day": day,
                "outlet": source.get("outlet"),
                "feed": source.get("feed"),
                "amount_text": record["amount"]["text"],
                "value": record["amount"]["value"],
                "predicate": record["predicate"],
                "attributed_to": source.get("attributed_to"),
                "sentence": source["sentence"],
                "confidence": record["confidence"],
            }
        )
    times = [_when(m) for m in cluster]
    ident = hashlib.sha1(repr((key, min(values))).encode("utf-8")).hexdigest()[:16]
    return {
        "id": ident,
        "buyer": {"id": first["buyer"]["id"], "name": first["buyer"]["name"]},
        "product": {k: first["product"][k] for k in ("id", "name", "vendor")},
        "amount": {
            "value": value,
            "min": min(values),
            "max": max(values),
            "unit": first["amount"]["unit"],
            "currency": first["amount"]["currency"],
        },
        "period": int(key[3]) if key[3] else None,
        "predicates": sorted({m[1]["predicate"] for m in cluster}),
        "confidence": max(m[1]["confidence"] for m in cluster),
        "articles": len({m[1]["source"]["doc"] for m in cluster}),
        "outlets": len({m[1]["source"].get("outlet") or m[1]["source"]["doc"] for m in cluster}),
        "first_seen": min(times),
        "last_seen": max(times),
        "sources": sources,
    }


def _when(member: tuple[str, dict[str, Any]]) -> str:
    """When an article reported the claim: its published time, else its day."""
    return member[1]["source"].get("published") or member[0]
