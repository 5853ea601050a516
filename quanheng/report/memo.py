"""A one-page decision memo for one use case, in Chinese or English: what a CIO reads first.

The memo says, in sentences, what :func:`quanheng.analysis.recommend` found for a profile: who
leads, how sure (P(best), always beside the pick's coverage, and how often the leader stays ahead
of the runner-up), on how much evidence; the top picks; the leaves that decide between them;
each pick's strengths and cautions; the risks to the order; the profile's pilot scenarios; and
the evidence to collect next. When the evidence check fails the memo says so first, leads with
the evidence to collect, and labels the ordering provisional.

:func:`build_memo` keeps the :class:`~quanheng.analysis.Recommendation` with the study's
bilingual names as plain data (:class:`MemoData`, language-neutral, picklable for the report's
worker processes); :func:`compose` turns it into one language's sentences (:class:`MemoView`);
the templates ``memo.html.j2`` (with the fragment ``_memo.html.j2`` the report puts at its
front) and ``memo.md.j2`` lay them out. Every word of the memo comes from :data:`WORDS` or the
report's own table (:mod:`.i18n`), so the Chinese memo has no English sentence in it; the names
of subjects, indicators and gates, and the study's pilot scenarios, are the study's.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from pydantic import BaseModel, ConfigDict

from quanheng.errors import InputError
from quanheng.report.i18n import fmt_interval, fmt_pct, fmt_score, t
from quanheng.text import Lang, Name, Text

if TYPE_CHECKING:
    from quanheng.analysis.recommend import Pick, Recommendation, Risk
    from quanheng.report.pdf import PdfEngine
    from quanheng.study import Study

__all__ = [
    "MEMO_COLLECT",
    "MEMO_FORMATS",
    "WORDS",
    "MemoData",
    "MemoView",
    "build_memo",
    "check_formats",
    "compose",
    "memo_fragment_html",
    "memo_stem",
    "reason_texts",
    "render_memo_html",
    "render_memo_markdown",
    "risk_text",
    "w",
    "with_memo",
    "write_memo",
]

MEMO_FORMATS: Final[tuple[str, ...]] = ("html", "pdf", "md")


def check_formats(formats: list[str]) -> None:
    """Refuse an empty list or an unknown memo format, before any work.

    Raises:
        InputError: one line naming the unknown formats and the known ones.
    """
    bad = [f for f in formats if f not in MEMO_FORMATS]
    if bad or not formats:
        raise InputError.single(
            "--format",
            None,
            f"unknown format(s) {', '.join(bad) or '(none)'}",
            f"use any of: {', '.join(MEMO_FORMATS)}",
        )


MEMO_COLLECT: Final = 5
"""Leaves to collect the memo lists (the recommendation's first ones): one page holds five."""
MEMO_DECIDING: Final = 2
"""Deciding leaves the memo names on each side of a trade-off (the recommendation's first)."""

WORDS: Final[dict[str, tuple[str, str]]] = {
    # key: (zh, en)
    "memo": ("决策备忘录", "Decision memo"),
    "meta": (
        "研究 {study} · 权重方案 {profile} · {draws} 次模拟，随机种子 {seed}",
        "Study {study} · profile {profile} · {draws} simulated draws, seed {seed}",
    ),
    "summary": ("结论摘要", "Executive summary"),
    "insufficient": ("本用例证据不足", "Insufficient evidence for this use case"),
    "insufficient_lead": (
        "现有证据不足以为本用例给出结论：{reasons}。以下排序为暂定，请先收集下列证据。",
        "The evidence does not support a verdict for this use case: {reasons}. The ordering "
        "below is provisional; collect the evidence listed first.",
    ),
    "reason_decisive": (
        "承载本用例一半权重的 {n} 个二级指标，入围对象的格子中只有 {x} 有数据（至少需要 {min}）",
        "the {n} leaves carrying half of the profile's weight have data for only {x} of the "
        "ranked subjects' cells (at least {min} needed)",
    ),
    "reason_top": (
        "首选{name}只有 {x} 的权重有数据支撑（至少需要 {min}）",
        "the top pick, {name}, has data for only {x} of the profile's weight (at least {min} "
        "needed)",
    ),
    "reason_none": ("没有可以排名的对象", "no subject can be ranked"),
    "no_pick": (
        "在{profile}用例下没有可以排名的对象。",
        "No subject can be ranked for {profile}.",
    ),
    "lead_low": (
        "{name}在{profile}用例中最优的概率为 {p}，但其证据仅覆盖 {cov} 的权重。",
        "{name} leads for {profile} with a {p} probability of being best, but its evidence "
        "covers only {cov} of the weight.",
    ),
    "lead": (
        "{name}在{profile}用例中最优的概率为 {p}，其证据覆盖 {cov} 的权重。",
        "{name} leads for {profile} with a {p} probability of being best, on evidence covering "
        "{cov} of the weight.",
    ),
    "lead_provisional": (
        "暂定排序中，{name}在{profile}用例中最优的概率为 {p}，但其证据仅覆盖 {cov} 的权重。",
        "In the provisional ordering, {name} leads for {profile} with a {p} probability of "
        "being best, but its evidence covers only {cov} of the weight.",
    ),
    "followers": ("其后为{items}。", "Next come {items}."),
    "follower": ("{name}（最优概率 {p}，覆盖率 {cov}）", "{name} (P(best) {p}, coverage {cov})"),
    "ahead_close": (
        "在 {p} 的模拟权重与取值中，{a}排在{b}之前：二者应视为相近的备选。",
        "{a} is ahead of {b} in only {p} of the simulated weightings and values: treat them as "
        "close alternatives.",
    ),
    "ahead_firm": (
        "在 {p} 的模拟权重与取值中，{a}排在{b}之前。",
        "{a} is ahead of {b} in {p} of the simulated weightings and values.",
    ),
    "evidence_amount": (
        "承载本用例一半权重的 {n} 个二级指标，入围对象的格子中有 {dc} 有数据；"
        "入围对象的证据平均覆盖 {cc} 的权重。",
        "The {n} leaves carrying half of this use case's weight have data for {dc} of the "
        "ranked subjects' cells; on average evidence covers {cc} of a subject's weight.",
    ),
    "picks": ("首选对象", "Top picks"),
    "picks_provisional": ("暂定排序", "Provisional ordering"),
    "point_rank": ("点估计名次", "Point rank"),
    "order": ("序", "#"),
    "picks_note": (
        "按最优概率排序；覆盖率为有证据支撑的权重占比，缺失数据在模拟中按先验抽取。",
        "Ordered by P(best); coverage is the share of the weight backed by evidence; missing "
        "cells are drawn from a prior in the simulation.",
    ),
    "strengths": (
        "优势：相对其他入选对象，{name}在{leaves}上的加权贡献最大。",
        "Strengths: against the other picks, {name} gains most on {leaves}.",
    ),
    "strengths_none": (
        "优势：{name}没有哪项有数据的指标领先其他入选对象。",
        "Strengths: no leaf with data puts {name} ahead of the other picks.",
    ),
    "cautions": ("注意：{items}。", "Cautions: {items}."),
    "cautions_none": ("注意：未发现针对{name}的具体风险。", "Cautions: none found for {name}."),
    "cautions_common": (
        "注意：除下列共同风险外，未发现针对{name}的具体风险。",
        "Cautions: none for {name} beyond the risks common to every pick, below.",
    ),
    "every_pick": ("每个入选对象都是如此：{text}", "For every pick, {text}"),
    "deciding": ("决定取舍的指标", "What decides between them"),
    "tradeoff": (
        "{a}对比{b}（得分差 {gap}，{p} 的模拟中{a}领先）：",
        "{a} against {b} (score difference {gap}; {a} ahead in {p} of draws): ",
    ),
    "tradeoff_for": ("有利于{side}的是{items}", "in favour of {side}: {items}"),
    "tradeoff_none": ("没有有数据的指标能区分二者", "no leaf with data separates them"),
    "tradeoff_item": ("{leaf}（{a} 对 {b}）", "{leaf} ({a} vs {b})"),
    "no_tradeoffs": ("只有一个入选对象，无需取舍。", "Only one pick: nothing to trade off."),
    "risks": ("风险", "Risks"),
    "no_risks": ("未发现影响排序的风险。", "No risk to the order was found."),
    "pilots": ("建议试点", "Suggested pilots"),
    "no_pilots": ("本权重方案没有给出试点场景。", "The profile suggests no pilot scenarios."),
    "collect": ("下一步应收集的证据", "Evidence to collect next"),
    "collect_note": (
        "按信息价值排序：获得该指标的数据后，首选可能改变的程度。",
        "Ordered by the expected value of information: how much knowing the leaf could change "
        "the pick.",
    ),
    "collect_item": (
        "{leaf}：{n} 个对象中 {m} 个缺失；获得后首选改变的概率为 {p}",
        "{leaf}: missing for {m} of {n} subjects; knowing it changes the pick in {p} of draws",
    ),
    "collect_item_weight": (
        "{leaf}：{n} 个对象中 {m} 个缺失；全局权重 {wt}",
        "{leaf}: missing for {m} of {n} subjects; global weight {wt}",
    ),
    "collect_none": ("所有加权指标均已有数据。", "Every weighted leaf has data."),
    # risks
    "risk_thin_gate_all": (
        "全部 {n} 项入围基线各仅有一条记录支撑，需以第二来源核实",
        "all {n} entry gates rest on a single record each; confirm them with a second source",
    ),
    "risk_thin_gate": (
        "{n} 项入围基线中有 {k} 项（{gates}）各仅有一条记录支撑，需以第二来源核实",
        "{k} of {n} entry gates ({gates}) rest on a single record each; confirm them with a "
        "second source",
    ),
    "risk_gate_unknown": (
        "入围基线“{gate}”没有证据，入围前需核实",
        "the gate {gate} has no evidence; verify it before shortlisting",
    ),
    "risk_gate_disputed": (
        "入围基线“{gate}”有争议，入围前需核实",
        "the gate {gate} is disputed; verify it before shortlisting",
    ),
    "risk_low_coverage": (
        "仅 {cov} 的权重有数据支撑，其余得分由同级指标推算",
        "only {cov} of its weight is backed by data, the rest extrapolated from its siblings",
    ),
    "risk_disagreement": (
        "分析师对“{leaf}”意见不一（{levels}），需在评审中确定",
        "analysts disagree on {leaf} ({levels}); settle it in review",
    ),
    "risk_unsettled": (
        "{a}只在 {p} 的模拟权重与取值中排在{b}之前，二者应视为相近的备选",
        "{a} is ahead of {b} in only {p} of the simulated weightings and values; treat them as "
        "close alternatives",
    ),
    "risk_cohort": (
        "{share} 的权重落在按入围对象相对归一化的指标上（{k}/{n} 个）："
        "这些得分只在本组对象之间比较，不是绝对水平",
        "{share} of the weight sits on cohort-relative leaves ({k} of {n}): those scores rank "
        "subjects against this cohort, not against an absolute bar",
    ),
    # list joining
    "and": ("和", " and "),
    "sep": ("、", ", "),
    "semi": ("；", "; "),
}

_INDEX: Final[dict[Lang, int]] = {"zh": 0, "en": 1}


def w(key: str, lang: Lang, **fields: object) -> str:
    """The memo's phrase ``key`` in ``lang``, with ``{fields}`` filled in."""
    text = WORDS[key][_INDEX[lang]]
    return text.format(**fields) if fields else text


def _join(items: Sequence[str], lang: Lang) -> str:
    """``a、b和c`` / ``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    return w("sep", lang).join(items[:-1]) + w("and", lang) + items[-1]


def _floor_pct(x: float) -> str:
    """Whole percent rounded down, as the evidence check states its shares (29.9 % is "29%")."""
    return f"{math.floor(x * 100 + 1e-9)}%"


def _count(n: int, lang: Lang) -> str:
    return f"{n:,}"


# ----------------------------------------------------------------------------- the data


class MemoData(BaseModel):
    """A recommendation with the study's names in both languages: all a memo is made from."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    rec: Any  # Recommendation (kept loose: pydantic would re-validate the nested model)
    title: Name
    profile_name: Name
    description: Text | None
    subjects: dict[str, Name]
    leaves: dict[str, Name]
    gates: dict[str, Name]
    pilots: tuple[Text, ...]

    @property
    def recommendation(self) -> Recommendation:
        """The recommendation this memo states."""
        rec: Recommendation = self.rec
        return rec

    def subject(self, sid: str, lang: Lang) -> str:
        """A subject's name in ``lang`` (its id when the study does not name it)."""
        name = self.subjects.get(sid)
        return name.get(lang) if name is not None else sid

    def leaf(self, lid: str, lang: Lang) -> str:
        """A leaf's name in ``lang`` (its id when unknown)."""
        name = self.leaves.get(lid)
        return name.get(lang) if name is not None else lid

    def gate(self, gid: str, lang: Lang) -> str:
        """A gate's name in ``lang`` (its id when unknown)."""
        name = self.gates.get(gid)
        return name.get(lang) if name is not None else gid


def build_memo(study: Study, rec: Recommendation) -> MemoData:
    """The memo's data: ``rec`` (from :func:`quanheng.analysis.recommend` on ``study``) and the
    study's bilingual names of its subjects, leaves, gates, profile and pilots."""
    prof = study.profile(rec.profile)
    return MemoData(
        rec=rec,
        title=study.spec.title,
        profile_name=prof.name,
        description=prof.description,
        subjects={s.id: s.name for s in study.subjects},
        leaves={leaf.id: leaf.name for leaf in study.framework.leaves},
        gates={g.id: g.name for g in study.framework.gates},
        pilots=tuple(Text(zh=p, en=p) if isinstance(p, str) else p for p in prof.pilots),
    )


# ----------------------------------------------------------------------------- sentences


Esc = Callable[[str], str]


def _plain(text: str) -> str:
    return text


def reason_texts(memo: MemoData, lang: Lang, esc: Esc = _plain) -> list[str]:
    """Why the evidence check failed, one clause each, in ``lang`` (empty when it passed)."""
    from quanheng.analysis.sufficiency import MIN_DECISIVE_COVERAGE, MIN_TOP_COVERAGE

    check = memo.recommendation.check
    if check.evidence == "sufficient":
        return []
    out = []
    if check.decisive_coverage < MIN_DECISIVE_COVERAGE:
        out.append(
            w(
                "reason_decisive",
                lang,
                n=len(check.decisive_leaves),
                x=_floor_pct(check.decisive_coverage),
                min=fmt_pct(MIN_DECISIVE_COVERAGE),
            )
        )
    if check.top is None:
        out.append(w("reason_none", lang))
    elif check.top_coverage < MIN_TOP_COVERAGE:
        out.append(
            w(
                "reason_top",
                lang,
                name=esc(memo.subject(check.top, lang)),
                x=_floor_pct(check.top_coverage),
                min=fmt_pct(MIN_TOP_COVERAGE),
            )
        )
    return out


def risk_text(memo: MemoData, risk: Risk, lang: Lang, esc: Esc = _plain) -> str:
    """One risk as a clause in ``lang``, from its facts (the English message without them)."""
    f = risk.facts
    if not f:  # a risk made without facts: its English message is all there is
        return esc(risk.message)
    if risk.kind == "thin_gate":
        if len(f["gates"]) == f["total"]:
            return w("risk_thin_gate_all", lang, n=f["total"])
        gates = _join([esc(memo.gate(g, lang)) for g in f["gates"]], lang)
        return w("risk_thin_gate", lang, k=len(f["gates"]), n=f["total"], gates=gates)
    if risk.kind == "unverified_gate":
        key = "risk_gate_unknown" if f["status"] == "unknown" else "risk_gate_disputed"
        return w(key, lang, gate=esc(memo.gate(f["gate"], lang)))
    if risk.kind == "low_coverage":
        return w("risk_low_coverage", lang, cov=fmt_pct(f["coverage"]))
    if risk.kind == "disagreement":
        levels = w("sep", lang).join(f"{esc(str(a))} {v:g}" for a, v in f["levels"])
        return w("risk_disagreement", lang, leaf=esc(memo.leaf(f["leaf"], lang)), levels=levels)
    if risk.kind == "unsettled":
        a = esc(memo.subject(risk.subject or "", lang))
        return w(
            "risk_unsettled", lang, a=a, b=esc(memo.subject(f["other"], lang)), p=fmt_pct(f["p"])
        )
    return w("risk_cohort", lang, share=fmt_pct(f["share"]), k=f["leaves"], n=f["total"])


CAUTION_KINDS: Final = ("thin_gate", "unverified_gate", "low_coverage", "disagreement")
"""Risks said of one pick, under it; the others (the order, the cohort) are the memo's risks."""


@dataclass(frozen=True)
class PickView:
    """One pick's row and sentences."""

    position: int
    subject: str
    name: str
    rank: int
    score: str
    interval: str
    p_best: str
    coverage: str
    strengths: str
    cautions: str


@dataclass(frozen=True)
class CollectView:
    """One leaf to collect, as a sentence, with its id for the tests."""

    leaf: str
    text: str


@dataclass(frozen=True)
class MemoView:
    """The memo in one language: headings, sentences and the facts they state."""

    lang: Lang
    title: str
    heading: str
    meta: str
    description: str
    provisional: bool
    alert: str
    summary: list[str]
    picks_heading: str
    picks: list[PickView]
    deciding: list[str]
    risks: list[str]
    pilots: list[str]
    collect: list[CollectView]
    leader: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)

    def words(self, key: str, **fields: object) -> str:
        """A memo phrase (or, failing that, a report phrase) in this view's language."""
        return w(key, self.lang, **fields) if key in WORDS else t(key, self.lang, **fields)


