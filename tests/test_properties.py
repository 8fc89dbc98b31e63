"""Properties on generated text: no exception, every span grounded, deterministic."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims import parse_amount
from conftest import assert_grounded

FRAGMENTS = [
    "微软",
    "微軟",
    "谷歌",
    "Meta",
    "亚马逊",
    "英伟达",
    "輝達",
    "甲骨文",
    "腾讯和阿里巴巴",
    "知情人士称，",
    "据Omdia估计，",
    "采购了",
    "購買了",
    "分别订购了",
    "各引进",
    "向特斯拉订购",
    "卖给",
    "的",
    "也",
    "48.5万块",
    "22万4000颗",
    "约130万块",
    "三十五万块",
    "４０００顆",
    "60亿-90亿美元",
    "310亿美元",
    "数十万块",
    "100,000辆",
    "新台幣420億元",
    "H100",
    "GB200 NVL72",
    "MI300X",
    "昇腾910B",
    "芯片",
    "晶片",
    "服务器",
    "C919飞机",
    "电动车",
    "，",
    "。",
    "；",
    "：",
    "（",
    "）",
    "「",
    "」",
    "\n",
    " ",
    "营收",
    "投资",
    "否认",
    "每块",
    "其中",
    "这笔订单价值",
    "400-996-1195",
    "第3",
    "%",
]

texts = st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join) | st.text(max_size=200)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=texts)
def test_extract_is_grounded_and_deterministic(extractor, text):
    first = [c.to_dict() for c in extractor.extract(text, doc="gen")]
    assert_grounded(first, text)
    assert all(record["amount"]["value"] > 0 for record in first)
    assert [c.to_dict() for c in extractor.extract(text, doc="gen")] == first


@settings(max_examples=500, deadline=None)
@given(text=texts)
def test_parse_amount_never_raises(text):
    amount = parse_amount(text)
    assert amount is None or amount.value is None or amount.value >= 0
