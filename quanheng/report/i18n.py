"""The report's own words in Chinese and English.

Names of subjects, indicators, gates and profiles come from the framework and the study; only
the report's fixed phrases (headings, column titles, notes) live here, so both languages are
built from one table and a missing translation is a ``KeyError`` caught by the tests, not a
silently English page in the Chinese report.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from typing import Final

from quanheng.text import Lang

__all__ = [
    "LANGS",
    "STRINGS",
    "drawable",
    "fmt_interval",
    "fmt_number",
    "fmt_pct",
    "fmt_range",
    "fmt_score",
    "fmt_value",
    "glyph_name",
    "plain_quote",
    "setting",
    "t",
]

LANGS: Final[tuple[Lang, ...]] = ("zh", "en")

STRINGS: Final[dict[str, tuple[str, str]]] = {
    # key: (zh, en)
    "report": ("评估报告", "Evaluation report"),
    "contents": ("目录", "Contents"),
    "framework": ("评价框架", "Framework"),
    "profile": ("权重方案", "Profile"),
    "study": ("研究", "Study"),
    "landscape": ("竞争力格局", "Competitive landscape"),
    "landscape_note": (
        "横轴、纵轴与气泡大小为框架指定的维度得分；参考线为入围厂商的中位数；"
        "误差线为模拟得到的 90% 区间。",
        "Axes and bubble size are the dimension scores the framework names; guide lines mark the "
        "cohort median; error bars are the simulated 90% intervals.",
    ),
    "landscape_no_uncertainty": (
        "未提供模拟结果，图中不显示不确定性。",
        "No simulation result was given, so the chart shows no uncertainty.",
    ),
    "quad_tr": ("领导者", "Leaders"),
    "quad_tl": ("挑战者", "Challengers"),
    "quad_br": ("远见者", "Visionaries"),
    "quad_bl": ("特定领域者", "Niche players"),
    "bubble": ("气泡大小", "Bubble size"),
    "screened_out": ("未通过入围基线", "Screened out by the gates"),
    "screened_none": ("无", "None"),
    "fails": ("未通过", "fails"),
    "ranking": ("排名", "Ranking"),
    "rank": ("名次", "Rank"),
    "subject": ("对象", "Subject"),
    "overall": ("总分", "Overall"),
    "interval90": ("90% 区间", "90% interval"),
    "p_best": ("最优概率", "P(best)"),
    "coverage": ("覆盖率", "Coverage"),
    "status": ("状态", "Status"),
    "status_ranked": ("参与排名", "ranked"),
    "cohort_vendor": ("厂商（在厂商之间排名）", "Vendors (ranked among vendors)"),
    "cohort_model": ("模型（在模型之间排名）", "Models (ranked among models)"),
    "status_flagged": ("有标记", "flagged"),
    "status_excluded": ("已排除", "excluded"),
    "status_unranked": ("未排名", "unranked"),
    "reason_unranked": ("无任何指标证据", "no indicator evidence"),
    "cohort_short_vendor": ("厂商", "vendors"),
    "cohort_short_model": ("模型", "models"),
    "warnings": ("注意：本排名的解读受限", "Caution: read this ranking with care"),
    "warn_geometric": (
        "几何平均聚合：{n}/{total} 个参与排名的对象有得分为 0 的二级指标（{cause}），"
        "一个 0 会把其上各级得分拉到约 0——请改用算术平均，或 missing=drop。",
        "geometric aggregation: {n} of {total} ranked subjects have a leaf scoring 0 ({cause}), "
        "and a 0 pulls every node above it to ≈ 0 — use arithmetic aggregation, or missing=drop",
    ),
    "warn_cause_worst": (
        "missing=worst 把每个缺失的二级指标计为 0",
        "missing=worst counts each missing leaf as 0",
    ),
    "warn_cause_minmax": (
        "min–max 刻度最低端的指标得 0",
        "a leaf at the bottom of a min–max scale scores 0",
    ),
    "warn_noise": (
        "{n}/{total} 个参与排名的对象总分低于 0.001：它们之间的先后只是浮点误差，不是排名。",
        "{n} of {total} ranked subjects score below 0.001 overall: their order among themselves "
        "is floating-point noise, not a ranking",
    ),
    "lone_reference": (
        "同组仅 {n} 个对象报告此项：按参考区间 {scale} 评分",
        "reported by only {n} of the cohort: scored on the reference range {scale}",
    ),
    "lone_shrunk": (
        "同组仅 {n} 个对象报告此项：向中间收缩（区间 {scale}）",
        "reported by only {n} of the cohort: shrunk to the middle (scale {scale})",
    ),
    "lone_log": ("，对数刻度", ", log scale"),
    "lone_mark": ("◆", "◆"),
    "lone_legend": (
        "同组少于 3 个数值：按参考区间评分或向中间收缩",
        "fewer than 3 values in the cohort: reference range or shrunk",
    ),
    "lone_note": (
        "◆ 标记的格子所在指标在同组中少于 3 个对象有数据，不按组内最小–最大归一化，"
        "而按框架的参考区间评分（无参考区间时向中间收缩）。",
        "Cells marked ◆ are leaves that fewer than 3 of the cohort report: they are scored on "
        "the framework's reference range (or shrunk to the middle without one), not min–max "
        "within the cohort.",
    ),
    "sparse_leaves": ("数据稀少的指标", "Sparsely reported leaves"),
    "not_placed": ("未能定位", "Not placed"),
    "no_evidence_on": ("无证据：{dims}", "no evidence on {dims}"),
    "no_size": ("气泡大小未知（灰色小点）", "Bubble size unknown (small grey dot)"),
    "hollow_note": (
        "空心气泡：覆盖率低于 {pct}",
        "Hollow bubble: coverage below {pct}",
    ),
    "label_coverage": ("标签中百分比为覆盖率", "Percentages in labels are coverage"),
    "cov_short": ("覆盖率 {pct}", "coverage {pct}"),
    "ranking_note": (
        "覆盖率为有证据支撑的权重占比；缺失数据不计为零分，按框架的缺失数据策略处理。",
        "Coverage is the share of weight backed by evidence; missing data never counts as zero "
        "but follows the framework's missing-data policy.",
    ),
    "cohort_note": (
        "{n}/{total} 个二级指标按入围对象相对归一化，其得分取决于参与比较的对象。",
        "{n} of {total} leaves are normalised relative to the cohort, so their scores depend on "
        "who is compared.",
    ),
    "charts": ("图表", "Charts"),
    "radar": ("一级指标雷达图", "First-level indicators (radar)"),
    "radar_cohort": ("入围中位数", "Cohort median"),
    "heatmap": ("二级指标热力图", "Heatmap of all leaves"),
    "heatmap_note": (
        "斜线灰格表示无数据（缺失），不是低分。",
        "Hatched grey cells have no data (missing); they are not low scores.",
    ),
    "missing": ("缺失", "missing"),
    "score": ("得分", "Score"),
    "rank_prob": ("名次概率", "Rank probabilities"),
    "rank_prob_note": (
        "每行为该对象在模拟中取得各名次的概率。",
        "Each row shows how often the subject took each rank in the simulation.",
    ),
    "rank_k": ("第 {k} 名", "rank {k}"),
    "probability": ("概率", "Probability"),
    "tornado": ("敏感性分析（龙卷风图）", "Sensitivity (tornado)"),
    "tornado_note": (
        "条形为参数在其区间两端取值时目标得分的变化。",
        "Bars show how the target score moves when each parameter goes to either end of its range.",
    ),
    "tornado_low": ("取低值", "low"),
    "tornado_high": ("取高值", "high"),
    "change": ("得分变化", "Change in score"),
    "no_analysis": (
        "未提供模拟结果：名次概率、90% 区间与敏感性分析从略（运行 quanheng analyse）。",
        "No simulation result was given: rank probabilities, 90% intervals and sensitivity are "
        "left out (run quanheng analyse).",
    ),
    "subjects": ("逐个对象", "Subjects"),
    "strengths": ("优势", "Strengths"),
    "weaknesses": ("短板", "Weaknesses"),
    "sw_note": (
        "相对入围对象均值、按全局权重计的贡献最大（最小）的二级指标。",
        "Leaves that lift (sink) the subject most relative to the cohort mean, weighted by "
        "global weight.",
    ),
    "indicator": ("指标", "Indicator"),
    "value": ("数值", "Value"),
    "normalised": ("归一化", "Normalised"),
    "vs_cohort": ("相对均值", "vs cohort"),
    "contribution": ("加权贡献", "Weighted effect"),
    "gates": ("入围基线", "Gates"),
    "gate": ("基线", "Gate"),
    "gate_pass": ("通过", "pass"),
    "gate_fail": ("未通过", "fail"),
    "gate_unknown": ("无证据", "unknown"),
    "gate_disputed": ("有争议", "disputed"),
    "evidence": ("证据", "Evidence"),
    "measured": ("实测结果", "Measured results"),
    "measured_none": ("无实测结果。", "No measured results."),
    "none": ("无", "none"),
    "dimension_scores": ("维度得分", "Dimension scores"),
    "evidence_appendix": ("附录一：证据", "Appendix A: Evidence"),
    "evidence_note": (
        "报告中每个数字背后的全部证据记录，按对象与指标排列。",
        "Every record behind a number in this report, by subject and indicator.",
    ),
    "imported_title": ("导入与重复的实测值", "Imported and repeated measurements"),
    "imported_note": (
        "从其他评测框架导入（quanheng import）或被测量不止一次的实测格子：每个测量值及其来源。"
        "第一行是评分采用的值；其余并列展示，不做合并。",
        "Measured cells imported from other harnesses (quanheng import), or measured more than "
        "once: every measurement and where it came from. The first row is the value the score "
        "uses; the others are shown beside it, not merged.",
    ),
    "imported_origin": ("来源", "Origin"),
    "imported_interval": ("区间方法", "Interval"),
    "imported_used": ("采用", "Used"),
    "imported_yes": ("是", "yes"),
    "imported_no": ("否（冲突，未合并）", "no (conflict, not merged)"),
    "imported_own": ("quanheng 自己的测量", "quanheng's own run"),
    "imported_ran": ("运行于", "ran"),
    "imported_at": ("导入于", "imported"),
    "imported_preferred": ("（--prefer imported）", " (--prefer imported)"),
    "iv_bootstrap": ("逐样本自助法", "bootstrap over samples"),
    "iv_stderr": ("文件报告的标准误", "the file's stderr"),
    "iv_wilson": ("由 n 得 Wilson 区间", "Wilson, from n"),
    "iv_none": ("无区间", "none"),
    "imported_method": ("导入的实测值", "Imported measurements"),
    "imported_method_text": (
        "导入值按文件的 SHA-256 只存一次。区间为 90%：文件有逐样本结果时，用与 quanheng 自测相同的"
        "自助法（2,000 次重抽样）；否则用文件报告的标准误（值 ± 1.645 × 标准误）；"
        "两者皆无时，用由 n "
        "计算的 Wilson 区间。同一对象的同一指标有多个测量值时，以 --prefer imported 导入的值优先，"
        "其次是 quanheng 自己的测量，再次是最近一次导入；其余值在附录一中并列展示，不做合并。",
        "Imported values are stored once per file SHA-256. Intervals are 90%: where the file has "
        "per-sample results, the same bootstrap as quanheng's own runs (2,000 resamples); else "
        "the file's reported standard error (value ± 1.645 × se); with neither, a Wilson "
        "interval from n. Where a leaf of a subject was measured more than once, a value "
        "imported with --prefer imported comes first, then quanheng's own run, then the most "
        "recent import; the others are shown beside it in Appendix A, never merged.",
    ),
    "source": ("来源", "Source"),
    "date": ("日期", "Date"),
    "publisher": ("发布方", "Publisher"),
    "quote": ("原文引述", "Quote"),
    "analyst": ("分析师", "Analyst"),
    "note": ("备注", "Note"),
    "ref": ("位置", "Location"),
    "digest": ("内容哈希", "Digest"),
    "range": ("区间", "Range"),
    "method_appendix": ("附录二：方法", "Appendix B: Method"),
    "tree": ("指标体系与权重", "Indicator tree and weights"),
    "id": ("编号", "Id"),
    "name": ("名称", "Name"),
    "kind": ("类型", "Kind"),
    "kind_measured": ("实测", "measured"),
    "kind_fact": ("事实", "fact"),
    "kind_rubric": ("评级", "rubric"),
    "direction": ("方向", "Direction"),
    "dir_higher": ("越高越好", "higher is better"),
    "dir_lower": ("越低越好", "lower is better"),
    "weight": ("本级权重", "Local weight"),
    "global_weight": ("全局权重", "Global weight"),
    "normalisation": ("归一化", "Normalisation"),
    "profile_weights": ("权重方案的调整", "Weights the profile changes"),
    "profile_none": ("使用框架自身的权重。", "Uses the framework's own weights."),
    "pilots": ("建议试点", "Suggested pilots"),
    "missing_policy": ("缺失数据策略", "Missing-data policy"),
    "missing_drop": (
        "缺失的二级指标对该对象不计入，其同级指标权重按比例放大；覆盖率随之降低。",
        "A missing leaf is dropped for that subject and its siblings' weights are rescaled; "
        "coverage drops accordingly.",
    ),
    "missing_worst": (
        "缺失值按入围对象中的最差值计。",
        "A missing value counts as the cohort's worst value.",
    ),
    "missing_median": (
        "缺失值按入围对象的中位数计。",
        "A missing value counts as the cohort's median.",
    ),
    "aggregation": ("聚合方式", "Aggregation"),
    "agg_arithmetic": ("加权算术平均", "weighted arithmetic mean"),
    "agg_geometric": ("加权几何平均", "weighted geometric mean"),
    "gate_policy": ("基线策略", "Gate policy"),
    "gate_policy_exclude": (
        "未通过基线的对象不参与排名。",
        "Subjects that fail a gate are excluded from the ranking.",
    ),
    "gate_policy_flag": (
        "未通过基线的对象参与排名但加以标记。",
        "Subjects that fail a gate are ranked with a flag.",
    ),
    "consistency": ("一致性比率", "Consistency ratios"),
    "consistency_none": (
        "本权重方案直接给定权重，没有两两比较判断，因此不适用一致性比率。",
        "This profile sets its weights directly, with no pairwise judgements, so no consistency "
        "ratio applies.",
    ),
    "provenance": ("方法来源", "Provenance"),
    "from_source": ("出自来源", "From the source"),
    "reconstructed": ("本项目重构", "Reconstructed"),
    "simulation": ("模拟设置", "Simulation"),
    "hashes": ("内容哈希（复现用）", "Content hashes (for reproduction)"),
    "hashes_note": (
        "以下 SHA-256 前缀可核对本报告所用的框架、证据与运行数据。",
        "These SHA-256 prefixes identify the framework, evidence and run data this report used.",
    ),
    "reproduce": ("复现命令", "Reproduce with"),
    "cohort_mean": ("入围均值", "cohort mean"),
    "page": ("第 {n} 页", "page {n}"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "colon": ("：", ": "),
    "as_of": (
        "证据截至 {date}（所引来源的最新日期）",
        "Evidence as of {date} (the latest source date cited)",
    ),
    "screened_why": ("未入围的依据", "Why they were screened out"),
    "criteria": ("指标定义与评分标准", "Criteria: definitions and scoring"),
    "criteria_note": (
        "每个二级指标的定义、单位与归一化方式；评级指标列出 0–5 各等级的描述，"
        "证据按所符合的等级记分。",
        "Each leaf's definition, unit and normalisation; rubric leaves list the descriptor of "
        "every level 0–5, and evidence scores the level whose descriptor it meets.",
    ),
    "definition": ("定义", "Definition"),
    "unit": ("单位", "unit"),
    "reference_basis": ("参考区间依据", "Reference range"),
    "levels": ("等级描述", "Level descriptors"),
    "draws": ("模拟次数", "draws"),
    "seed": ("随机种子", "seed"),
    "setting_concentration": ("权重集中度", "concentration"),
    "setting_value_model": ("数值模型", "value model"),
    "setting_uncertain_cells": ("有不确定性的单元格", "uncertain cells"),
    "setting_sensitivity_delta": ("敏感性幅度", "sensitivity delta"),
    "setting_digest_framework": ("框架", "framework"),
    "setting_digest_evidence": ("证据", "evidence"),
    "setting_digest_runs": ("实测运行", "runs"),
    "setting_digest_scorecard": ("评分卡", "scorecard"),
    "setting_digest_analysis": ("模拟分析", "analysis"),
}

_INDEX: Final[dict[Lang, int]] = {"zh": 0, "en": 1}


def t(key: str, lang: Lang, **fields: object) -> str:
    """The phrase ``key`` in ``lang``, with ``{fields}`` filled in."""
    text = STRINGS[key][_INDEX[lang]]
    return text.format(**fields) if fields else text


def setting(key: str, lang: Lang) -> str:
    """A setting's or a content hash's label in ``lang`` (the key itself when it has none)."""
    k = "setting_" + key.replace(" ", "_")
    return t(k, lang) if k in STRINGS else key


def fmt_score(x: float | None, digits: int = 3) -> str:
    """A score with fixed digits; missing is an em dash, never zero."""
    if x is None or math.isnan(x):
        return "—"
    return f"{x:.{digits}f}"


def fmt_pct(x: float | None, digits: int = 0) -> str:
    """A share as a percentage; missing is an em dash."""
    if x is None or math.isnan(x):
        return "—"
    return f"{x:.{digits}%}"


def fmt_interval(low: float | None, high: float | None, digits: int = 3) -> str:
    """``[low, high]``, or an em dash when either end is unknown."""
    if low is None or high is None or math.isnan(low) or math.isnan(high):
        return "—"
    return f"[{low:.{digits}f}, {high:.{digits}f}]"


# --------------------------------------------------------------------------- readable numbers

# (from, divide by, suffix): English reads thousands as K only from 10 000, like 万
_ZH_SCALE: Final = ((1e12, 1e12, "万亿"), (1e8, 1e8, "亿"), (1e4, 1e4, "万"))
_EN_SCALE: Final = ((1e12, 1e12, " T"), (1e9, 1e9, " B"), (1e6, 1e6, " M"), (1e4, 1e3, " K"))


def _decimals(x: float, sig: int) -> int:
    """Decimals that show ``x`` to ``sig`` significant digits (none for large numbers)."""
    if x == 0 or not math.isfinite(x):
        return 0
    return max(0, sig - 1 - math.floor(math.log10(abs(x))))


def _plain(x: float, decimals: int, *, thousands: bool = False) -> str:
    text = f"{x:,.{decimals}f}" if thousands else f"{x:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _scale(x: float, lang: Lang) -> tuple[float, str]:
    """The unit of the scale ``x`` is read in: 万/亿/万亿 in Chinese, K/M/B/T in English."""
    for start, base, suffix in _ZH_SCALE if lang == "zh" else _EN_SCALE:
        if abs(x) >= start:
            return base, suffix
    return 1.0, ""


def fmt_number(x: float, lang: Lang, sig: int = 4, *, decimals: int | None = None) -> str:
    """A number as a reader writes it: 535万 / 5.35 M, 5500亿 / 550 B, 0.22, 79.02.

    At most ``sig`` significant digits (trailing zeros dropped); numbers from 10 000 on are
    read in 万/亿/万亿 (Chinese) or K/M/B/T (English). ``decimals`` fixes the decimals of a
    number below 10 000 instead (so both ends of an interval are rounded like its value).
    """
    if math.isnan(x):
        return "—"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    base, suffix = _scale(x, lang)
    if suffix:
        v = x / base
        return _plain(v, _decimals(v, sig)) + suffix
    d = decimals if decimals is not None else _decimals(x, sig)
    return _plain(round(x, d), d, thousands=lang == "en" and abs(x) >= 1000)


def fmt_value(x: bool | float | None, lang: Lang, sig: int = 4) -> str:
    """A raw value: 是/否 (yes/no) for a gate, else :func:`fmt_number`; missing is an em dash."""
    if x is None:
        return "—"
    if isinstance(x, bool):
        return t("yes" if x else "no", lang)
    return fmt_number(float(x), lang, sig)


def fmt_range(
    low: float | None, high: float | None, lang: Lang, like: float | None = None, sig: int = 4
) -> str:
    """``[low, high]`` rounded as ``like`` (the value it brackets) is: [0.19, 0.26] for 0.22."""
    if low is None or high is None or math.isnan(low) or math.isnan(high):
        return "—"
    usable = like is not None and math.isfinite(like) and like != 0
    ref = like if usable and like is not None else max(abs(low), abs(high))
    d = _decimals(ref, sig) if abs(ref) < 1e4 else None
    return f"[{fmt_number(low, lang, sig, decimals=d)}, {fmt_number(high, lang, sig, decimals=d)}]"


# --------------------------------------------------------------------------- quotes and glyphs

_MD_TABLE_RULE: Final = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_MD_EMPHASIS: Final = re.compile(r"(\*\*|__)(.+?)\1")
_MD_HEADING: Final = re.compile(r"^\s{0,3}#{1,6}\s+")
_INVISIBLE: Final = frozenset("\ufe0e\ufe0f\u200d")


def plain_quote(text: str) -> str:
    """A quote as a reader should see it: Markdown markup removed, the words kept verbatim.

    Bold/italic markers (``**``, ``__``), backticks and headings' ``#`` are dropped; a table
    row ``| a | b |`` reads ``a · b`` and a table's rule line (``|---|---|``) goes. The stored
    quote (and its digest) is never changed: this is for display only.
    """
    lines = []
    for line in text.splitlines() or [text]:
        if _MD_TABLE_RULE.match(line) and "-" in line:
            continue
        stripped = line.strip()
        if stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 1:
            cells = [c.strip() for c in stripped[1:-1].split("|")]
            line = " · ".join(c for c in cells if c)
        line = _MD_HEADING.sub("", line)
        line = _MD_EMPHASIS.sub(r"\2", line).replace("`", "").replace("**", "")
        lines.append(line)
    return "\n".join(lines).strip()


_GLYPH_NAMES: Final[dict[str, tuple[str, str]]] = {
    "🏅": ("奖牌", "medal"),
    "🥇": ("金牌", "gold medal"),
    "🥈": ("银牌", "silver medal"),
    "🥉": ("铜牌", "bronze medal"),
    "🏆": ("奖杯", "trophy"),
    "⭐": ("星", "star"),
    "🌟": ("星", "star"),
    "🔥": ("火", "fire"),
    "👍": ("赞", "thumbs up"),
    "✅": ("勾", "check mark"),
    "❌": ("叉", "cross mark"),
    "🚀": ("火箭", "rocket"),
    "💡": ("灯泡", "light bulb"),
    "📈": ("上升趋势", "chart increasing"),
    "📉": ("下降趋势", "chart decreasing"),
    "🎉": ("庆祝", "party popper"),
}


def glyph_name(char: str, lang: Lang) -> str:
    """What a character the fonts cannot draw is shown as instead: ``[奖牌]`` / ``[medal]``."""
    if char in _GLYPH_NAMES:
        return f"[{_GLYPH_NAMES[char][0 if lang == 'zh' else 1]}]"
    name = unicodedata.name(char, "").lower()
    if lang == "zh" or not name:
        return f"[符号 U+{ord(char):04X}]" if lang == "zh" else f"[U+{ord(char):04X}]"
    return f"[{name}]"


def drawable(text: str, lang: Lang, missing: Callable[[str], set[str]]) -> str:
    """``text`` with every character ``missing`` reports (no glyph in the report fonts) replaced
    visibly by :func:`glyph_name`, and emoji presentation selectors and joiners dropped."""
    text = "".join(c for c in text if c not in _INVISIBLE)
    gone = missing(text)
    if not gone:
        return text
    return "".join(glyph_name(c, lang) if c in gone else c for c in text)