def _cautions(memo: MemoData, p: Pick, lang: Lang, esc: Esc) -> list[str]:
    return [
        risk_text(memo, r, lang, esc)
        for r in memo.recommendation.risks
        if r.subject == p.subject and r.kind in CAUTION_KINDS
    ]


def _common_cautions(memo: MemoData, lang: Lang, esc: Esc) -> list[str]:
    """Cautions every pick has (two picks or more): said once, among the risks."""
    picks = memo.recommendation.picks
    if len(picks) < 2:
        return []
    each = [_cautions(memo, p, lang, esc) for p in picks]
    return [c for c in each[0] if all(c in other for other in each[1:])]


def _pick_view(
    memo: MemoData, p: Pick, pos: int, lang: Lang, esc: Esc, common: Sequence[str]
) -> PickView:
    name = esc(memo.subject(p.subject, lang))
    if p.strengths:
        leaves = _join([esc(memo.leaf(lid, lang)) for lid in p.strengths], lang)
        strengths = w("strengths", lang, name=name, leaves=leaves)
    else:
        strengths = w("strengths_none", lang, name=name)
    cautions = [c for c in _cautions(memo, p, lang, esc) if c not in common]
    return PickView(
        position=pos,
        subject=p.subject,
        name=name,
        rank=p.rank,
        score=fmt_score(p.score),
        interval=fmt_interval(*p.interval),
        p_best=fmt_pct(p.p_best),
        coverage=fmt_pct(p.coverage),
        strengths=strengths,
        cautions=w("cautions", lang, items=w("semi", lang).join(cautions))
        if cautions
        else w("cautions_common" if common else "cautions_none", lang, name=name),
    )


