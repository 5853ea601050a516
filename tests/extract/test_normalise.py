"""Folding for quote matching, and the map from folded offsets back to the original text."""

from __future__ import annotations

import pytest

from quanheng.extract.normalise import fold, normalise


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("超过 5,500 亿条", "超过5,500亿条"),  # no word spaces in Chinese
        ("超过5,500亿条", "超过5,500亿条"),
        ("ＧＰＴ－４ 服务，１２ 家", "GPT-4服务,12家"),  # full-width → half-width (NFKC)
        ("分别为**\n商汤、百度\\*\\*", "分别为商汤、百度"),  # markdown residue and escapes
        ("多 模 态 理 解", "多模态理解"),
        ("HunYuan  NLP\n 1T", "HunYuan NLP 1T"),  # a word break between Latin words stays one space
        ("`code` 文本", "code文本"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_offsets_map_back_to_the_original() -> None:
    text = "前言。**百度** 拥有 １２ 家伙伴"
    n = normalise(text)
    start = n.text.index("12家")
    s, e = n.original_span(start, start + len("12家"))
    assert text[s:e] == "１２ 家"
    s, e = n.original_span(n.text.index("百度"), n.text.index("百度") + 2)
    assert text[s:e] == "百度"
    assert n.folded_offset(text.index("拥有")) == n.text.index("拥有")
    with pytest.raises(ValueError, match="outside"):
        n.original_span(3, 3)
