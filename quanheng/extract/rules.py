"""The rule-based finder: figures with units next to what a leaf counts, near a subject's name.

Two jobs, one pass over the document:

1. **Propose on its own.** For every figure (:mod:`quanheng.extract.numbers`) followed within a
   few characters by a noun a count leaf counts (``535 万开发者`` → E2.1) — with a compatible
   counter (``家`` for ``家伙伴``; ``%`` for a share) — and every ``、`` list of named items in
   a clause that names an enumerated leaf (industries, co-releasing enterprises, modalities),
   it proposes a record for the subject named in the clause, else in the sentence, else the
   last one named in the 400 characters before. The quote is the clause.
2. **Choose passages for the model.** A passage is worth a request only if it names a subject
   and holds a keyword of some leaf; :func:`select_passages` returns those passages with the
   leaves each one touches, so a long document costs one request per relevant passage, not one
   per leaf per passage.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from quanheng.extract.documents import Document, Passage
from quanheng.extract.keywords import LeafTerms
from quanheng.extract.numbers import Figure, find_figures

__all__ = ["Candidate", "find_candidates", "select_passages", "subjects_in"]

_CLAUSE = re.compile(r"(?<!\d),|,(?!\d{3})|[。;!?:！？；：]")
_SENTENCE = re.compile(r"[。!?！？;；]")
_NOUN_WINDOW = 8
_SUBJECT_LOOKBACK = 400
_MIN_ITEMS = 3

# Enumerated leaves: a 、-list counts for the leaf when its clause has this shape.
_ENUMERATED: Mapping[str, re.Pattern[str]] = {
    "S5.1": re.compile(r"等(?:各|多个)?(?:行业|领域)$"),  # 覆盖电力、燃气、…等领域
    "E3.1": re.compile(r"联合.+、.+等.*企业"),  # 联合深圳燃气、吉利、…等各领域的企业发布
    "P3.3": re.compile(r"覆盖.*(?:NLP|CV|自然语言处理|计算机视觉|多模态).*、"),
}


@dataclass(frozen=True)
class Candidate:
    """A proposed record before the checks, from the rules or a model.

    Attributes:
        subject: the subject id as proposed.
        indicator: the leaf or gate id as proposed.
        value: the value as proposed (a number, a level, true/false — or anything a model said).
        quote: the quote as proposed.
        finder: ``rules`` or the model's name.
        passage: index of the passage it was found in (``None``: not from a passage).
        unit: the unit as proposed.
        note: why, in words.
        range: ``(low, high)`` when the quote gives a range.
        extra: provenance specific to the finder (prompt hash, request key).
    """

    subject: Any
    indicator: Any
    value: Any
    quote: Any
    finder: str
    passage: int | None = None
    unit: Any = None
    note: Any = None
    range: tuple[float, float] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _find_all(text: str, word: str) -> list[int]:
    hay, needle = (text.lower(), word.lower()) if word.isascii() else (text, word)
    out, at = [], hay.find(needle)
    while at != -1:
        out.append(at)
        at = hay.find(needle, at + 1)
    return out


def subjects_in(text: str, aliases: Mapping[str, Sequence[str]]) -> dict[str, list[int]]:
    """Where each subject is named in ``text`` (offsets of every alias occurrence)."""
    found: dict[str, list[int]] = {}
    for subject, names in aliases.items():
        hits = sorted({h for name in names if len(name) >= 2 for h in _find_all(text, name)})
        if hits:
            found[subject] = hits
    return found


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    cuts = [0, *(m.end() for m in pattern.finditer(text)), len(text)]
    return [(a, b) for a, b in itertools.pairwise(cuts) if b > a]


def _subject_at(
    text: str, clause: tuple[int, int], sentence: tuple[int, int], named: Mapping[str, list[int]]
) -> str | None:
    """The subject named in the clause, else the sentence, else the nearest one before."""
    for lo, hi in (clause, sentence):
        inside = {s: [h for h in hits if lo <= h < hi] for s, hits in named.items()}
        inside = {s: h for s, h in inside.items() if h}
        if len(inside) == 1:
            return next(iter(inside))
        if inside:  # several: the one named last before the clause's end
            return max(inside, key=lambda s: max(inside[s]))
    before = {
        s: max(h for h in hits if h < clause[0])
        for s, hits in named.items()
        if any(clause[0] - _SUBJECT_LOOKBACK <= h < clause[0] for h in hits)
    }
    return max(before, key=lambda s: before[s]) if before else None


def _counter_fits(fig: Figure, terms: LeafTerms) -> bool:
    if fig.counter == "%":
        return terms.leaf.id in ("P6.2", "S2.3") or (
            isinstance(terms.leaf.unit, object) and "比例" in str(terms.leaf.unit)
        )
    if terms.leaf.id in ("P6.2", "S2.3"):
        return False  # shares and uplifts are written with %
    return fig.counter in (None, "大", terms.counter) or terms.counter is None


def _figure_leaves(text: str, fig: Figure, leaves: Mapping[str, LeafTerms]) -> list[str]:
    """Leaves whose noun follows the figure: within a few characters after a counter that fits
    the leaf's (``36 个大模型``), at once after a bare figure (``535万开发者``)."""
    after = text[fig.end : fig.end + _NOUN_WINDOW].lower().lstrip(" 的")
    out = []
    for leaf_id, terms in leaves.items():
        if not terms.nouns or not _counter_fits(fig, terms):
            continue
        counted = fig.counter is not None and fig.counter != "大"
        if any(
            (noun.lower() in after) if counted else after.startswith(noun.lower())
            for noun in terms.nouns
        ):
            out.append(leaf_id)
    return out


