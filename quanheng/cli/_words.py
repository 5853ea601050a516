"""The console's own words in Chinese and English, for the commands that take ``--lang``.

Names (subjects, leaves, profiles) come from the study; only the fixed words of ``recommend``
and ``analyse`` live here, both languages in one table so a missing translation is a
``KeyError`` in the tests, not an English line in a Chinese session.
"""

from __future__ import annotations

from typing import Final

from quanheng.text import Lang

__all__ = ["WORDS", "lang_option", "w"]

WORDS: Final[dict[str, tuple[str, str]]] = {
    # recommend
    "which_vendor": ("{profile}：选哪家？", "Which vendor for {profile}?"),
    "top_picks": ("首选对象", "Top picks"),
    "provisional": ("暂定排序", "Provisional ordering"),
    "draws_seed": ("{draws} 次模拟，随机种子 {seed}", "{draws} draws, seed {seed}"),
    "point_rank": ("点估计名次", "point rank"),
    "subject": ("对象", "subject"),
    "score": ("得分", "score"),
    "interval90": ("90% 区间", "90% interval"),
    "p_best_cov": ("最优概率 · 覆盖率", "P(best) · coverage"),
    "strongest": ("最强的二级指标", "strongest leaves"),
    "over": (
        "{a} 对比 {b}：得分差 {gap}，{p} 的模拟中领先",
        "{a} over {b}: gap {gap}, ahead in {p} of draws",
    ),
    "for_side": (
        "  有利于 {side}：{leaf} {diff}（得分 {a} 对 {b}，权重 {weight}）",
        "  for {side}: {leaf} {diff} (scores {a} vs {b}, weight {weight})",
    ),
    "risks": ("风险", "Risks"),
    "pilots": ("建议试点", "Suggested pilots"),
    "collect_next": ("下一步值得收集的证据", "Evidence worth collecting next"),
    "collect_title": (
        "应收集的二级指标（按信息价值 EVPPI 排序）",
        "Leaves to collect, by expected value of information (EVPPI)",
    ),
    "leaf": ("指标", "leaf"),
    "name": ("名称", "name"),
    "weight": ("权重", "weight"),
    "missing": ("缺失", "missing"),
    "m_of_n": ("{m}/{n}", "{m} of {n}"),
    "evppi": ("EVPPI", "EVPPI"),
    "p_change": ("首选改变概率", "P(pick changes)"),
    "topic_evppi": ("所属主题 EVPPI", "topic EVPPI"),
    "headline_none": ("{profile}：没有可以排名的对象。", "{profile}: no subject can be ranked."),
    "headline_pick": (
        "{name}（最优概率 {p} · 覆盖率 {cov}）",
        "{name} (P(best) {p} · coverage {cov})",
    ),
    "headline_then": ("，其次 ", ", then "),
    "headline_provisional": (
        "本用例证据不足；暂定排序：",
        "insufficient evidence for this use case; provisional ordering: ",
    ),
    "wrote": ("已写入 {path}", "wrote {path}"),
    # analyse
    "analyse_head": (
        "{study} · 权重方案 {profile}（{name}）· {draws} 次模拟，随机种子 {seed}，"
        "权重 {conc}，取值 {values}（{cells} 个不确定格子），缺失格子",
        "{study} · profile {profile} ({name}) · {draws} draws, seed {seed}, weights {conc}, "
        "values {values} ({cells} uncertain cells), missing cells",
    ),
    "drawn_prior": ("按先验抽取（{n} 个格子）", " drawn from the prior ({n} cells)"),
    "left_out": ("不参与抽样", " left out of the draws"),
    "fixed": ("固定", "fixed"),
    "scores_ranks": ("得分与名次概率", "Scores and rank probabilities"),
    "rank": ("名次", "rank"),
    "p_best": ("最优概率", "P(best)"),
    "coverage": ("覆盖率", "coverage"),
    "cells_drawn": ("抽样格子", "cells drawn"),
    "coverage_note": (
        "覆盖率：有数据支撑的权重占比。得分只基于已有数据；区间与概率还会按入围对象和该对象其他指标"
        "推断出的分布抽取每个缺失格子，因此覆盖率低时区间可能偏离得分。",
        "coverage: the share of the weight backed by data. The score is on the data there is; "
        "the interval and the probabilities also draw every missing cell from what the cohort "
        "and the subject's other indicators suggest, so with low coverage the interval can lie "
        "away from the score.",
    ),
    "uncertain_pairs": (
        "[bold]先后不确定的对象对[/]（任一方向都不足 90% 的模拟）：",
        "[bold]Pairs whose order is uncertain[/] (neither way in 90% of draws):",
    ),
    "pair": ("  {a} 在 {p} 的模拟中领先 {b}", "  {a} ahead of {b} in {p} of draws"),
    "pairs_settled": (
        "每一对对象至少在 90% 的模拟中保持先后。",
        "Every pair keeps its order in at least 90% of draws.",
    ),
    "not_ranked": ("未排名：{name}（{sid}）— {reason}", "Not ranked: {name} ({sid}) — {reason}"),
    "sensitivity": (
        "敏感性：每个权重 ±{delta}（同级按比例调整）",
        "Sensitivity: each weight ±{delta} (siblings rescaled)",
    ),
    "node": ("节点", "node"),
    "level": ("层级", "level"),
    "max_change": ("最大得分变化", "max score change"),
    "ranks_changed": ("名次变化数", "ranks changed"),
    "best_at": ("−/+ 时的第一名", "best at −/+"),
    "reversal_title": (
        "使每对相邻对象换位的最小单一权重变化",
        "Smallest single-weight change that reverses each adjacent pair",
    ),
    "pair_col": ("对象对", "pair"),
    "gap": ("差距", "gap"),
    "weight_now": ("现权重 → 换位权重", "weight now → reversal"),
    "no_single": ("没有单一权重能做到", "no single weight"),
    "loo_head": (
        "[bold]去掉后对排名影响最大的二级指标[/]（肯德尔 tau）：",
        "[bold]Leaves whose removal changes the ranking most[/] (Kendall's tau):",
    ),
    "loo_row": (
        "  {leaf} {name}：tau {tau}，第一名 {top}，最大名次变化 {shift}",
        "  {leaf} {name}: tau {tau}, best {top}, largest rank shift {shift}",
    ),
    "loo_none": (
        "去掉任何一个二级指标，排名都不变（肯德尔 tau 为 1）。",
        "Leaving out any one leaf keeps the ranking (Kendall's tau 1).",
    ),
    "methods_title": ("不同聚合方法下的名次", "Ranks by aggregation method"),
    "no_agreement": (
        "没有任何评级格子有两位以上分析师：未测量一致性。",
        "No rubric cell has two or more analysts: agreement not measured.",
    ),
    "undefined": ("未定义", "undefined"),
    "agreement": (
        "分析师在 {dim} 上的一致性：Krippendorff alpha {alpha}，共 {cells} 个格子（{analysts}）",
        "Analyst agreement on {dim}: Krippendorff's alpha {alpha} over {cells} cells ({analysts})",
    ),
    "review": ("  需复核 {subject} × {leaf}：{levels}", "  review {subject} × {leaf}: {levels}"),
}

_INDEX: Final[dict[Lang, int]] = {"zh": 0, "en": 1}


def w(key: str, lang: Lang, **fields: object) -> str:
    """The console phrase ``key`` in ``lang``, with ``{fields}`` filled in."""
    text = WORDS[key][_INDEX[lang]]
    return text.format(**fields) if fields else text


def lang_option(value: str) -> Lang:
    """``--lang`` checked: ``zh`` or ``en``, else an input error naming the choices."""
    if value == "zh":
        return "zh"
    if value == "en":
        return "en"
    from quanheng.errors import InputError

    raise InputError.single("--lang", None, f"unknown language {value!r}", "use zh or en")
