"""Multiple-choice answer extraction, plus the exact-match and regex scorers.

Models answer a lettered question in many ways: ``答案：B``, ``正确答案为（B）``, ``选B``,
``The answer is B``, ``**B**``, a bare ``B``, or the option's text. :func:`extract_choice` looks
for evidence in tiers and stops at the first tier that decides:

1. explicit answer statements (``答案…X``, ``选X``, ``answer is X``, ``X is correct``, a line
   holding only a letter, ``\\boxed{X}``) — the LAST one wins, so a model that revises itself is
   read at its final word; a statement naming two letters (``A或B``) makes the answer None;
2. formatted letters (``(B)``, ``B.`` or ``B、`` at a line start, ``**B**``, ``选项B``) — only
   if they all name the same letter;
3. the text of exactly one option.

Letters are matched in upper case only and never when followed by another Latin letter, so the
English article in "A good question…" is not read as option A.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from quanheng.measure.datasets import Item, choice_letters
from quanheng.measure.scorers._base import Score, Scorer, ScorerSpec, register_scorer
from quanheng.measure.scorers._base import strip_reasoning as _strip

__all__ = ["choice", "exact", "extract_choice", "nonempty", "normalise_text", "regex"]

_FULLWIDTH = str.maketrans(
    "ＡＢＣＤＥＦＧＨＩＪ（）［］：．，　",
    "ABCDEFGHIJ()[]:., ",
)

_OPEN = r"[(\[【]?"
_NL = r"(?![A-Za-z])"  # a letter not followed by another Latin letter


@lru_cache(maxsize=16)
def _patterns(letters: str) -> tuple[tuple[re.Pattern[str], ...], tuple[re.Pattern[str], ...]]:
    x = f"([{letters}])"
    strong = (
        # 答案：B / 答案是 B / 正确答案为（B） / 答案应该选 **B**
        rf"答案\s*(?:应该|应当|应|就|当)?\s*(?:是|为|选|:)?\s*(?:选项)?\s*:?\s*\**\s*{_OPEN}\s*\**{x}{_NL}",
        # 答：A
        rf"(?<![回解问])答\s*:\s*{_OPEN}\s*\**{x}{_NL}",
        # 选B / 应选 B / 选择（B） / 选择选项B
        rf"(?<![A-Za-z])选(?:择)?\s*(?:选项)?\s*{_OPEN}\s*\**{x}{_NL}",
        # B正确 / 选项B是正确的 / B是对的
        rf"(?<![A-Za-z]){x}\s*(?:项|选项)?\s*(?:是|为)?\s*(?:正确|是对的|对的)",
        # The answer is B / Answer: (B) / correct answer is option B
        rf"(?i:answer)\s*(?:(?i:is|would be|should be|will be|:)\s*)?:?\s*"
        rf"(?:(?i:option|choice)\s*)?\**\s*{_OPEN}\s*\**{x}{_NL}",
        # I choose B / I'd go with (B) / select option B
        rf"(?i:choose|pick|select|go with)\s+(?:(?i:option|choice)\s*)?{_OPEN}\**{x}{_NL}",
        # B is correct / (B) is the right answer / option B is the best
        rf"(?<![A-Za-z])(?:(?i:option)\s*)?{_OPEN}{x}[)\]】]?\s+(?i:is\s+(?:the\s+)?"
        rf"(?:correct|right|best))",
        # \boxed{B} / [[B]]
        rf"\\boxed\{{\s*{x}\s*\}}",
        rf"\[\[\s*{x}\s*\]\]",
        # a line holding only a letter (with punctuation or emphasis)
        rf"(?m)^[\s*#>(\[【]*{x}[\s*.。)\]】]*$",
    )
    weak = (
        rf"[(\[【]\s*{x}\s*[)\]】]",
        rf"(?m)^\s*\**{x}\s*[.、:)]",
        rf"\*\*\s*{x}\s*(?:\*\*|[.、:])",
        rf"选项\s*{x}{_NL}",
        rf"(?<![A-Za-z])(?i:option)\s+{x}{_NL}",
        # a completion that starts with the letter and then Chinese text or punctuation
        rf"^\s*{x}(?=\s*[,，。;；]|[\u4e00-\u9fff])",
    )
    return tuple(re.compile(p) for p in strong), tuple(re.compile(p) for p in weak)


def normalise_text(text: str) -> str:
    """Fullwidth letters and punctuation to ASCII, Chinese colon kept as ':' (for matching)."""
    return text.translate(_FULLWIDTH).replace("：", ":")


def _ambiguous_after(text: str, end: int, letters: str) -> bool:
    rest = text[end : end + 12]
    return (
        re.match(
            rf"\s*(?:或者|或|和|与|及|、|/|(?i:or|and))\s*(?:选项)?{_OPEN}\s*[{letters}]{_NL}", rest
        )
        is not None
    )


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def _by_option_text(text: str, choices: Sequence[str], letters: str) -> str | None:
    hay = _squash(text)
    found = [i for i, c in enumerate(choices) if len(_squash(c)) >= 2 and _squash(c) in hay]
    # an option found only as part of a longer option that is also found does not count
    kept = [
        i
        for i in found
        if not any(j != i and _squash(choices[i]) in _squash(choices[j]) for j in found)
    ]
    return letters[kept[0]] if len(kept) == 1 else None


def extract_choice(
    completion: str, choices: Sequence[str] | None = None, *, letters: str | None = None
) -> str | None:
    """The option letter a completion chooses, or None when it does not say or is ambiguous.

    Args:
        completion: the model's reply.
        choices: the option texts (enables matching an answer given as the option's text).
        letters: the valid letters; default ``ABCD`` or as many letters as ``choices``.
    """
    valid = letters or (choice_letters(len(choices)) if choices else "ABCD")
    text = normalise_text(_strip(completion)).strip()
    if not text:
        return None
    strong, weak = _patterns(valid)
    statements: list[tuple[int, int, str]] = []
    for pat in strong:
        statements.extend((m.start(1), m.end(1), m.group(1)) for m in pat.finditer(text))
    if statements:
        _start, end, letter = max(statements)
        if _ambiguous_after(text, end, valid):
            return None
        return letter
    mentioned = {m.group(1) for pat in weak for m in pat.finditer(text)}
    if len(mentioned) == 1:
        return mentioned.pop()
    if len(mentioned) > 1:
        return None
    if choices:
        return _by_option_text(text, choices, valid)
    return None


@register_scorer("choice")
def choice(*, spec: ScorerSpec) -> Scorer:
    """1.0 if the extracted letter equals the item's target letter.

    Circular evaluation is set on the task (it changes the prompts, see
    :func:`quanheng.measure.templates.circular_variants`); this scorer scores each rotation.
    """

    def score(item: Item, completion: str) -> Score:
        raw = item.fields.get("choices")
        choices = [str(c) for c in raw] if isinstance(raw, list) else None
        got = extract_choice(completion, choices)
        target = (item.target or "").strip().upper()
        if got is None:
            return Score(value=0.0, answer=None, explanation="no unambiguous option letter found")
        ok = got == target
        return Score(
            value=1.0 if ok else 0.0,
            answer=got,
            explanation=f"chose {got}, target {target}",
        )

    return Scorer(spec=spec, fn=score)


@register_scorer("exact")
def exact(*, spec: ScorerSpec, ignore_case: bool = True, strip_punctuation: bool = True) -> Scorer:
    """1.0 if the completion equals the target after trimming (and case/punctuation folding)."""

    def fold(s: str) -> str:
        s = normalise_text(_strip(s)).strip()
        if strip_punctuation:
            s = re.sub(r"[\s.。,，!！?？;；:'\"“”‘’]+", "", s)
        return s.lower() if ignore_case else s

    def score(item: Item, completion: str) -> Score:
        got = fold(completion)
        ok = got == fold(item.target or "")
        return Score(value=1.0 if ok else 0.0, answer=got, explanation="exact match" if ok else "")

    return Scorer(spec=spec, fn=score)


@register_scorer("regex")
def regex(*, spec: ScorerSpec, pattern: str, ignore_case: bool = True) -> Scorer:
    """Extract with ``pattern`` (group 1, else the whole match; last match wins) and compare.

    If the item has no target, any match counts as right (a format check).
    """
    compiled = re.compile(pattern, re.IGNORECASE if ignore_case else 0)

    def score(item: Item, completion: str) -> Score:
        matches = list(compiled.finditer(_strip(completion)))
        if not matches:
            return Score(value=0.0, answer=None, explanation="pattern not found")
        last = matches[-1]
        got = (last.group(1) if compiled.groups else last.group(0)).strip()
        if item.target is None:
            return Score(value=1.0, answer=got, explanation="pattern found")
        want = item.target.strip()
        ok = got.lower() == want.lower() if ignore_case else got == want
        return Score(value=1.0 if ok else 0.0, answer=got, explanation=f"extracted {got!r}")

    return Scorer(spec=spec, fn=score)


@register_scorer("nonempty")
def nonempty(*, spec: ScorerSpec) -> Scorer:
    """1.0 if the model replied with any text (for probes that only time the reply)."""

    def score(item: Item, completion: str) -> Score:
        ok = bool(_strip(completion).strip())
        return Score(
            value=1.0 if ok else 0.0, answer=None, explanation="replied" if ok else "empty"
        )

    return Scorer(spec=spec, fn=score)
