"""Claim extraction on short texts written for these tests, one phenomenon each.

Named gold lists in the spirit of price-parser: CLAIMS_FOUND must yield exactly the
listed claims (buyer, product, value, currency, predicate), NO_CLAIM must yield none.
Buyer and product are matched as substrings of the claim's text or canonical name,
like the shared scorer does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

CLAIMS_FOUND = [
    # plain subject-verb-object, Chinese numerals, hedges
    (
        "据TrendForce估计，谷歌今年采购了约12万块英伟达H100芯片。",
        [("谷歌", "H100", 120000, None, "purchase")],
    ),
    (
        "Meta首席执行官表示，公司将在明年底前购入三十五万块H100。",
        [("Meta", "H100", 350000, None, "plan")],
    ),
    (
        "亚马逊去年买下了22万4000颗Trainium芯片。",
        [("亚马逊", "Trainium", 224000, None, "purchase")],
    ),
    # ellipsis: product only in the first clause
    (
        "微软采购了8万块MI300，谷歌也购入了3万块。",
        [("微软", "MI300", 80000, None, "purchase"), ("谷歌", "MI300", 30000, None, "purchase")],
    ),
    # 分别 with as many amounts as buyers; 各 with one shared amount
    (
        "腾讯和阿里巴巴分别订购了3万块和2万块H100。",
        [("腾讯", "H100", 30000, None, "order"), ("阿里巴巴", "H100", 20000, None, "order")],
    ),
    (
        "中国国航和海南航空各向空客订购了20架飞机。",
        [("国航", "空客", 20, None, "order"), ("海南航空", "空客", 20, None, "order")],
    ),
    # amounts in parentheses after the buyers
    (
        "微软今年采购了大量Blackwell GPU，排在其后的是谷歌(9万块)和甲骨文(6万块)。",
        [
            ("谷歌", "Blackwell", 90000, None, "purchase"),
            ("甲骨文", "Blackwell", 60000, None, "purchase"),
        ],
    ),
    # relative clause: the buyer follows the product and 的
    (
        "购买了15万块H200芯片的甲骨文成为第二大客户。",
        [("甲骨文", "H200", 150000, None, "purchase")],
    ),
    # seller marked by 向 / 从: the seller names the generic product
    ("赫兹宣布向特斯拉订购2万辆电动车。", [("赫兹", "特斯拉", 20000, None, "order")]),
    # recipient: 把…卖给X
    ("英伟达将把1万块GB300芯片卖给软银。", [("软银", "GB300", 10000, None, "plan")]),
    # money spent on a product
    (
        "甲骨文斥资约40 billion美元采购英伟达芯片。",
        [("甲骨文", "芯片", 40000000000, "USD", "purchase")],
    ),
    # order value in the next sentence inherits buyer and product
    (
        "东方航空向波音订购了50架737 MAX。这笔订单价值约60亿美元。",
        [("东方航空", "737", 50, None, "order"), ("东方航空", "737", 6000000000, "USD", "order")],
    ),
    # deployment, traditional Chinese, full-width digits
    ("鴻海表示，已在高雄部署４０００顆輝達GB200晶片。", [("鴻海", "GB200", 4000, None, "deploy")]),
    ("微軟今年購買了48.5萬塊輝達Hopper晶片。", [("微軟", "Hopper", 485000, None, "purchase")]),
    # a list after a spending head clause
    (
        "科技巨头在服务器上的支出惊人：微软为300亿美元，谷歌为200亿美元。",
        [
            ("微软", "服务器", 30000000000, "USD", "purchase"),
            ("谷歌", "服务器", 20000000000, "USD", "purchase"),
        ],
    ),
]

CLAIMS_FOUND += [
    # a bracketed second name is the same party (空中巴士（Airbus）), not a new buyer
    (
        "華信航空將向空中巴士（Airbus）購買6架A321neo，另向波音公司購入2架737 MAX。",
        [("華信航空", "A321neo", 6, None, "plan"), ("華信航空", "737 MAX", 2, None, "plan")],
    ),
    # a dateline in brackets before the subject
    (
        "（本報記者高雄報導）高雄市交通局今天表示，明年將採購120輛電動大客車。",
        [("高雄市交通局", "電動大客車", 120, None, "plan")],
    ),
    # a purchase document after the amount (购机意向书) carries the predicate
    (
        "同日，厦门航空与波音签署了30架787-9的购机意向书。",
        [("厦门航空", "787-9", 30, None, "plan")],
    ),
    # a table line whose verb is in the sentence announcing it
    (
        "机构统计了各家公司今年的服务器采购量。名单如下：阿里巴巴：3万台；百度：1.2万台。",
        [
            ("阿里巴巴", "服务器", 30000, None, "purchase"),
            ("百度", "服务器", 12000, None, "purchase"),
        ],
    ),
    # money buys the head of the phrase, not its modifier (…算力所需的计算设备)
    (
        "中国移动拟斥资50亿元，添购智算业务所需的计算设备。",
        [("中国移动", "计算设备", 5000000000, "CNY", "plan")],
    ),
]

CLAIMS_FOUND += [
    # passive: the agent after 被/由 is the buyer
    (
        "据知情人士透露，8万块昇腾910B已被中国移动买下。",
        [("中国移动", "昇腾910B", 80000, None, "purchase")],
    ),
    # 前者/后者 point into the pair just named
    (
        "京东和美团都在扩充推理算力，后者今年采购了6000台服务器。",
        [("美团", "服务器", 6000, None, "purchase")],
    ),
    (
        "京东和美团都在扩充推理算力，前者今年采购了6000台服务器。",
        [("京东", "服务器", 6000, None, "purchase")],
    ),
    # a comparison after a total keeps the total only
    (
        "快手今年订购了1.2万块H20，较去年减少3000块。",
        [("快手", "H20", 12000, None, "order")],
    ),
    # a table, one "buyer：amount" per line, under the line that announces it
    (
        "研究机构估算了明年各家的H200采购量，结果如下：\n百度：约3万块\n阿里巴巴：约2.5万块",
        [("百度", "H200", 30000, None, "purchase"), ("阿里巴巴", "H200", 25000, None, "purchase")],
    ),
    # items joined by 、 after a colon
    (
        "国航本周与空客签署订单，具体为：A320neo 20架、A350 10架；"
        "东航亦确认订单：C919 15架、ARJ21 8架。",
        [
            ("国航", "A320neo", 20, None, "order"),
            ("国航", "A350", 10, None, "order"),
            ("东航", "C919", 15, None, "order"),
            ("东航", "ARJ21", 8, None, "order"),
        ],
    ),
    # a maker buying its own chip is the buyer, not the seller
    (
        "谷歌去年部署了约60万颗TPU；微软明年预计采购约20万颗Maia。",
        [("谷歌", "TPU", 600000, None, "deploy"), ("微软", "Maia", 200000, None, "plan")],
    ),
    # an order handed to a supplier (把…订单交给X): X supplies, the subject buys
    (
        "台湾大哥大已把500台AI服务器的订单交给纬创。",
        [("台湾大哥大", "服务器", 500, None, "order")],
    ),
    # 前者/后者 pointing at two products
    (
        "四川航空将引进空客A330neo和波音787两款宽体机，前者4架、后者2架。",
        [("四川航空", "A330", 4, None, "plan"), ("四川航空", "787", 2, None, "plan")],
    ),
    # 两家公司 / 双方 refer back to the pair named just before
    (
        "东方航空和吉祥航空昨日联合宣布，两家公司各订购了10架C919。",
        [("东方航空", "C919", 10, None, "order"), ("吉祥航空", "C919", 10, None, "order")],
    ),
    # an elided verb and product: 则是 + amount continues the previous claim
    (
        "交通银行今年采购了2000块昇腾910B，中信银行则是1500块。",
        [
            ("交通银行", "910B", 2000, None, "purchase"),
            ("中信银行", "910B", 1500, None, "purchase"),
        ],
    ),
    # a denial by another company in the same sentence withdraws nothing
    (
        "滴滴今年采购了2万辆电动车。T3出行则否认了采购5000辆电动车的传闻。",
        [("滴滴", "电动车", 20000, None, "purchase")],
    ),
    # a place name before a government buyer (香港 + 数码港) does not hide it
    (
        "香港数码港明年将再购置3000张GPU卡。",
        [("数码港", "GPU", 3000, None, "plan")],
    ),
    # a subject-less clause continues its own paragraph's buyer, not the last paragraph's
    (
        "微软今年采购了5万块H100。\n另外，计划明年再购置3000台服务器。",
        [("微软", "H100", 50000, None, "purchase")],
    ),
    (
        "微软今年采购了5万块H100，另外计划明年再购置3000台服务器。",
        [("微软", "H100", 50000, None, "purchase"), ("微软", "服务器", 3000, None, "plan")],
    ),
    # A与B合作/签约: B is the other party of the deal
    (
        "印尼Indosat与英伟达合作，计划采购价值约3亿美元的AI服务器。",
        [("Indosat", "服务器", 300000000, "USD", "plan")],
    ),
    # money put in (投入) to buy a product is spending on it, not an investment
    (
        "快手计划在明年投入50亿元用于购买GPU。",
        [("快手", "GPU", 5000000000, "CNY", "plan")],
    ),
    # a first batch (首批) of what the clause before buys
    (
        "据路透社报道，阿联酋G42将在三年内采购数十万颗英伟达芯片，首批为2万颗GB300。",
        [("G42", "GB300", 20000, None, "plan")],
    ),
    # 该校 refers to the university named before; 新增 adds to what it owns
    (
        "香港城市大学去年采购了512颗H200。该校发言人表示，今年还将新增约300颗H200。",
        [("城市大学", "H200", 512, None, "purchase"), ("城市大学", "H200", 300, None, "plan")],
    ),
    # a budget stated after the purchase is its money amount
    (
        "中国联通发布公告称，公司拟采购约2500台AI服务器，预算金额约为27亿元（含税）。",
        [
            ("中国联通", "服务器", 2500, None, "plan"),
            ("中国联通", "服务器", 2_700_000_000, "CNY", "plan"),
        ],
    ),
    # a total over several buyers (三家合计) is nobody's order value
    (
        "建设银行和交通银行分别采购了600台和400台AI服务器，两家合计订单金额约9亿元。",
        [
            ("建设银行", "服务器", 600, None, "purchase"),
            ("交通银行", "服务器", 400, None, "purchase"),
        ],
    ),
    # a Latin name right before a hedged amount (OpenAI约…) is not a model number
    (
        "消息人士称，Anthropic约采购了3万颗TPU，OpenAI约2万颗。",
        [("Anthropic", "TPU", 30000, None, "purchase"), ("OpenAI", "TPU", 20000, None, "purchase")],
    ),
]

NO_CLAIM = [
    "小米比OPPO多采购了2万块芯片。",  # a difference, not a total
    "百度今年的服务器采购量比去年增加了5000台。",  # a change
    "微软已向OpenAI投资130亿美元。",  # investment
    "英伟达上一季度营收达到350亿美元。",  # revenue
    "预计2027年AI芯片市场规模将达到3000亿美元。",  # market size
    "英伟达市值一度超过3万亿美元。",  # market value
    "特斯拉股价当天上涨12%。",  # share price
    "谷歌否认了采购10万块H100的传闻。",  # denial
    "字节跳动并未采购5万块H20芯片。",  # negation
    "如果出口许可获批，腾讯将采购5万块H20。",  # hypothetical
    "阿里巴巴计划采购数十万块GPU。",  # vague amount
    "每块H100的价格约为3万美元。",  # per-unit price
    "全国统一客服热线400-996-1195，24小时为您服务。",  # phone number spam
    "一家中国科技公司订购了2万块H20。",  # unnamed buyer
    "英伟达今年出货了200万块H100。",  # vendor shipments, no buyer
    "微软在2023年的第3季度发布了新产品。",  # dates and ordinals
    "Meta的算力约合60万块H100。",  # equivalence, no purchase
    # a rumour that the same document denies (the denial names buyer and product)
    "有自媒体称，快手已向英伟达下单3万块H20。快手回应称，采购H20的消息不实。",
    "关键零组件采用国产供应链。",  # 零 in 零组件 is no amount
    "海南航空另持有10架C919的选购权。",  # purchase options are not purchases
]


def _found(claims, buyer, product, value, currency):
    for c in claims:
        b = (c.buyer.text + "|" + c.buyer.name).casefold()
        p = (c.product.text + "|" + c.product.name).casefold()
        if (
            buyer.casefold() in b
            and product.casefold() in p
            and c.amount.value == value
            and c.amount.currency == currency
        ):
            return c
    return None


@pytest.mark.parametrize(("text", "expected"), CLAIMS_FOUND, ids=[t[:18] for t, _ in CLAIMS_FOUND])
def test_claims_found(extractor, text, expected):
    claims = extractor.extract(text, doc="t.txt")
    for buyer, product, value, currency, predicate in expected:
        claim = _found(claims, buyer, product, value, currency)
        assert claim is not None, (
            f"missing {buyer}/{product}/{value} in {[c.to_dict() for c in claims]}"
        )
        assert claim.predicate == predicate
    assert len(claims) == len(expected), [c.to_dict() for c in claims]


@pytest.mark.parametrize("text", NO_CLAIM, ids=[t[:18] for t in NO_CLAIM])
def test_no_claim(extractor, text):
    assert extractor.extract(text) == []


def test_inferred_product_is_marked(extractor):
    claims = extractor.extract("Meta采购了17万块MI300，微软也购入了9万块。")
    by_buyer = {c.buyer.name: c for c in claims}
    assert by_buyer["Meta"].product.inferred is False
    assert by_buyer["微软"].product.inferred is True
    assert by_buyer["微软"].product.name.startswith("MI300")


def test_attribution_named_and_scoped(extractor):
    claims = extractor.extract("据彭博社报道，微软采购了5万块H100。谷歌购入了2万块H100。")
    by_buyer = {c.buyer.name: c for c in claims}
    assert by_buyer["微软"].source.attributed_to == "彭博"
    assert by_buyer["谷歌"].source.attributed_to is None  # not carried across a full stop


def test_anonymous_and_anaphoric_sources(extractor):
    claims = extractor.extract("知情人士称，甲骨文订购了3万块GB200。")
    assert claims[0].source.attributed_to == "知情人士"
    claims = extractor.extract("Omdia发布报告。该机构估计，谷歌今年购买了6万块H100。")
    assert claims[0].source.attributed_to == "Omdia"


def test_self_announcement_and_dateline_are_no_source(extractor):
    """A buyer announcing its own purchase is the subject, not a source; a dateline
    names the outlet that wrote the story, not who gave the figure."""
    own = extractor.extract("中国移动宣布，公司今年采购了8000台AI服务器。")
    assert [(c.buyer.name, c.source.attributed_to) for c in own] == [("中国移动", None)]
    dated = extractor.extract(
        "（经济日报记者台北报导）研究机构集邦科技今日发布报告，估计微软明年将采购1.5万柜GB300。"
    )
    assert [c.source.attributed_to for c in dated] == ["TrendForce"]


def test_estimate_verbs_credit_the_source(extractor):
    claims = extractor.extract("法人推估，鸿海今年将采购约2万颗GB300。")
    assert [(c.buyer.name, c.source.attributed_to) for c in claims] == [("鸿海", "法人")]


def test_anaphoric_source_stays_in_its_paragraph(extractor):
    """公告显示 in a new paragraph does not credit the speaker of the last one."""
    claims = extractor.extract(
        "京东方表示，今年营收将增长一成。\n招标公告显示，中国移动此次集采AI服务器共计7994台。"
    )
    assert [(c.buyer.name, c.source.attributed_to) for c in claims] == [("中国移动", None)]


def test_report_published_earlier_is_the_source(extractor):
    claims = extractor.extract(
        "摩根大通最新发表研究报告，估算中国企业今年的H20采购量。"
        "报告列出的估算如下：腾讯：约8万块；百度：约3万块。"
    )
    assert {c.buyer.name: c.source.attributed_to for c in claims} == {
        "腾讯": "摩根大通",
        "百度": "摩根大通",
    }


def test_bare_yuan_is_the_local_dollar_in_taiwan_news(extractor):
    """元 alone is renminbi, but in a traditional-script story that names 新台幣 (and
    never 人民幣) it is the New Taiwan dollar; a mainland story quoting a share price in
    港元 keeps 元 as renminbi."""
    taiwan = extractor.extract(
        "中華電信斥資約30億元添購AI伺服器。\n中華電信表示，這筆新台幣30億元的採購案將分兩年執行。"
    )
    assert {(c.amount.value, c.amount.currency) for c in taiwan} == {(3_000_000_000, "TWD")}
    mainland = extractor.extract("京东云斥资约18亿元采购AI服务器。京东集团港股报收132.4港元。")
    assert [(c.amount.value, c.amount.currency) for c in mainland] == [(1_800_000_000, "CNY")]


def test_restatement_under_another_product_name_is_one_claim(extractor):
    """A headline's B300服务器 and the body's AI服务器 for the same 384 units are one
    purchase: the more specific product stays, with both evidence sentences."""
    claims = extractor.extract(
        "远传电信采购384台B300服务器\n远传电信今日宣布，已采购384台AI服务器，用于主权AI云。"
    )
    assert [(c.buyer.name, c.product.name, c.amount.value) for c in claims] == [
        ("远传电信", "B300", 384)
    ]
    assert len(claims[0].source.evidence) == 2
    two = extractor.extract("亚马逊今年部署了100万颗Trainium2，明年计划再部署100万颗Trainium3。")
    assert sorted(c.product.name for c in two) == ["Trainium2", "Trainium3"]


def test_duplicate_claim_is_merged_with_all_evidence(extractor):
    text = "微软年内购入48.5万块Hopper芯片\n据Omdia估计，微软今年购买了48.5万块英伟达Hopper芯片。"
    claims = extractor.extract(text)
    assert len(claims) == 1
    assert claims[0].source.attributed_to == "Omdia"
    assert len(claims[0].source.evidence) == 2


def test_spans_point_into_the_original(extractor):
    text = "鴻海表示，已在高雄部署４０００顆輝達GB200晶片；微軟也購入了2萬塊。"
    for claim in extractor.extract(text):
        for span in (claim.buyer, claim.product, claim.amount):
            assert text[span.start : span.end] == span.text
        src = claim.source
        assert text[src.sentence_start : src.sentence_end] == src.sentence


def test_confidence_reflects_evidence(extractor):
    direct = extractor.extract("微软采购了8万块MI300。")[0]
    inferred = _found(
        extractor.extract("微软采购了8万块MI300，谷歌也购入了3万块。"), "谷歌", "MI300", 30000, None
    )
    assert 0 < inferred.confidence < direct.confidence <= 1


def test_library_entry_points():
    import claims

    found = claims.extract("谷歌今年采购了约12万块英伟达H100芯片。", doc="x.txt")
    assert found[0].to_dict()["source"]["doc"] == "x.txt"
    outputs = list(claims.Extractor().pipe([("微软采购了8万块MI300。", "a"), ("没有数字。", "b")]))
    assert [len(o) for o in outputs] == [1, 0]


PERIODS = [
    # (text, published, expected period text, expected year)
    ("谷歌今年采购了6万块H100。", "2025-05-01", "今年", 2025),
    ("2024年第三季度，微软购入了3万块MI300X。", None, "2024年第三季度", 2024),
    ("據TrendForce估計，Meta去年下半年採購了4萬顆H100。", "2025-02-01", "去年下半年", 2024),
    ("亚马逊计划在FY2026部署10万块Trainium2。", None, "FY2026", 2026),
    ("为达成2030年碳中和目标，东方航空明年将引进20架C919。", "2025-09-09", "明年", 2026),
    ("腾讯第四季度采购了2万块H20。", "2025-11-01", "第四季度", None),
    ("百度采购了1万块昆仑芯P800。", "2025-11-01", None, None),
]


@pytest.mark.parametrize(("text", "published", "period", "year"), PERIODS)
def test_period_is_kept_and_resolved(extractor, text, published, period, year):
    from datetime import date

    day = date.fromisoformat(published) if published else None
    claims = extractor.extract(text, published=day)
    assert len(claims) == 1, text
    found = claims[0].period
    if period is None:
        assert found is None
        return
    assert found is not None and found.text == period and found.year == year
    assert text[found.start : found.end] == found.text


def test_documents_read_together_give_what_each_gives_alone(extractor):
    """`pipe` / `run_many` answer the recogniser's requests of a whole group of
    documents at once; every document's claims stay what `run` finds for it alone."""
    from conftest import CORPUS

    unseen = sorted((CORPUS.parent / "unseen").glob("*.txt"))
    paths = sorted(CORPUS.glob("*.txt"))[:40] + unseen
    texts = [(p.read_text(encoding="utf-8"), p.name) for p in paths]
    alone = [[c.to_dict(explain=True) for c in extractor.run(t, d).claims] for t, d in texts]
    together = [[c.to_dict(explain=True) for c in cs] for cs in extractor.pipe(texts)]
    assert together == alone
    assert any(c["buyer"]["id"] is None for cs in together for c in cs)  # the model spoke


