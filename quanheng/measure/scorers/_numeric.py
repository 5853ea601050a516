"""Numeric final answers (GSM8K style): find the number a model ends on and compare it.

Where to look, in order: the last ``#### N``; the last ``\\boxed{N}``; the last explicit answer
statement (``答案：N``, ``答案是N``, ``The answer is N``, ``Answer: N``); else the last number in
the text. Numbers may use thousands commas, fullwidth digits, a Unicode minus, ``3/4`` or
``\\frac{3}{4}`` fractions, a trailing ``%``, or simple Chinese numerals after an answer cue
(``答案是三十五``). A percentage matches a target written either as ``25`` or ``0.25``.
"""

from __future__ import annotations

import math
import re

from quanheng.measure.datasets import Item
from quanheng.measure.scorers._base import Score, Scorer, ScorerSpec, register_scorer
from quanheng.measure.scorers._base import strip_reasoning as _strip

__all__ = ["ParsedNumber", "extract_number", "numbers_match", "numeric", "parse_chinese_numeral"]

# The fullwidth comma is left alone: in Chinese it separates clauses, not thousands.
_FW = str.maketrans("０１２３４５６７８９．－−％／", "0123456789.--%/")

_NUM = r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:\s*/\s*\d+(?:\.\d+)?)?\s*%?|[-+]?\.\d+%?"
_NUM_RE = re.compile(_NUM)
_FRAC = re.compile(r"\\[dt]?frac\{\s*([-+]?\d+(?:\.\d+)?)\s*\}\{\s*(\d+(?:\.\d+)?)\s*\}")
_HASH = re.compile(rf"####\s*\$?\s*({_NUM})")
_BOXED = re.compile(r"\\boxed\{((?:[^{}]|\{[^{}]*\})*)\}")
_CN_DIGITS = "零〇一二两三四五六七八九十百千万亿点负"
_CUE = re.compile(
    r"(?:答案|结果|最终答案|答)\s*(?:应该|应|就)?\s*(?:是|为|:|：|=)\s*(?:约|大约)?\s*\$?\s*"
    rf"({_NUM}|[{_CN_DIGITS}]+)"
    r"|(?i:the\s+(?:final\s+)?answer\s+is|answer\s*:|final\s+answer\s*:?)\s*\**\s*\$?\s*"
    rf"({_NUM})"
)


class ParsedNumber(float):
    """A float that remembers whether it was written as a percentage."""

    percent: bool = False


def _make(value: float, percent: bool) -> ParsedNumber:
    out = ParsedNumber(value)
    out.percent = percent
    return out


_CN_VAL = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_CN_VAL.update({"六": 6, "七": 7, "八": 8, "九": 9})
_CN_UNIT = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}


def parse_chinese_numeral(text: str) -> int | None:
    """An integer written in Chinese numerals (``三十五``, ``一百零二``, ``两万``), or None."""
    text = text.strip()
    negative = text.startswith("负")
    text = text.removeprefix("负")
    if not text or any(
        ch not in _CN_VAL and ch not in _CN_UNIT and ch not in _CN_BIG for ch in text
    ):
        return None
    if all(ch in _CN_VAL for ch in text) and len(text) > 1:  # digit by digit: 二〇二四
        return int("".join(str(_CN_VAL[ch]) for ch in text)) * (-1 if negative else 1)
    total, section, digit = 0, 0, 0
    for ch in text:
        if ch in _CN_VAL:
            digit = _CN_VAL[ch]
        elif ch in _CN_UNIT:
            section += (digit or 1) * _CN_UNIT[ch]
            digit = 0
        else:
            total += (section + digit) * _CN_BIG[ch]
            section, digit = 0, 0
    value = total + section + digit
    return -value if negative else value


def _parse(raw: str) -> ParsedNumber | None:
    s = raw.strip().replace(" ", "")
    percent = s.endswith("%")
    s = s.rstrip("%").replace(",", "")
    try:
        if "/" in s:
            num, den = s.split("/", 1)
            value = float(num) / float(den)
        else:
            value = float(s)
    except (ValueError, ZeroDivisionError):
        cn = parse_chinese_numeral(raw)
        return None if cn is None else _make(float(cn), False)
    return _make(value, percent)


def _prepare(text: str) -> str:
    text = _strip(text).translate(_FW)
    text = _FRAC.sub(lambda m: f"{m.group(1)}/{m.group(2)}", text)
    # "1 234" style thin spaces and "$" signs do not change the number
    return text.replace("\u2009", "").replace("$", " ")


def extract_number(completion: str) -> ParsedNumber | None:
    """The final numeric answer in a completion, or None if it gives no number."""
    text = _prepare(completion)
    hashes = _HASH.findall(text)
    if hashes:
        return _parse(hashes[-1])
    boxed = _BOXED.findall(text)
    for content in reversed(boxed):
        nums = _NUM_RE.findall(content.replace("\\%", "%").replace("\\,", ","))
        if nums:
            return _parse(nums[-1])
    cues = list(_CUE.finditer(text))
    if cues:
        last = cues[-1]
        return _parse(last.group(1) or last.group(2))
    nums = _NUM_RE.findall(text)
    return _parse(nums[-1]) if nums else None


def numbers_match(
    got: float, target: float, *, abs_tol: float = 1e-6, rel_tol: float = 0.0
) -> bool:
    """Whether ``got`` equals ``target`` within tolerance (a percentage may match target/100)."""
    if math.isclose(got, target, abs_tol=abs_tol, rel_tol=rel_tol):
        return True
    percent = isinstance(got, ParsedNumber) and got.percent
    return percent and math.isclose(got / 100.0, target, abs_tol=abs_tol, rel_tol=rel_tol)


@register_scorer("numeric")
def numeric(*, spec: ScorerSpec, abs_tol: float = 1e-6, rel_tol: float = 0.0) -> Scorer:
    """1.0 if the completion's final number equals the target within tolerance."""
    if abs_tol < 0 or rel_tol < 0:
        raise ValueError("abs_tol and rel_tol must be >= 0")

    def score(item: Item, completion: str) -> Score:
        target = _parse(_prepare(item.target or ""))
        if target is None:
            return Score(value=0.0, answer=None, explanation=f"target {item.target!r} not numeric")
        got = extract_number(completion)
        if got is None:
            return Score(value=0.0, answer=None, explanation="no number in the completion")
        ok = numbers_match(got, float(target), abs_tol=abs_tol, rel_tol=rel_tol)
        shown = f"{float(got):g}{'%' if got.percent else ''}"
        return Score(value=1.0 if ok else 0.0, answer=shown, explanation=f"target {item.target}")

    return Scorer(spec=spec, fn=score)
