"""Value against quote: figures after units, ranges, enumerations, rubric levels, gates."""

from __future__ import annotations

from typing import Any

import pytest

import quanheng
from quanheng.extract.consistency import check_value, enumeration_counts
from quanheng.extract.keywords import LeafTerms, leaf_terms


@pytest.fixture(scope="module")
def terms() -> dict[str, LeafTerms]:
    return leaf_terms(quanheng.load_study("studies/cn-llm-vendors-2024").framework)


def _check(
    terms: dict[str, LeafTerms], leaf: str, value: Any, quote: str, **more: Any
) -> str | None:
    return check_value({"value": value, "quote": quote, **more}, terms[leaf])


def test_a_figure_after_units(terms: dict[str, LeafTerms]) -> None:
    assert _check(terms, "E2.1", 5_350_000, "目前生态已凝聚535 万开发者") is None
    assert _check(terms, "P1.3", 5.5e11, "拥有超过 5,500 亿条知识") is None
    assert _check(terms, "S2.3", 0.199, "市场份额为 19.9%") is None


def test_an_inconsistent_value_says_what_the_quote_has(terms: dict[str, LeafTerms]) -> None:
    why = _check(terms, "E2.1", 535, "目前生态已凝聚535 万开发者")
    assert why == "value 535 is not a figure of the quote (535万 = 5.35e+06)"
    assert _check(terms, "S2.3", 19.9, "市场份额为 19.9%") is not None
    assert _check(terms, "E2.1", "many", "535 万开发者") == "value 'many' is not a number"


def test_a_range(terms: dict[str, LeafTerms]) -> None:
    quote = "实现了 2%～10% 的应用效果提升"
    assert _check(terms, "P6.2", 0.06, quote, range=[0.02, 0.1]) is None
    assert _check(terms, "P6.2", 0.06, quote) is None  # the midpoint
    assert _check(terms, "P6.2", 0.5, quote, range=[0.4, 0.6]) is not None


def test_an_enumeration(terms: dict[str, LeafTerms]) -> None:
    quote = "联合深圳燃气、吉利、泰康保险、TCL、上海辞书出版社等各领域的企业发布了行业大模型"
    assert enumeration_counts(quote) == {5}
    assert _check(terms, "E3.1", 5, quote) is None
    assert _check(terms, "E3.1", 6, quote) is not None
    assert enumeration_counts("智慧商业、智慧城市和智能汽车") == {2, 3}


def test_rubric_levels(terms: dict[str, LeafTerms]) -> None:
    quote = "百度飞桨深度学习平台向下适配各种硬件，支持文心大模型的开发、高性能训练"
    assert _check(terms, "P4.1", 4, quote) is None
    assert _check(terms, "P4.1", 0, quote) is not None  # level 0 is no proposal
    assert _check(terms, "P4.1", 2.5, quote) is not None
    assert _check(terms, "P4.1", 3, "今天天气很好，大家出去玩") is not None


def test_gates_are_booleans() -> None:
    assert check_value({"value": True, "quote": "x"}, None, gate=True) is None
    assert check_value({"value": 1, "quote": "x"}, None, gate=True) is not None
