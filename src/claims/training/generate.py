"""A generated news-like collection with silver entity labels from the lexicon.

The entity recogniser must learn what a buyer or a product looks like from its
context (X 采购了 N 台 Y), not memorise the lexicon; so the sentences come from many
phrasings, in simplified and traditional Chinese, and half of the names are invented
here (company stems with suffixes, Latin names, model numbers). Labels are what the
lexicon tagger finds, with the invented names added to it as entries: silver, not
hand-checked. Held-out names (`models/ner/heldout.json`) are never used, and any
sentence that still contains one of their aliases is dropped.

Run: `python -m claims.training.generate --n 6000 --out /tmp/silver.jsonl`.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import regex

from ..lexicon import Lexicon
from ..normalize import normalize
from ..resources import load_json, load_jsonl
from ..tagger import tag
from .heldout import aliases

SEED = 13
CLASSIFIERS = {
    "gpu": ["块", "颗", "张", "片"],
    "accelerator": ["块", "颗", "张", "片"],
    "chip": ["颗", "块", "枚"],
    "cpu": ["颗", "块"],
    "server": ["台", "套"],
    "rack": ["台", "套", "柜"],
    "system": ["套", "台"],
    "aircraft": ["架"],
    "drone": ["架", "台"],
    "car": ["辆", "台"],
    "truck": ["辆"],
    "bus": ["辆"],
}
CLASS_NOUNS = {
    "gpu": ["芯片", "GPU", "显卡", "AI芯片", "加速卡"],
    "accelerator": ["芯片", "加速卡", "AI芯片", "训练卡"],
    "chip": ["芯片"],
    "cpu": ["处理器", "CPU"],
    "server": ["服务器", "AI服务器", "整机"],
    "rack": ["机柜", "机架"],
    "system": ["系统"],
    "aircraft": ["飞机", "客机", "宽体客机", "窄体客机"],
    "drone": ["无人机"],
    "car": ["汽车", "电动车", "新能源车", "车型"],
    "truck": ["卡车", "货车"],
    "bus": ["客车", "巴士", "公交车"],
}
STEM_CHARS = (
    "星云智华海天澜启元芯算瀚博锐腾曜极鲲鹏灵汇达通融辰宇恒泰盛安信联创远航旗凌睿"
    "擎昊奕弘嘉晟昆岳峰川源泽沐禾青朗维拓卓越宸驰骏翔舟蓝金银光明新中东西南北正"
)
ORG_SUFFIXES = {
    "company": ["科技", "集团", "智能", "数据", "网络", "信息", "股份", "控股", "公司", "科技公司"],
    "cloud": ["云", "云计算", "智算", "算力"],
    "airline": ["航空", "航空公司"],
    "automaker": ["汽车", "汽车集团", "出行"],
    "telecom": ["电信", "通信", "移动"],
    "logistics": ["物流", "快递", "速运"],
    "research": ["实验室", "研究院", "研究所"],
    "university": ["大学", "理工大学"],
    "fund": ["资本", "基金", "投资"],
}
LATIN_SYLLABLES = [
    "no",
    "va",
    "ri",
    "on",
    "te",
    "ka",
    "zen",
    "lu",
    "mi",
    "ra",
    "tek",
    "sol",
    "ar",
    "ex",
    "quo",
    "vi",
    "lex",
    "or",
    "da",
    "fin",
    "cor",
    "tal",
    "by",
    "neo",
    "syn",
    "ax",
    "ion",
]
LATIN_SUFFIXES = ["", "", " AI", " Labs", " Cloud", " Systems", " Compute", " Air", " Motors"]
PRODUCT_BRANDS = "天枢昆仑玄武青龙朱雀麒麟鸿鹄赤兔飞鸿星河银河启明曙光凌霄扶摇"
SOURCES = ["据{q}估计，", "据{q}报道，", "{q}数据显示，", "根据{q}的数据，", "{q}称，", ""]
SELLER_VERBS = ["向{s}", "从{s}", "自{s}"]

# {b} buyer, {b2} second buyer, {s} seller or vendor (an organisation), {p} product
# phrase, {n} amount with classifier, {m} money amount, {q} source, {y} time
TEMPLATES = [
    "{src}{b}{y}购买了{n}{p}。",
    "{src}{b}{y}采购了{n}{p}，用于扩建数据中心。",
    "{b}宣布，将{y}部署{n}{p}。",
    "{b}{y}向{s}订购了{n}{p}，总价值约{m}。",
    "{b}与{s}签署协议，采购{n}{p}。",
    "{src}{b}计划在{y}购入{n}{p}。",
    "{b}已经下单{n}{p}，预计年底前交付。",
    "{s}表示，{b}{y}订购了{n}{p}。",
    "{src}{b}和{b2}分别采购了{n}和{n2}{p}。",
    "{b}斥资{m}采购{n}{p}。",
    "{s}将为{b}提供{n}{p}。",
    "{s}向{b}交付了{n}{p}。",
    "{b}的采购清单包括{n}{p}。",
    "{src}{y}{b}共采购{n}{p}，{b2}采购{n2}。",
    "{b}此前已采购{n}{p}，今年还将追加{n2}。",
    "在{b}的订单中，{p}数量达到{n}。",
    "{b}发布公告称，拟以{m}购买{n}{p}。",
    "知情人士透露，{b}正在洽购{n}{p}。",
    "{b}旗下数据中心{y}上线了{n}{p}。",
    "{b}{y}的资本开支中，有{m}用于购买{p}。",
    "{src}{b}是{p}的最大买家，{y}购买了{n}。",
    "{b}中标{s}的项目，将交付{n}{p}。",
    "{b}（{s}的客户）采购{n}{p}。",
    "{b}、{b2}等公司{y}合计采购{n}{p}。",
    "{b}称，公司{y}已部署超过{n}{p}。",
    "{y}，{b}以{m}的价格买下{n}{p}。",
    "消息人士称，{b}已与{s}达成协议，购买{n}{p}。",
    "{b}董事长表示，公司将{y}引进{n}{p}。",
    "{b}向{s}下达了{n}{p}的订单。",
    "{b}追加订购{n}{p}，订单总额约为{m}。",
    "{b}{adv}{verb}了{n}{p}。",
    "{b}{y}{adv}{verb}了{n}{p}，{b2}则{verb}了{n2}{p2}。",
    "{b}{adv}{verb}了{n}{p}。{b2}也{verb}了{n2}{p2}。",
    "{src}{b}{adv}{verb}了约{n}{p}，{b2}也{verb}了{n2}{p}。",
    "{b}已在{place}的数据中心部署了{n}{p}，用于训练新一代模型。",
    "{b}{y}向{s}{verb}了{n}{p}，{b2}则{verb}了{n2}{p2}，用于支撑推理业务。",
    "{b}近日{verb}了{n}{p}，用于{place}的业务。",
    "{place}的{b}{y}{verb}{n}{p}。",
    "{b}在{place}{verb}了{n}{p}，这批设备将于年底交付。",
    "该项目由{b}负责，计划{verb}{n}{p}。",
    # sentences where the organisations buy nothing: labels still mark them
    "{s}{y}营收达到{m}，同比增长。",
    "{b}表示，{p}的需求依然强劲。",
    "{s}推出新一代{p}，性能提升一倍。",
    "{b}与{s}宣布建立战略合作关系。",
    "{src}{y}{p}出货量约{n}。",
    "{b}股价上涨，市值突破{m}。",
]
ADVERBS = ["", "", "近日", "近期", "日前", "已经", "此前", "今年", "去年", "首次", "再次", "还"]
VERBS = ["采购", "购买", "购入", "订购", "部署", "引进", "买入", "采购", "下单"]
PLACES = [
    "上海",
    "北京",
    "内蒙古",
    "廊坊",
    "乌兰察布",
    "贵阳",
    "深圳",
    "杭州",
    "成都",
    "新加坡",
    "东京",
    "德州",
    "弗吉尼亚州",
    "孟买",
    "迪拜",
    "芜湖",
    "庆阳",
    "张北",
    "香港",
    "台北",
]
YEARS = ["今年", "去年", "明年", "2024年", "2025年", "2026年", "第三季度", "上半年", ""]


@dataclass(frozen=True, slots=True)
class Name:
    """A name to put in a slot, with its product class (products only)."""

    text: str
    cls: str | None = None


def _heldout_aliases(heldout: dict[str, Any]) -> set[str]:
    return {a for key in ("orgs", "products") for row in heldout[key] for a in row["aliases"]}


def _heldout_ids(heldout: dict[str, Any]) -> set[str]:
    return {row["id"] for key in ("orgs", "products") for row in heldout[key]}


class Generator:
    """Sentences from TEMPLATES with names from the kept lexicon and invented ones."""

    def __init__(self, heldout: dict[str, Any], seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.banned = _heldout_aliases(heldout)
        excluded = _heldout_ids(heldout)
        orgs = [r for r in load_jsonl("lexicon/organizations.jsonl") if r["id"] not in excluded]
        products = [r for r in load_jsonl("lexicon/products.jsonl") if r["id"] not in excluded]
        self.sources = [r["name"] for r in load_jsonl("lexicon/sources.jsonl")][:120]
        self.buyers = [
            Name(a) for r in orgs if r.get("type") not in ("chip_vendor",) for a in _pick(r)
        ]
        self.vendors = [
            Name(a) for r in orgs if r.get("type") in ("chip_vendor", "company") for a in _pick(r)
        ]
        self.products = [
            Name(a, r.get("class"))
            for r in products
            if r.get("class") in CLASSIFIERS
            for a in _pick(r)
        ]
        han = regex.compile(r"\p{Han}")
        self.stem_chars = sorted(
            set(STEM_CHARS) | {c for r in orgs for c in r["name"] if han.match(c)}
        )
        self.brand_chars = sorted(
            set(PRODUCT_BRANDS) | {c for r in products for c in r["name"] if han.match(c)}
        )
        self.invented_orgs: set[str] = set()
        self.invented_products: dict[str, str] = {}

    # -------------------------------------------------------------- invented names
    def _clean(self, name: str) -> bool:
        return not any(b in name or name in b for b in self.banned)

    def invent_org(self) -> Name:
        rng = self.rng
        while True:
            if rng.random() < 0.7:
                stem = "".join(
                    rng.choice(self.stem_chars) for _ in range(rng.choice((2, 2, 2, 3, 4)))
                )
                kind = rng.choice(list(ORG_SUFFIXES))
                name = stem + (rng.choice(ORG_SUFFIXES[kind]) if rng.random() < 0.75 else "")
            else:
                word = "".join(rng.choice(LATIN_SYLLABLES) for _ in range(rng.choice((2, 3))))
                name = word.capitalize() + rng.choice(LATIN_SUFFIXES)
            if len(name) >= 2 and self._clean(name) and name not in self.invented_products:
                self.invented_orgs.add(name)
                return Name(name)

    def invent_product(self) -> Name:
        rng = self.rng
        cls = rng.choice(list(CLASSIFIERS))
        while True:
            r = rng.random()
            digits = str(
                rng.choice((10, 20, 50, 80, 100, 200, 300, 500, 800, 910, 1000))
                + rng.choice((0, 0, 1, 5, 8))
            )
            if r < 0.45:
                letters = "".join(
                    rng.choice("ABCDEFGHJKLMNPQRSTVWXZ") for _ in range(rng.choice((1, 2, 2, 3)))
                )
                name = letters + digits + rng.choice(("", "", "X", "A", "E", " Pro", " Max"))
            elif r < 0.8:
                brand = "".join(rng.sample(self.brand_chars, 2))
                name = brand + rng.choice(("", "", "C", "T", "L")) + digits
            else:
                name = "".join(rng.choice(LATIN_SYLLABLES) for _ in range(2)).capitalize()
            if self._clean(name) and not name.isdigit() and name not in self.invented_orgs:
                self.invented_products[name] = cls
                return Name(name, cls)

    # ----------------------------------------------------------------- sentences
    def org(self, pool: list[Name]) -> Name:
        return self.invent_org() if self.rng.random() < 0.6 else self.rng.choice(pool)

    def product_phrase(self) -> tuple[str, str]:
        rng = self.rng
        product = self.invent_product() if rng.random() < 0.5 else rng.choice(self.products)
        cls = product.cls or "gpu"
        text = product.text
        r = rng.random()
        if r < 0.2:
            text = self.org(self.vendors).text + text
        elif r < 0.5:
            text += rng.choice(CLASS_NOUNS.get(cls, [""]))
        return text, cls

    def amount(self, cls: str) -> str:
        rng = self.rng
        value = rng.choice(
            [
                str(rng.randint(2, 999)),
                f"{rng.randint(1, 99)}万",
                f"{rng.randint(1, 99)}.5万",
                str(rng.randint(1000, 99999)),
                f"{rng.randint(2, 9)}万{rng.randint(1, 9)}000",
                f"{rng.randint(1, 9)}00",
            ]
        )
        hedge = rng.choice(["", "", "", "约", "近", "超过"])
        return hedge + value + rng.choice(CLASSIFIERS.get(cls, ["台"]))

    def money(self) -> str:
        rng = self.rng
        return f"{rng.randint(1, 900)}{rng.choice(['亿美元', '亿元', '万元', '亿港元', '亿欧元'])}"

    def sentence(self) -> str:
        rng = self.rng
        template = rng.choice(TEMPLATES)
        product, cls = self.product_phrase()
        product2, cls2 = self.product_phrase()
        source = rng.choice(SOURCES).format(q=rng.choice(self.sources))
        return template.format(
            src=source,
            b=self.org(self.buyers).text,
            b2=self.org(self.buyers).text,
            s=self.org(self.vendors).text,
            p=product,
            n=self.amount(cls),
            n2=self.amount(cls2 if "{p2}" in template else cls),
            p2=product2,
            adv=rng.choice(ADVERBS),
            verb=rng.choice(VERBS),
            place=rng.choice(PLACES),
            m=self.money(),
            q=rng.choice(self.sources),
            y=rng.choice(YEARS),
        )

    def sentences(self, n: int) -> Iterator[str]:
        made = 0
        while made < n:
            text = self.sentence()
            if any(b in text for b in self.banned):
                continue
            made += 1
            yield text

    def lexicon(self, excluded: set[str]) -> Lexicon:
        """The labelling lexicon: the shipped one less the held-out names, plus the
        invented names as entries."""
        orgs = (
            *load_jsonl("lexicon/organizations.jsonl"),
            *({"id": None, "name": n, "type": "company"} for n in sorted(self.invented_orgs)),
        )
        products = (
            *load_jsonl("lexicon/products.jsonl"),
            *(
                {"id": None, "name": n, "kind": "model", "class": c}
                for n, c in sorted(self.invented_products.items())
            ),
        )
        return Lexicon(
            orgs,
            products,
            load_jsonl("lexicon/sources.jsonl"),
            load_json("lexicon/product_patterns.json"),
            excluded,
        )


def _pick(row: dict[str, Any]) -> list[str]:
    """A row's name and up to two aliases (Chinese and Latin forms both occur)."""
    names = sorted(aliases(row))
    return names[:3]