def _summary(memo: MemoData, lang: Lang, esc: Esc) -> list[str]:
    from quanheng.analysis.recommend import LOW_COVERAGE, SETTLED

    rec = memo.recommendation
    profile = esc(memo.profile_name.get(lang))
    if not rec.picks:
        return [w("no_pick", lang, profile=profile)]
    first, rest = rec.picks[0], rec.picks[1:]
    key = (
        "lead_provisional"
        if rec.provisional
        else ("lead_low" if first.coverage < LOW_COVERAGE else "lead")
    )
    out = [
        w(
            key,
            lang,
            name=esc(memo.subject(first.subject, lang)),
            profile=profile,
            p=fmt_pct(first.p_best),
            cov=fmt_pct(first.coverage),
        )
    ]
    if rest:
        items = [
            w(
                "follower",
                lang,
                name=esc(memo.subject(p.subject, lang)),
                p=fmt_pct(p.p_best),
                cov=fmt_pct(p.coverage),
            )
            for p in rest
        ]
        out[-1] += (" " if lang == "en" else "") + w("followers", lang, items=_join(items, lang))
    if rec.tradeoffs:
        tr = rec.tradeoffs[0]
        out.append(
            w(
                "ahead_close" if tr.p_a_ahead < SETTLED else "ahead_firm",
                lang,
                a=esc(memo.subject(tr.a, lang)),
                b=esc(memo.subject(tr.b, lang)),
                p=fmt_pct(tr.p_a_ahead),
            )
        )
    check = rec.check
    out.append(
        w(
            "evidence_amount",
            lang,
            n=len(check.decisive_leaves),
            dc=fmt_pct(check.decisive_coverage),
            cc=fmt_pct(check.cohort_coverage),
        )
    )
    return out


