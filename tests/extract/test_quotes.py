"""Quote verification: verbatim after folding, located by offsets, refused otherwise."""

from __future__ import annotations

from quanheng.extract.normalise import normalise
from quanheng.extract.quotes import locate_quote

DOC = (
    "前言。\n**百度自研的多源异构知识图谱拥有超过 5,500 亿条知识**，被融入预训练。"
    "目前生态已凝聚５３５ 万开发者。"
)


def _found(quote: str) -> str | None:
    span = locate_quote(normalise(DOC), quote)
    return None if span is None else DOC[span[0] : span[1]]


def test_exact_quote() -> None:
    assert _found("被融入预训练") == "被融入预训练"


def test_full_width_against_half_width() -> None:
    assert _found("目前生态已凝聚535万开发者") == "目前生态已凝聚５３５ 万开发者"


def test_extra_spaces_and_line_breaks() -> None:
    assert _found("知识图谱  拥有\n超过 5,500  亿条") == "知识图谱拥有超过 5,500 亿条"


def test_markdown_emphasis() -> None:
    assert _found("百度自研的多源异构知识图谱拥有超过5,500亿条知识，被融入") == (
        "百度自研的多源异构知识图谱拥有超过 5,500 亿条知识**，被融入"
    )
    assert _found("**百度自研**的多源") == "百度自研的多源"


def test_paraphrase_and_invention_are_refused() -> None:
    assert _found("百度的知识图谱有超过 5,500 亿条知识") is None
    assert _found("目前生态已凝聚 600 万开发者") is None


def test_too_short_to_prove_anything() -> None:
    assert _found("百度") is None


def test_nearest_occurrence() -> None:
    doc = normalise("甲说：增长很快。乙说：增长很快。")
    first = locate_quote(doc, "增长很快")
    second = locate_quote(doc, "增长很快", near=doc.text.index("乙"))
    assert first is not None and second is not None and second[0] > first[0]