def test_a_failing_document_does_not_take_its_group_down(extractor, monkeypatch):
    from claims.extractor import Extractor

    real = Extractor._chunk_steps

    def fail_on_second(self, original, doc, *args, **kwargs):
        if doc == "second":
            raise ValueError("simulated fault")
        return (yield from real(self, original, doc, *args, **kwargs))

    monkeypatch.setattr(Extractor, "_chunk_steps", fail_on_second)
    items = [
        ("微软今年购买了48.5万块英伟达Hopper芯片。", "first", None, None),
        ("谷歌购买了3块H100。", "second", None, None),
        ("鹏城实验室采购了8000块BR100。", "third", None, None),
    ]
    first, second, third = extractor.run_many(items)
    assert [c.buyer.name for c in first.claims] == ["微软"]
    assert isinstance(second, ValueError)
    assert third.doc == "third"


def test_a_failing_recogniser_fails_the_documents_that_asked_for_it(monkeypatch):
    """If the entity model cannot run (a broken install), the documents that needed it
    report the error; those that did not still give their claims."""
    from claims import Extractor
    from claims.ner import EntityModel

    def broken(self, requests):
        raise OSError("model files unreadable")

    monkeypatch.setattr(EntityModel, "hits_many", broken)
    extractor = Extractor(ner=True)
    known, unknown = extractor.run_many(
        [
            ("微软今年购买了48.5万块英伟达Hopper芯片。", "known", None, None),
            ("澜舟星图实验室采购了8000块BR100。", "unknown", None, None),  # a name no lexicon has
        ]
    )
    assert [c.buyer.name for c in known.claims] == ["微软"]
    assert isinstance(unknown, OSError)


