"""Scorers: turn a completion (or a judge's reply) into a :class:`Score`.

Each scorer is built from a :class:`ScorerSpec` (name + args) by :func:`build_scorer`, so the
scoring behind any result can be rebuilt from its record. Registered names: ``choice``,
``exact``, ``regex``, ``numeric``, ``code``, ``judge``, ``refusal``. The extraction functions
they use are public too, for tests and for reuse.
"""

from quanheng.measure.scorers._base import (
    SCORERS,
    Score,
    ScoreFn,
    Scorer,
    ScorerSpec,
    build_scorer,
    register_scorer,
    strip_reasoning,
)
from quanheng.measure.scorers._choice import extract_choice, normalise_text
from quanheng.measure.scorers._code import build_program, extract_code
from quanheng.measure.scorers._judge import judge_messages, parse_judge_score
from quanheng.measure.scorers._numeric import (
    ParsedNumber,
    extract_number,
    numbers_match,
    parse_chinese_numeral,
)
from quanheng.measure.scorers._refusal import is_refusal

__all__ = [
    "SCORERS",
    "ParsedNumber",
    "Score",
    "ScoreFn",
    "Scorer",
    "ScorerSpec",
    "build_program",
    "build_scorer",
    "extract_choice",
    "extract_code",
    "extract_number",
    "is_refusal",
    "judge_messages",
    "normalise_text",
    "numbers_match",
    "parse_chinese_numeral",
    "parse_judge_score",
    "register_scorer",
    "strip_reasoning",
]