def _note(fig: Figure) -> str:
    reading = {
        "exact": "",
        "at_least": " (a lower bound)",
        "approx": " (approximate)",
        "at_most": " (an upper bound)",
    }[fig.qualifier]
    return f"rules: '{fig.text}' read as {fig.value:g}{reading}"


def find_candidates(
    document: Document,
    leaves: Mapping[str, LeafTerms],
    aliases: Mapping[str, Sequence[str]],
    gates: Sequence[str] = (),
) -> list[Candidate]:
    """Rule proposals over the whole document (quotes are folded text of the document)."""
    text = document.normal.text
    named = subjects_in(text, aliases)
    sentences = _spans(_SENTENCE, text)
    out: list[Candidate] = []
    for s_lo, s_hi in sentences:
        out.extend(_shortlist(document, text[s_lo:s_hi], s_lo, aliases, gates))
        for c_lo, c_hi in _spans(_CLAUSE, text[s_lo:s_hi]):
            clause = (s_lo + c_lo, s_lo + c_hi)
            body = text[clause[0] : clause[1]]
            passage = _passage_of(document.passages, clause[0])
            subject = None
            for fig in find_figures(body):
                ids = _figure_leaves(body, fig, leaves)
                if not ids:
                    continue
                subject = subject or _subject_at(text, clause, (s_lo, s_hi), named)
                if subject is None:
                    continue
                for leaf_id in ids:
                    ranged = (fig.low, fig.high) if fig.low != fig.high else None
                    out.append(
                        Candidate(subject, leaf_id, fig.value, body.strip(" .,。"), "rules",
                                  passage, note=_note(fig), range=ranged)
                    )  # fmt: skip
            out.extend(_enumerations(text, body, clause, (s_lo, s_hi), named, leaves, passage))
    return out


def _enumerations(
    text: str,
    body: str,
    clause: tuple[int, int],
    sentence: tuple[int, int],
    named: Mapping[str, list[int]],
    leaves: Mapping[str, LeafTerms],
    passage: int | None,
) -> list[Candidate]:
    items = body.split("、")
    if len(items) < _MIN_ITEMS:
        return []
    joined = re.search(r"[和及与](.*)", items[-1].split("等")[0])
    n = len(items) + (1 if joined and not re.search(r"众多|各|多个", joined.group(1)) else 0)
    body = body.rstrip(" ,.;:!?。；：！？")
    out = []
    for leaf_id, shape in _ENUMERATED.items():
        if leaf_id not in leaves or not shape.search(body):
            continue
        subject = _subject_at(text, clause, sentence, named)
        if subject is None:
            continue
        note = f"rules: the clause lists {n} items separated by 、"
        out.append(Candidate(subject, leaf_id, n, body.strip(" .,。"), "rules", passage, note=note))
    return out


_SHORTLISTED = re.compile(r"入围|遴选|入选|选择了")


def _shortlist(
    document: Document,
    sentence: str,
    offset: int,
    aliases: Mapping[str, Sequence[str]],
    gates: Sequence[str],
) -> list[Candidate]:
    """A sentence that shortlists subjects by name: each passes every entry gate.

    ``通过遴选，报告选择了 5家大模型厂商，分别为商汤、百度、阿里巴巴、华为、腾讯``: a word of
    shortlisting (入围, 遴选, 入选, 选择了), then, in the same or a later clause, a ``、`` list
    naming two or more subjects. The quote runs from the shortlisting clause to the list's end.
    Whether being shortlisted means passing every gate is the study's method to confirm: the
    reviewer decides, as for every proposal.
    """
    trigger = _SHORTLISTED.search(sentence)
    if trigger is None or not gates:
        return []
    clauses = _spans(_CLAUSE, sentence)
    first = next(i for i, (lo, hi) in enumerate(clauses) if lo <= trigger.start() < hi)
    for lo, hi in clauses[first:]:
        body = sentence[lo:hi]
        if body.count("、") < 1:
            continue
        listed = [s for s, names in aliases.items() if subjects_in(body, {s: names})]
        if len(listed) < 2:
            continue
        quote = sentence[clauses[first][0] : hi].strip(" ,.;:!?。；：！？")
        passage = _passage_of(document.passages, offset + lo)
        note = "rules: named in a shortlist, so it passes each entry gate (confirm the method)"
        return [
            Candidate(subject, gate, True, quote, "rules", passage, note=note)
            for subject in listed
            for gate in gates
        ]
    return []


def _passage_of(passages: Sequence[Passage], offset: int) -> int | None:
    for p in passages:
        if p.start <= offset < p.end:
            return p.index
    return None


def select_passages(
    document: Document,
    leaves: Mapping[str, LeafTerms],
    aliases: Mapping[str, Sequence[str]],
    *,
    max_leaves: int = 4,
) -> list[tuple[Passage, list[str], list[str]]]:
    """Passages worth a model request, each with the leaves and subjects it touches.

    A passage qualifies when it names a subject and holds a keyword of at least one leaf; its
    leaves are ranked by how many of their keywords it holds and cut to ``max_leaves``, which
    keeps each prompt short.
    """
    out = []
    for passage in document.passages:
        subjects = list(subjects_in(passage.text, aliases))
        if not subjects:
            continue
        lowered = passage.text.lower()
        hits = {
            leaf_id: sum(1 for k in terms.keywords if k.lower() in lowered)
            for leaf_id, terms in leaves.items()
        }
        ranked = sorted((lid for lid, n in hits.items() if n), key=lambda lid: -hits[lid])
        if ranked:
            out.append((passage, ranked[:max_leaves], subjects))
    return out