def _deciding(memo: MemoData, lang: Lang, esc: Esc) -> list[str]:
    rec = memo.recommendation
    if not rec.tradeoffs:
        return [w("no_tradeoffs", lang)] if rec.picks else []
    out = []
    for tr in rec.tradeoffs:
        a, b = esc(memo.subject(tr.a, lang)), esc(memo.subject(tr.b, lang))
        sides = []
        for side, items in ((a, tr.favours_a), (b, tr.favours_b)):
            if not items:
                continue
            named = [
                w(
                    "tradeoff_item",
                    lang,
                    leaf=esc(memo.leaf(c.leaf, lang)),
                    a=fmt_score(c.score_a, 2),
                    b=fmt_score(c.score_b, 2),
                )
                for c in items[:MEMO_DECIDING]
            ]
            sides.append(w("tradeoff_for", lang, side=side, items=w("sep", lang).join(named)))
        head = w("tradeoff", lang, a=a, b=b, gap=f"{tr.gap:+.3f}", p=fmt_pct(tr.p_a_ahead))
        body = w("semi", lang).join(sides) if sides else w("tradeoff_none", lang)
        out.append(head + body + ("。" if lang == "zh" else "."))
    return out


def _collect(memo: MemoData, lang: Lang, esc: Esc) -> list[CollectView]:
    out = []
    for c in memo.recommendation.collect[:MEMO_COLLECT]:
        leaf = f"{c.leaf} {esc(memo.leaf(c.leaf, lang))}"
        if c.p_pick_changes is not None:
            text = w(
                "collect_item",
                lang,
                leaf=leaf,
                m=c.missing,
                n=c.subjects,
                p=fmt_pct(c.p_pick_changes),
            )
        else:
            text = w(
                "collect_item_weight",
                lang,
                leaf=leaf,
                m=c.missing,
                n=c.subjects,
                wt=fmt_score(c.weight),
            )
        out.append(CollectView(leaf=c.leaf, text=text))
    return out


