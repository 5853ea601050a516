"""Model-judged rubric scoring: the judge prompt, and a forgiving parser for the judge's reply.

The runner sends :func:`judge_messages` to a judge endpoint; the scorer reads the score from the
reply. Judges write scores many ways — ``评分：4/5``, ``Score: 7/10``, ``{"score": 4}``,
``[[8]]``, ``得分：4分`` — so :func:`parse_judge_score` tries explicit forms first (the last one
wins, as judges often restate their final score), then a last fraction ``N/M``. Scores are
normalised to [0, 1] by the fraction's denominator or else the rubric's scale; a reply without a
usable score gives NaN (unscored), never a silent zero.
"""

from __future__ import annotations

import math
import re

from quanheng.measure.datasets import Item
from quanheng.measure.scorers._base import Score, Scorer, ScorerSpec, register_scorer
from quanheng.measure.scorers._base import strip_reasoning as _strip
from quanheng.measure.templates import ChatMessage

__all__ = ["judge_messages", "parse_judge_score", "rubric"]

_N = r"(\d+(?:\.\d+)?)"
_OF = rf"(?:\s*(?:/|out of|分?满分)\s*{_N})?"
_EXPLICIT = (
    re.compile(rf'"score"\s*:\s*"?{_N}"?'),
    re.compile(rf"\[\[\s*{_N}\s*(?:/\s*{_N})?\s*\]\]"),
    re.compile(rf"(?:评分|得分|分数|打分|总分)\s*(?:为|是)?\s*[:：]?\s*\**\s*{_N}\s*分?{_OF}"),
    re.compile(rf"(?i:(?:final\s+)?(?:score|rating))\s*(?:is|of)?\s*[:：=]?\s*\**\s*{_N}{_OF}"),
)
_FRACTION = re.compile(rf"{_N}\s*/\s*{_N}")


def parse_judge_score(reply: str, scale: float = 5.0) -> float | None:
    """The judge's score normalised to [0, 1], or None if the reply gives no usable score.

    Args:
        reply: the judge model's text.
        scale: the top of the rubric's scale (scores are 0..scale) when no denominator is given.
    """
    text = _strip(reply).translate(str.maketrans("０１２３４５６７８９．／：", "0123456789./:"))
    found: list[tuple[int, float, float | None]] = []
    for pat in _EXPLICIT:
        for m in pat.finditer(text):
            groups = [g for g in m.groups()]
            den = float(groups[1]) if len(groups) > 1 and groups[1] else None
            found.append((m.start(), float(groups[0]), den))
    if not found:
        found = [
            (m.start(), float(m.group(1)), float(m.group(2))) for m in _FRACTION.finditer(text)
        ]
    if not found:
        return None
    _, value, den = max(found, key=lambda t: t[0])
    top = den if den else scale
    if top <= 0 or value < 0 or value > top:
        return None
    return value / top


_PROMPT = {
    "zh": (
        "你是一名严格、公正的评审。请根据评分标准，为下面的回答打分（0 到 {scale} 的整数，"
        "{scale} 为最好）。\n\n【问题】\n{question}\n\n【评分标准】\n{rubric}\n{reference}"
        "【待评回答】\n{answer}\n\n先用一两句话说明理由，最后一行只写“评分：X/{scale}”。"
    ),
    "en": (
        "You are a strict, fair grader. Score the answer below against the rubric with an "
        "integer from 0 to {scale} ({scale} is best).\n\n[Question]\n{question}\n\n[Rubric]\n"
        "{rubric}\n{reference}[Answer]\n{answer}\n\nGive your reasons in one or two sentences, "
        "then a last line with only 'Score: X/{scale}'."
    ),
}


def judge_messages(
    item: Item, completion: str, *, lang: str = "zh", scale: int = 5
) -> list[ChatMessage]:
    """The judge's request: question, the item's rubric, a reference if any, the answer."""
    reference = item.fields.get("reference")
    if reference:
        head = "【参考答案】" if lang == "zh" else "[Reference answer]"
        ref = f"{head}\n{reference}\n\n"
    else:
        ref = ""
    content = _PROMPT["zh" if lang == "zh" else "en"].format(
        scale=scale,
        question=item.fields.get("question", ""),
        rubric=item.fields.get("rubric", ""),
        reference=ref,
        answer=_strip(completion).strip(),
    )
    return [{"role": "user", "content": content}]


@register_scorer("judge")
def rubric(*, spec: ScorerSpec, lang: str = "zh", scale: int = 5) -> Scorer:
    """Rubric scoring by a judge model; call the scorer with the judge's reply."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")

    def ask(item: Item, completion: str) -> list[ChatMessage]:
        return judge_messages(item, completion, lang=lang, scale=scale)

    def score(item: Item, judge_reply: str) -> Score:
        value = parse_judge_score(judge_reply, scale=float(scale))
        if value is None:
            return Score(value=math.nan, answer=None, explanation="judge reply has no usable score")
        return Score(value=value, answer=f"{value:.3f}", explanation="judge score normalised")

    return Scorer(spec=spec, fn=score, judge=ask)
