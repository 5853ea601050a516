"""Is a proposed value what its quote says? Numbers, rubric levels and gates, each its own way.

* **A fact** (a number): some figure in the quote, read with its units
  (:mod:`quanheng.extract.numbers`), equals the value — within a relative 1e-6, or, when the
  record states a ``range``, lies within it (and the figure's own range within the record's);
  or the quote enumerates that many items (``深圳燃气、吉利、泰康保险、TCL、上海辞书出版社等`` is
  5), the way counts of named partners or industries are recorded.
* **A rubric level** (0–5, integer): level 0 is "no public information" and is never a
  proposal; a level ``L`` ≥ 1 is justified only if the quote contains a distinctive term of the
  leaf (its keywords, :mod:`quanheng.extract.keywords`) or of the descriptors of levels 1..L,
  and levels 3 and up need two different such terms. This is a screen, not a judgement: the
  reviewer still reads the descriptor against the quote before accepting.
* **A gate**: the value is true or false.

:func:`check_value` returns ``None`` when consistent, else one line saying why not.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from quanheng.extract.keywords import LeafTerms
from quanheng.extract.normalise import fold
from quanheng.extract.numbers import find_figures
from quanheng.specs.normalisation import Rubric

__all__ = ["check_value", "descriptor_terms", "enumeration_counts"]

REL_TOL = 1e-6

_STOP = frozenset(
    (
        "无公开信息",
        "公开信息",
        "厂商",
        "模型",
        "大模型",
        "达到",
        "并有",
        "或有",
        "以及",
        "其中",
        "具体",
        "至少",
        "一项",
        "多项",
        "明确",
        "提到",
        "仅泛称",
        "泛称",
        "描述",
        "包括",
        "提供",
        "支持",
        "已经",
        "可以",
        "能力",
        "相关",
        "主要",
        "具备",
        "程度",
        "情况",
        "方面",
    )
)


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=1e-12)


def enumeration_counts(quote: str) -> set[int]:
    """How many items each ``、``-separated list in the quote names (one count per clause).

    A clause's last item joined by 和 / 及 / 与 (``A、B 和 C``) counts as two.
    """
    counts: set[int] = set()
    for clause in re.split(r"[,，。;；:：!?！？]", fold(quote)):
        parts = clause.split("、")
        if len(parts) < 2:
            continue
        n = len(parts)
        if re.search(r"[和及与]", parts[-1]):
            counts.add(n + 1)
        counts.add(n)
    return counts


def _check_fact(value: Any, quote: str, record_range: Sequence[float] | None) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"value {value!r} is not a number"
    v = float(value)
    figures = find_figures(fold(quote))
    for fig in figures:
        if record_range is not None:
            low, high = float(record_range[0]), float(record_range[1])
            if low - abs(low) * REL_TOL <= fig.value <= high + abs(high) * REL_TOL and (
                low - abs(low) * REL_TOL <= fig.low and fig.high <= high + abs(high) * REL_TOL
            ):
                return None
        elif _close(fig.value, v) or (fig.low == fig.high and _close(fig.low, v)):
            return None
    if v.is_integer() and int(v) in enumeration_counts(quote):
        return None
    if not figures:
        return f"the quote states no number, and lists no {v:g} items"
    shown = ", ".join(f"{f.text} = {f.value:g}" for f in figures[:4])
    return f"value {v:g} is not a figure of the quote ({shown})"


def descriptor_terms(text: str) -> list[str]:
    """Distinctive terms of a descriptor: runs of 2+ CJK characters or words of 3+ letters."""
    terms: list[str] = []
    for run in re.findall(r"[\u4e00-\u9fff]{2,}|[A-Za-z][A-Za-z\-]{2,}", fold(text)):
        for part in re.split(r"[的了并及或和与等在对以为中是有]", run):
            if len(part) >= 2 and part not in _STOP:
                terms.append(part)
    return terms


def _check_rubric(value: Any, quote: str, terms: LeafTerms) -> str | None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not float(value).is_integer()
    ):
        return f"level {value!r} is not a whole number 0..5"
    level = int(value)
    if not 1 <= level <= 5:
        return f"level {level} is outside 1..5 (level 0 means no information: propose nothing)"
    spec = terms.leaf.normalisation
    candidates = list(terms.keywords)
    if isinstance(spec, Rubric):
        for lv in range(1, level + 1):
            descriptor = spec.levels[lv]
            candidates += descriptor_terms(descriptor.zh or "") + descriptor_terms(
                descriptor.en or ""
            )
    folded = fold(quote).lower()
    found = {t for t in candidates if fold(t).lower() in folded}
    need = 2 if level >= 3 else 1
    if len(found) < need:
        return (
            f"level {level} needs {need} term(s) of the leaf or of its level 1..{level} "
            f"descriptors in the quote; found {len(found)}"
        )
    return None


def check_value(
    record: dict[str, Any], terms: LeafTerms | None, *, gate: bool = False
) -> str | None:
    """``None`` when the record's value is consistent with its quote, else why not.

    Args:
        record: the proposed record (``value``, ``quote``, optional ``range``).
        terms: the leaf's terms (its kind and rubric decide the check); ``None`` for a gate.
        gate: the indicator is a gate.
    """
    value, quote = record.get("value"), str(record.get("quote") or "")
    if gate:
        return None if isinstance(value, bool) else f"a gate is true or false, not {value!r}"
    assert terms is not None
    if terms.leaf.kind == "rubric":
        return _check_rubric(value, quote, terms)
    return _check_fact(value, quote, record.get("range"))