def compose(memo: MemoData, lang: Lang, esc: Esc = _plain) -> MemoView:
    """The memo in ``lang``: every heading and sentence, user text passed through ``esc``
    (identity for HTML, whose template autoescapes; :func:`~.escape.md_text` for Markdown)."""
    rec = memo.recommendation
    profile = memo.profile_name.get(lang)
    reasons = reason_texts(memo, lang, esc)
    alert = w("insufficient_lead", lang, reasons=w("semi", lang).join(reasons)) if reasons else ""
    # The leader's order against the runner-up is the summary's second sentence already.
    said = (rec.tradeoffs[0].a, "unsettled") if rec.tradeoffs else None
    common = _common_cautions(memo, lang, esc)
    risks = [w("every_pick", lang, text=c) for c in common] + [
        risk_text(memo, r, lang, esc)
        for r in rec.risks
        if r.kind not in CAUTION_KINDS and (r.subject, r.kind) != said
    ]
    end = "。" if lang == "zh" else "."
    risks = [(r[:1].upper() + r[1:] if lang == "en" else r) + end for r in risks]
    return MemoView(
        lang=lang,
        title=esc(f"{w('memo', lang)} · {profile}"),
        heading=esc(profile),
        meta=w(
            "meta",
            lang,
            study=esc(rec.study),
            profile=esc(rec.profile),
            draws=_count(rec.draws, lang),
            seed=rec.seed,
        ),
        description=esc(memo.description.get(lang)) if memo.description is not None else "",
        provisional=rec.provisional,
        alert=alert,
        summary=_summary(memo, lang, esc),
        picks_heading=w("picks_provisional" if rec.provisional else "picks", lang),
        picks=[_pick_view(memo, p, k, lang, esc, common) for k, p in enumerate(rec.picks, 1)],
        deciding=_deciding(memo, lang, esc),
        risks=risks,
        pilots=[esc(p.get(lang)) for p in memo.pilots],
        collect=_collect(memo, lang, esc),
        leader=rec.picks[0].subject if rec.picks else None,
        facts={
            "picks": [(p.subject, p.p_best, p.coverage) for p in rec.picks],
            "evidence": rec.evidence,
        },
    )


