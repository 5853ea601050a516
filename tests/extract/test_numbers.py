"""Figures with Chinese and English units, qualifiers, ranges and Chinese numerals."""

from __future__ import annotations

import pytest

from quanheng.extract.numbers import find_figures, parse_figure


@pytest.mark.parametrize(
    ("text", "value", "qualifier", "counter"),
    [
        ("凝聚535 万开发者", 5_350_000, "exact", None),  # 万
        ("超过 5,500 亿条知识", 5.5e11, "at_least", "条"),  # 亿, thousands separator, 超过
        ("3 千亿参数", 3e11, "exact", None),  # 千亿
        ("2 万亿 token", 2e12, "exact", None),  # 万亿
        ("服务 20 万家企事业单位", 200_000, "exact", "家"),  # 家
        ("建设了 36 个大模型", 36, "exact", "个"),  # 个
        ("推出 8 款产品", 8, "exact", "款"),  # 款
        ("赋能 389 所高校", 389, "exact", "所"),
        ("份额 19.9%", 0.199, "exact", "%"),  # % as a fraction
        ("3.5 billion facts", 3.5e9, "exact", None),
        ("12 million developers", 1.2e7, "exact", None),
        ("5 thousand partners", 5000, "exact", None),
        ("近 100 款", 100, "approx", "款"),  # 近
        ("约 30 家", 30, "approx", "家"),  # 约
        ("10 万余名学子", 100_000, "at_least", "名"),  # 余
        ("20+落地场景", 20, "at_least", None),
        ("五大权威数据集", 5, "exact", "大"),  # Chinese numerals before a counter
        ("十二个行业", 12, "exact", "个"),
        ("三百家客户", 300, "exact", "家"),
    ],
)
def test_units_and_qualifiers(text: str, value: float, qualifier: str, counter: str | None) -> None:
    fig = parse_figure(text)
    assert fig is not None
    assert fig.value == pytest.approx(value)
    assert (fig.qualifier, fig.counter) == (qualifier, counter)
    assert fig.text in text


def test_a_range_is_one_figure_with_its_ends() -> None:
    (fig,) = find_figures("实现了 2%～10% 的应用效果提升")
    assert (fig.low, fig.high, fig.value) == pytest.approx((0.02, 0.10, 0.06))


@pytest.mark.parametrize(
    "text", ["一系列应用", "GPT-4 服务", "HunYuan 1T 大模型", "Qwen2.5", "一大特色"]
)
def test_not_figures(text: str) -> None:
    assert find_figures(text) == []
