"""The run report: report.json for machines, report.html for people.

The page is one self-contained file (inline CSS and SVG, no script, nothing fetched):
the run and its sources (failures in red), claims per buyer and per product as bar
charts and tables, then every claim with its evidence sentence, the buyer, product and
amount spans in <mark> elements carrying their role and their offsets into the article
text (data-start/data-end), so what the page highlights can be checked against the JSONL.
"""

from __future__ import annotations

import json
from collections import Counter
from html import escape
from typing import Any
from urllib.parse import urlsplit

ROLES = ("buyer", "product", "amount")
CHART_BARS = 15


def tallies(claims: list[tuple[str, dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """Claims per buyer and per product, most first (ties by name)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for role in ("buyer", "product"):
        counts: Counter[tuple[str | None, str]] = Counter(
            (r[role]["id"], r[role]["name"]) for _, r in claims
        )
        out[role] = [
            {"id": ident, "name": name, "claims": n}
            for (ident, name), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][1]))
        ]
    return out


def build_report(
    run: dict[str, Any],
    sources: list[dict[str, Any]],
    claims: list[tuple[str, dict[str, Any]]],
    consolidated: list[dict[str, Any]],
    warnings: list[str],
) -> dict[str, Any]:
    counts = tallies(claims)
    return {
        "run": run,
        "sources": sources,
        "warnings": warnings,
        "totals": {
            "claims": len(claims),
            "consolidated": len(consolidated),
            "days": len({day for day, _ in claims}),
            "buyers": len(counts["buyer"]),
            "products": len(counts["product"]),
        },
        "claims_per_buyer": counts["buyer"],
        "claims_per_product": counts["product"],
    }


# --------------------------------------------------------------------------- HTML
CSS = """
body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2rem;
color:#222;max-width:72rem}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5rem 0}td,th{padding:.2rem .6rem;text-align:left;
border-bottom:1px solid #eee}td.n{text-align:right}
tr.failed td{color:#a00}.charts{display:flex;flex-wrap:wrap;gap:2rem}
.claim{border-left:3px solid #ccc;padding:.3rem .8rem;margin:.8rem 0}
.claim h3{font-size:1rem;margin:.2rem 0}.meta{color:#666;font-size:.85rem}
mark{padding:0 .1rem;border-radius:2px}mark.buyer{background:#cde4ff}
mark.product{background:#ffe3b3}mark.amount{background:#c8f0c8}
.context{color:#666;font-size:.85rem}
"""


def render_html(report: dict[str, Any], claims: list[tuple[str, dict[str, Any]]]) -> str:
    """The whole page as a string."""
    run = report["run"]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>claims batch report — run {escape(str(run.get('id')))}</title>",
        f"<style>{CSS}</style></head><body>",
        "<h1>Purchase claims from news feeds</h1>",
        _run_summary(report),
        _sources_table(report["sources"]),
    ]
    if report["warnings"]:
        parts.append('<h2>Warnings</h2><ul id="warnings">')
        parts += [f"<li>{escape(w)}</li>" for w in report["warnings"]]
        parts.append("</ul>")
    parts.append('<h2>Claims per buyer and per product</h2><div class="charts">')
    parts.append(bar_chart("Claims per buyer", report["claims_per_buyer"], "buyers"))
    parts.append(bar_chart("Claims per product", report["claims_per_product"], "products"))
    parts.append('</div><div class="charts">')
    parts.append(_count_table("buyer", report["claims_per_buyer"]))
    parts.append(_count_table("product", report["claims_per_product"]))
    parts.append("</div>")
    parts.append(f'<h2>Claims ({len(claims)})</h2><section id="claims">')
    parts += [
        claim_html(day, record)
        for day, record in sorted(
            claims, key=lambda c: (c[0], c[1]["source"]["doc"] or ""), reverse=True
        )
    ]
    parts.append("</section></body></html>")
    return "\n".join(parts) + "\n"


def _run_summary(report: dict[str, Any]) -> str:
    run, totals = report["run"], report["totals"]
    rows = [
        ("run", run.get("id")),
        ("started", run.get("started")),
        ("seconds", run.get("seconds")),
        ("workers", run.get("workers")),
        ("scheduler", run.get("scheduler") or "local processes"),
        ("articles extracted this run", run.get("extracted")),
        ("new claims this run", run.get("claims_new")),
        ("claims in total", totals["claims"]),
        ("consolidated claims", totals["consolidated"]),
    ]
    cells = "".join(f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in rows)
    return f'<table id="run">{cells}</table>'


def _sources_table(sources: list[dict[str, Any]]) -> str:
    head = ("source", "kind", "status", "items", "new", "changed", "unchanged", "claims", "error")
    rows = []
    for s in sources:
        css = ' class="failed"' if s["status"] == "failed" else ""
        cells = [
            s["name"],
            s["kind"],
            s["status"],
            s.get("items", 0),
            s.get("new", 0),
            s.get("changed", 0),
            s.get("unchanged", 0),
            s.get("claims", 0),
            s.get("error") or "",
        ]
        rows.append(
            f'<tr{css} data-source="{escape(s["name"])}">'
            + "".join(f"<td>{escape(str(c))}</td>" for c in cells)
            + "</tr>"
        )
    header = "".join(f"<th>{h}</th>" for h in head)
    return f'<h2>Sources</h2><table id="sources"><tr>{header}</tr>{"".join(rows)}</table>'


def _count_table(role: str, rows: list[dict[str, Any]]) -> str:
    body = "".join(
        f'<tr data-{role}-id="{escape(r["id"] or "")}"><td>{escape(r["name"])}</td>'
        f'<td class="n">{r["claims"]}</td></tr>'
        for r in rows
    )
    return f'<table id="per-{role}"><tr><th>{role}</th><th>claims</th></tr>{body}</table>'


def bar_chart(title: str, rows: list[dict[str, Any]], ident: str) -> str:
    """A horizontal bar chart as inline SVG (top CHART_BARS rows)."""
    rows = rows[:CHART_BARS]
    bar_h, gap, label_w, width = 18, 6, 170, 460
    height = 30 + len(rows) * (bar_h + gap)
    top = max((r["claims"] for r in rows), default=1)
    out = [
        f'<svg id="chart-{ident}" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
        f'<text x="0" y="16" font-size="14" font-weight="bold">{escape(title)}</text>',
    ]
    for i, r in enumerate(rows):
        y = 28 + i * (bar_h + gap)
        w = max(2, round((width - label_w - 40) * r["claims"] / top))
        out.append(
            f'<text x="{label_w - 6}" y="{y + 13}" font-size="12" text-anchor="end">'
            f"{escape(r['name'][:16])}</text>"
            f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar_h}" fill="#4a7fc1">'
            f"<title>{escape(r['name'])}: {r['claims']}</title></rect>"
            f'<text x="{label_w + w + 4}" y="{y + 13}" font-size="12">{r["claims"]}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def spans_in_sentence(record: dict[str, Any]) -> list[tuple[str, int, int]]:
    """(role, start, end) of the spans inside the evidence sentence, by position; a span
    overlapping an earlier one is left out (marks cannot overlap)."""
    source = record["source"]
    lo, hi = source["sentence_start"], source["sentence_end"]
    found = sorted(
        (record[role]["start"], record[role]["end"], role)
        for role in ROLES
        if lo <= record[role]["start"] < record[role]["end"] <= hi
    )
    kept: list[tuple[str, int, int]] = []
    for start, end, role in found:
        if kept and start < kept[-1][2]:
            continue
        kept.append((role, start, end))
    return kept


def safe_link(url: str | None) -> str | None:
    """*url* when it is http(s), else None: feed links are untrusted, and a
    `javascript:` or `data:` href would run script in a page promised to have none."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https") else None


def claim_html(day: str, record: dict[str, Any]) -> str:
    """One claim: heading, where it comes from, the marked evidence sentence."""
    source, amount = record["source"], record["amount"]
    sentence, base = source["sentence"], source["sentence_start"]
    pieces, cursor = [], base
    spans = spans_in_sentence(record)
    for role, start, end in spans:
        pieces.append(escape(sentence[cursor - base : start - base]))
        pieces.append(
            f'<mark class="{role}" data-role="{role}" data-start="{start}" data-end="{end}">'
            f"{escape(sentence[start - base : end - base])}</mark>"
        )
        cursor = end
    pieces.append(escape(sentence[cursor - base :]))
    marked = {role for role, _, _ in spans}
    context = [
        f'<div class="context" data-role="{role}">{role} from context: '
        f"{escape(record[role]['text'])} ({record[role]['start']}–{record[role]['end']})</div>"
        for role in ROLES
        if role not in marked
    ]
    title = source.get("title") or source["doc"]
    link = safe_link(source.get("url"))
    where = f'<a href="{escape(link)}">{escape(title)}</a>' if link else escape(title)
    value = amount["value"]
    attrs = " ".join(
        f'data-{k}="{escape(str(v))}"'
        for k, v in (
            ("doc", source["doc"]),
            ("day", day),
            ("buyer-id", record["buyer"]["id"] or ""),
            ("product-id", record["product"]["id"] or ""),
            ("amount-value", value),
            ("text-sha1", source.get("text_sha1") or ""),
        )
    )
    attributed = source.get("attributed_to")
    return (
        f'<article class="claim" {attrs}>'
        f"<h3>{escape(record['buyer']['name'])} · {escape(record['product']['name'])} · "
        f"{escape(amount['text'])}</h3>"
        f'<div class="meta">{escape(day)} · {escape(source.get("outlet") or "")} · {where} · '
        f"{escape(record['predicate'])} · confidence {record['confidence']}"
        f"{' · according to ' + escape(attributed) if attributed else ''}</div>"
        f'<p class="evidence" data-sentence-start="{base}">{"".join(pieces)}</p>'
        f"{''.join(context)}</article>"
    )


def dumps(report: dict[str, Any]) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"