# ----------------------------------------------------------------------------- rendering


def _render(kind: str, template: str, memo: MemoData, lang: Lang) -> str:
    from quanheng.report.escape import md_text
    from quanheng.report.fonts import CSS_FONT_STACK
    from quanheng.report.templating import context, environment

    view = compose(memo, lang, md_text if kind == "md" else _plain)
    env = environment("md" if kind == "md" else "html")
    return env.get_template(template).render(
        context(lang), memo=view, w=view.words, font_stack=CSS_FONT_STACK
    )


def render_memo_html(memo: MemoData, lang: Lang) -> str:
    """The memo as one self-contained HTML page (no network: no links, no images)."""
    return _render("html", "memo.html.j2", memo, lang)


def memo_fragment_html(memo: MemoData, lang: Lang) -> str:
    """The memo as a ``<section>`` with its own scoped style, for the front of a report."""
    return _render("html", "_memo.html.j2", memo, lang)


def render_memo_markdown(memo: MemoData, lang: Lang) -> str:
    """The memo as Markdown (user text escaped)."""
    return _render("md", "memo.md.j2", memo, lang)


def with_memo(html: str, fragment: str) -> str:
    """A report page with the memo's fragment first in its body."""
    at = html.find("<body>")
    if at < 0:
        return fragment + html
    at += len("<body>")
    return html[:at] + "\n" + fragment + html[at:]


