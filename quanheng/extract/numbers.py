"""Numbers as documents write them: ``5,500 亿``, ``超过 200 个``, ``535万``, ``2%～10%``, ``五大``.

:func:`find_figures` finds every figure in a text and reads it into a :class:`Figure`: its value
after multipliers (万 = 1e4, 亿 = 1e8, 千亿 = 1e11, 万亿 = 1e12, thousand / million / billion /
trillion; ``%`` divides by 100, since the framework's shares are fractions), the counter that
follows it (家, 个, 款, 条, 所, 名, 项 …), and what its qualifier says: ``超过 / 逾 / 余 / 多 /
+ / 以上`` make it a lower bound, ``近 / 约 / 大约 / 左右`` an approximation. A range
``2%～10%`` is one figure whose bounds are its two ends and whose value is their midpoint.
Chinese numerals (``五``, ``十二``, ``三百``) are read only where a counter or multiplier
follows, so ``一系列`` is not the number one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from quanheng.measure.scorers import parse_chinese_numeral

__all__ = ["COUNTERS", "Figure", "find_figures", "parse_figure"]

Qualifier = Literal["exact", "at_least", "approx", "at_most"]

_MULTIPLIERS: dict[str, float] = {
    "万亿": 1e12,
    "千亿": 1e11,
    "百亿": 1e10,
    "十亿": 1e9,
    "亿": 1e8,
    "千万": 1e7,
    "百万": 1e6,
    "十万": 1e5,
    "万": 1e4,
    "千": 1e3,
    "trillion": 1e12,
    "billion": 1e9,
    "million": 1e6,
    "thousand": 1e3,
    "bn": 1e9,
}

COUNTERS = (
    "家", "个", "款", "条", "所", "名", "项", "类", "次", "位", "种", "台", "张", "篇", "人",
    "大", "倍", "年", "月", "份", "层", "套", "座", "支",
)  # fmt: skip
"""Chinese counters (measure words) read after a figure; ``大`` as in ``五大数据集``."""

_BEFORE_AT_LEAST = ("超过", "超", "逾", "多达", "至少", "不少于", "over", "more than")
_BEFORE_APPROX = ("近", "约", "大约", "将近", "接近", "around", "about", "nearly")
_BEFORE_AT_MOST = ("不超过", "最多", "up to")
_AFTER_AT_LEAST = ("余", "多", "+", "以上")
_AFTER_APPROX = ("左右",)

_ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_CHINESE = r"[零〇一二两三四五六七八九十百千]+"
_MULT = "|".join(sorted(map(re.escape, _MULTIPLIERS), key=len, reverse=True))
_COUNTER = "|".join(COUNTERS)
_NUMBER = (
    rf"(?P<num>{_ARABIC}|{_CHINESE})\s*(?P<mult>{_MULT})?\s*(?P<after>余|多|\+|以上)?\s*"
    rf"(?P<pct>%)?"
)
_FIGURE = re.compile(
    rf"(?P<before>不超过|超过|多达|至少|不少于|大约|将近|接近|最多|超|逾|近|约|more than|over|"
    rf"around|about|nearly|up to)?\s*{_NUMBER}"
    rf"(?:\s*[～~\-–至到]\s*(?P<num2>{_ARABIC})\s*(?P<mult2>{_MULT})?\s*(?P<pct2>%)?)?"
    rf"\s*(?P<after2>左右|以上)?\s*(?P<counter>{_COUNTER})?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Figure:
    """One figure found in a text.

    Attributes:
        value: the number after multiplier and percent (a range's midpoint).
        low: the smallest value the text allows (the value itself unless a range).
        high: the largest (``inf`` for an open lower bound is not used: it equals ``low``).
        qualifier: ``exact``, ``at_least`` (超过 200, 10 万余), ``approx`` (约, 近), ``at_most``.
        counter: the measure word after it (``家``), ``%``, or ``None``.
        start: offset of the figure's first character in the text.
        end: offset just past its last character.
        text: the figure as written.
    """

    value: float
    low: float
    high: float
    qualifier: Qualifier
    counter: str | None
    start: int
    end: int
    text: str


def _number(raw: str) -> float | None:
    raw = raw.replace(",", "")
    try:
        return float(raw)
    except ValueError:
        cn = parse_chinese_numeral(raw)
        return None if cn is None else float(cn)


def _in_name(text: str, start: int, end: int, mult: str | None) -> bool:
    """Whether the digits at ``text[start:end]`` belong to a name such as GPT-4 or A100."""
    before = text[start - 1] if start > 0 else ""
    if before == "-" and start > 1:
        before = text[start - 2]
    after = text[end] if end < len(text) else ""
    letter_before = before.isascii() and before.isalpha()
    letter_after = mult is None and after.isascii() and after.isalpha()
    return letter_before or letter_after


def _qualifier(before: str | None, after: str | None) -> Qualifier:
    b = (before or "").lower()
    if b in _BEFORE_AT_MOST:
        return "at_most"
    if b in _BEFORE_AT_LEAST or (after or "") in _AFTER_AT_LEAST:
        return "at_least"
    if b in _BEFORE_APPROX or (after or "") in _AFTER_APPROX:
        return "approx"
    return "exact"


def find_figures(text: str) -> list[Figure]:
    """Every figure in ``text``, in order (see the module docstring for what is read)."""
    out: list[Figure] = []
    for m in _FIGURE.finditer(text):
        num, mult, counter = m.group("num"), m.group("mult"), m.group("counter")
        chinese = re.fullmatch(_CHINESE, num) is not None
        if chinese and not (mult or counter):
            continue  # 一系列, 十分: a Chinese numeral counts only before a counter or multiplier
        if num == "一" and counter == "大" and not mult:
            continue  # 一大特色: an idiom, not the number one
        if not chinese and _in_name(text, m.start("num"), m.end("num"), mult):
            continue  # GPT-4, H800, 1T: part of a name, not a figure
        value = _number(num)
        if value is None:
            continue
        scale = _MULTIPLIERS[mult.lower()] if mult else 1.0
        pct = bool(m.group("pct") or m.group("pct2"))
        factor = scale / 100 if pct else scale
        low = high = value * factor
        if m.group("num2"):
            second = _number(m.group("num2"))
            if second is not None:
                scale2 = _MULTIPLIERS[m.group("mult2").lower()] if m.group("mult2") else scale
                high = second * (scale2 / 100 if pct else scale2)
                low, high = min(low, high), max(low, high)
        after = m.group("after") or m.group("after2")
        out.append(
            Figure(
                value=(low + high) / 2,
                low=low,
                high=high,
                qualifier=_qualifier(m.group("before"), after),
                counter="%" if pct else counter,
                start=m.start(),
                end=m.end(),
                text=m.group(0).strip(),
            )
        )
    return out


def parse_figure(text: str) -> Figure | None:
    """The first figure in ``text`` (``"超过 5,500 亿条"`` → 5.5e11, at least), or ``None``."""
    found = find_figures(text)
    return found[0] if found else None