def test_the_cycle_collector_is_paused_only_while_a_group_is_read(extractor, monkeypatch):
    """`run_many` turns the collector off for a group of documents (nothing it makes
    is cyclic garbage) and gives the caller back the setting it had, between groups too."""
    import gc

    from claims.extractor import Extractor

    seen: list[bool] = []
    real = Extractor._chunk_steps

    def watching(self, *args, **kwargs):
        seen.append(gc.isenabled())
        return (yield from real(self, *args, **kwargs))

    monkeypatch.setattr(Extractor, "_chunk_steps", watching)
    items = [("微软今年购买了48.5万块英伟达Hopper芯片。", "a", None, None)] * 3
    assert gc.isenabled()
    between = [gc.isenabled() for _ in extractor.run_many(items)]
    assert seen == [False] * 3 and between == [True] * 3 and gc.isenabled()
    gc.disable()
    try:
        list(extractor.run_many(items))
        assert not gc.isenabled()  # a caller's choice is kept
    finally:
        gc.enable()
    # and what a pass leaves behind needs no collector: no cyclic garbage of ours (other
    # threads of the test session, such as a finished pool's, may leave some meanwhile)
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        list(extractor.run_many(items))
        gc.collect()
        ours = [o for o in gc.garbage if _made_by_claims(o)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert ours == []


def _made_by_claims(thing: object) -> bool:
    """An object of a claims class, or a function, frame or generator of claims code."""
    import types

    code = None
    if isinstance(thing, types.FunctionType):
        code = thing.__code__
    elif isinstance(thing, types.FrameType):
        code = thing.f_code
    elif isinstance(thing, types.GeneratorType):
        code = thing.gi_code
    if code is not None:
        return "claims" in Path(code.co_filename).parts
    return type(thing).__module__.startswith("claims")