def spans(text: str, lexicon: Lexicon) -> list[tuple[int, int, str]]:
    """ORG and PRODUCT spans the lexicon tagger finds in *text* (normalised offsets)."""
    tagged = tag(normalize(text), lexicon)
    found = [(m.start, m.end, "ORG") for m in tagged.orgs]
    found += [(m.start, m.end, "PRODUCT") for m in tagged.products]
    return sorted(found)


def generate(
    n: int, heldout: dict[str, Any], traditional: float = 0.3, seed: int = SEED
) -> list[dict[str, Any]]:
    """*n* labelled examples {"text", "spans": [[start, end, label], …]}; a share of them
    in traditional characters (same offsets: the conversion is per character)."""
    from opencc import OpenCC

    gen = Generator(heldout, seed)
    texts = list(gen.sentences(n))
    lexicon = gen.lexicon(_heldout_ids(heldout))
    to_traditional = OpenCC("s2t")
    rng = random.Random(seed + 1)
    rows = []
    for text in texts:
        labelled = spans(text, lexicon)
        if rng.random() < traditional:
            converted = to_traditional.convert(text)
            if len(converted) == len(text):
                text = converted
        rows.append({"text": text, "spans": [list(s) for s in labelled]})
    return rows


def main(argv: list[str] | None = None) -> int:
    from ..resources import models_dir

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=6000)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    heldout = json.loads((models_dir() / "ner" / "heldout.json").read_text())
    rows = generate(args.n, heldout)
    with Path(args.out).open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows)} sentences → {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