def memo_stem(memo: MemoData, lang: Lang) -> str:
    """File name stem of a memo: ``{study}.{profile}.memo.{lang}``."""
    rec = memo.recommendation
    return f"{rec.study}.{rec.profile}.memo.{lang}"


def write_memo(
    memo: MemoData,
    out: Path,
    *,
    langs: Iterable[Lang] = ("zh",),
    formats: Iterable[str] = ("pdf",),
    pdf_engine: PdfEngine = "auto",
) -> list[Path]:
    """Write the memo in each language and format under ``out``; return the files.

    Raises:
        InputError: an unknown format.
        EnvironmentProblem: the fonts (or, for PDF, every PDF engine) are missing.
    """
    from quanheng.report import pdf
    from quanheng.report.fonts import require_fonts
    from quanheng.report.output import prepare_output_dir, write_atomic

    fmts = list(formats)
    check_formats(fmts)
    require_fonts()
    prepare_output_dir(out)
    written = []
    for lang in langs:
        stem = memo_stem(memo, lang)
        html = render_memo_html(memo, lang) if {"html", "pdf"} & set(fmts) else ""
        if "html" in fmts:
            written.append(write_atomic(out / f"{stem}.html", html))
        if "pdf" in fmts:
            written.append(write_atomic(out / f"{stem}.pdf", pdf.render_pdf(html, pdf_engine)))
        if "md" in fmts:
            written.append(write_atomic(out / f"{stem}.md", render_memo_markdown(memo, lang)))
    return written
