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
    # measure, runs, demo, report (plural English phrases have a ".one" twin for n = 1)
    "m_board": ("测量进度", "measuring"),
    "m_task": ("任务", "task"),
    "m_done": ("完成", "done"),
    "m_errors": ("错误", "errors"),
    "m_rate": ("请求/秒", "req/s"),
    "m_tokens": ("词元", "tokens"),
    "m_cost": ("费用", "cost"),
    "m_eta": ("预计剩余", "ETA"),
    "m_done_cell": ("{done}（缓存 {cached}）", "{done} ({cached} cached)"),
    "tok_in": ("输入 {n}", "{n} in"),
    "tok_in_some": ("输入至少 {n}", "at least {n} in"),
    "tok_in_unknown": ("输入未知", "unknown in"),
    "tok_out": ("输出 {n}", "{n} out"),
    "m_summary": (
        "{n} 次任务运行：本次回答 {answered} 个，复用 {reused} 个，失败 {failed} 个"
        "——运行存储 {store}",
        "{n} task runs: {answered} answered now, {reused} reused, {failed} failed — store {store}",
    ),
    "m_summary.one": (
        "{n} 次任务运行：本次回答 {answered} 个，复用 {reused} 个，失败 {failed} 个"
        "——运行存储 {store}",
        "{n} task run: {answered} answered now, {reused} reused, {failed} failed — store {store}",
    ),
    "m_failed": (
        "{n} 个请求失败，没有回答；它们可以重试：再次运行同一命令（退出码 3）",
        "{n} requests failed and have no answer; they stay retryable: run the same command "
        "again (exit code 3)",
    ),
    "m_failed.one": (
        "{n} 个请求失败，没有回答；它可以重试：再次运行同一命令（退出码 3）",
        "{n} request failed and has no answer; it stays retryable: run the same command again "
        "(exit code 3)",
    ),
    "m_skipped": ("已跳过 {subject} 的任务 {task}：{why}", "skipped {task} for {subject}: {why}"),
    "m_no_judge": ("没有评判模型：请设置 measure.judge", "no judge: set measure.judge"),
    "m_values": ("测量值（90% 自助法区间）", "measured values (90% bootstrap intervals)"),
    "m_metric": ("指标", "metric"),
    "m_value": ("数值", "value"),
    "m_interval": ("区间", "interval"),
    "m_n": ("样本数", "n"),
    "m_beyond_limit": (
        "数值按每个任务已存储的 {n} 条回答计算（n = {n}），多于 --limit {limit}："
        "之前运行的回答也计入",
        "values use n = {n} stored answers per task, more than --limit {limit}: earlier runs' "
        "answers count too",
    ),
    "m_beyond_limit_range": (
        "数值按每个任务已存储的 {low} 到 {high} 条回答计算（n = {low}–{high}），"
        "多于 --limit {limit}："
        "之前运行的回答也计入",
        "values use n = {low}–{high} stored answers per task, more than --limit {limit}: earlier "
        "runs' answers count too",
    ),
    "m_waiting": (
        "正在等待：另一个 measure 正在写入本研究的运行存储（{holder}）",
        "waiting: another measure is writing this study's run store ({holder})",
    ),
    "holder_pid": ("进程 {pid}", "pid {pid}"),
    "holder_no_pid": ("进程号未知的进程", "a process whose pid is unknown"),
    "holder_host": ("，主机 {host}", " on {host}"),
    "holder_started": ("，开始于 {started}", ", started {started}"),
    "r_title": ("{file} 中的运行记录", "runs in {file}"),
    "r_run": ("运行", "run"),
    "r_started": ("开始时间", "started"),
    "r_suite": ("套件", "suite"),
    "r_ok": ("成功", "ok"),
    "r_unfinished": ("（未完成）", " (unfinished)"),
    "r_priced": ("{cost}（{n} 个有定价）", "{cost} ({n} priced)"),
    "r_none": (
        "还没有运行记录：{file} 不存在（请先运行 `quanheng measure`）",
        "no runs yet: {file} does not exist (run `quanheng measure`)",
    ),
    "r_hidden": (
        "另有 {n} 次重新运行在存储中找到了全部回答，未列出",
        "{n} re-runs that found every answer stored are not listed",
    ),
    "r_hidden.one": (
        "另有 {n} 次重新运行在存储中找到了全部回答，未列出",
        "{n} re-run that found every answer stored is not listed",
    ),
    "r_total": (
        "合计：{requests}，{ok}，{errors}；词元：{tokens}",
        "total: {requests}, {ok}, {errors}; tokens: {tokens}",
    ),
    "n_requests": ("{n} 个请求", "{n} requests"),
    "n_requests.one": ("{n} 个请求", "{n} request"),
    "n_ok": ("成功 {n} 个", "{n} ok"),
    "n_errors": ("错误 {n} 个", "{n} errors"),
    "n_errors.one": ("错误 {n} 个", "{n} error"),
    "d_skipped": ("未进行测量：{problem}", "measurement skipped: {problem}"),
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


# ---------------------------------------------------------------- counts, shared by every command

NOUNS: Final[dict[str, tuple[str, str, str]]] = {
    # key: (Chinese with its measure word, English singular, English plural)
    "subject": ("{n} 个对象", "{n} subject", "{n} subjects"),
    "record": ("{n} 条证据记录", "{n} evidence record", "{n} evidence records"),
    "profile": ("{n} 个权重方案", "{n} profile", "{n} profiles"),
    "leaf": ("{n} 个二级指标", "{n} leaf", "{n} leaves"),
    "gate": ("{n} 道门槛", "{n} gate", "{n} gates"),
    "dimension": ("{n} 个维度", "{n} dimension", "{n} dimensions"),
    "cell": ("{n} 个格子", "{n} cell", "{n} cells"),
    "draw": ("{n} 次模拟", "{n} draw", "{n} draws"),
    "relative_leaf": (
        "{n} 个相对归一化的二级指标",
        "{n} cohort-relative leaf",
        "{n} cohort-relative leaves",
    ),
}


def count(noun: str, n: int, lang: Lang) -> str:
    """``n`` of ``noun`` in ``lang``: ``1 profile``, ``2 profiles``, ``2 个权重方案``."""
    zh, one, many = NOUNS[noun]
    text = zh if lang == "zh" else one if n == 1 else many
    return text.format(n=f"{n:,}" if lang == "en" else n)


LANG_HELP: Final = "The language of the printed words: zh (Chinese) or en (English)."

_MORE_WORDS: Final[dict[str, tuple[str, str]]] = dict(
    {
        # score
        "score_title": (
            "{study} · 权重方案 {profile} · {aggregation}，缺失数据{missing}",
            "{study} · profile {profile} · {aggregation}, missing={missing}",
        ),
        "agg_arithmetic": ("算术加权", "arithmetic"),
        "agg_geometric": ("几何加权", "geometric"),
        "agg_topsis": ("TOPSIS 法", "topsis"),
        "missing_drop": ("剔除后同级重新分配权重", "drop"),
        "missing_worst": ("按最差计", "worst"),
        "missing_median": ("按中位数计", "median"),
        "overall": ("总分", "overall"),
        "flags": ("标记", "flags"),
        "cohort_vendor": ("厂商（在厂商之间排名）", "vendors (ranked among vendors)"),
        "cohort_model": ("模型（在模型之间排名）", "models (ranked among models)"),
        "gate_fails": ("未通过门槛 {gate}", "fails {gate}"),
        "gate_unknown": ("门槛 {gate} 尚无证据", "{gate} unknown"),
        "gate_disputed": ("门槛 {gate} 分析师意见各半", "{gate} disputed"),
        "no_indicator": ("没有指标证据：未排名", "no indicator evidence: unranked"),
        "list_sep": ("；", "; "),
        "none_ranked": (
            "[bold]尚无对象可以排名：[/]没有任何对象在任何二级指标上有证据（覆盖率 0%）。"
            "请在研究的证据文件中添加记录"
            "（quanheng show FRAMEWORK --leaf ID 说明每个指标需要什么），"
            "然后重新评分。",
            "[bold]No subject is ranked yet:[/] none has evidence on any leaf (coverage 0%). "
            "Add records to the study's evidence files (quanheng show FRAMEWORK --leaf ID says "
            "what a leaf takes), then score again.",
        ),
        "screened_out": ("[bold]被门槛筛除：[/]", "[bold]Screened out by the gates:[/]"),
        "coverage_footer": (
            "[dim]覆盖率 = 有数据支撑的权重占比。相对入围对象归一化的二级指标（{n} / {total} 个）"
            "的得分取决于与谁比较。[/]",
            "[dim]Coverage = share of weight backed by data. Scores of cohort-relative leaves "
            "({n} of {total}) depend on who is compared.[/]",
        ),
        "sparse_footer": (
            "[dim]{leaves}在本组中不足 3 个取值，已按参考区间评分或向中间收缩"
            "（score --json：sparse_leaves）。[/]",
            "[dim]{leaves} had fewer than 3 values in their cohort and were scored on a "
            "reference scale or shrunk to the middle (score --json: sparse_leaves).[/]",
        ),
        "warning": ("警告：{text}", "warning: {text}"),
        # analyse (the reasons a subject is not ranked, and the method names)
        "why_screened": ("被门槛筛除：{reason}", "screened out: {reason}"),
        "why_no_data": ("没有任何有权重指标的数据", "no data on any weighted indicator"),
        "why_other_cohort": (
            "在另一组中排名（厂商与模型分开比较）",
            "ranked in another cohort (vendors and models are compared apart)",
        ),
        "p_rank": ("第 {r} 名概率", "P(#{r})"),
        "p_rank_plus": ("第 {r} 名及以后概率", "P(#{r}+)"),
        "value_triangular": ("三角分布", "triangular"),
        "value_uniform": ("均匀分布", "uniform"),
        "weights_uniform": ("均匀抽取", "uniform"),
        # frameworks
        "fw_id": ("编号", "id"),
        "fw_version": ("版本", "version"),
        "fw_gates": ("门槛数", "gates"),
        "fw_dimensions": ("维度数", "dimensions"),
        "fw_leaves": ("二级指标数", "leaves"),
        # validate
        "ok_framework": (
            "通过：框架 {id} {version}：{gates}，{dims}，{leaves}",
            "ok: framework {id} {version}: {gates}, {dims}, {leaves}",
        ),
        "ok_study": (
            "通过：研究 {id}：{subjects}，{records}，{profiles}，框架 {fw}（{leaves}）",
            "ok: study {id}: {subjects}, {records}, {profiles}, framework {fw} ({leaves})",
        ),
        "rescaled_warning": (
            "警告：{where}：权重方案 {profile!r}：{parent} 下的权重之和为 {total}，"
            "normalise: true 会按比例调整所写的权重：{changes} — 若要按所写使用，"
            "请让 {parent} 下的权重之和为 1"
            "（quanheng show STUDY --profile ID 会打印实际使用的权重）",
            "warning: {where}: profile {profile!r}: the weights under {parent} sum to "
            "{total}, so normalise: true rescales what you wrote: {changes} — write weights "
            "that sum to 1 under {parent} to use them as written (quanheng show STUDY --profile "
            "ID prints the weights used)",
        ),
        # init
        "init_wrote": (
            "已写入 {files}\n下一步：在 {dir}/study.yaml 中填写对象，"
            "填写 {dir}/evidence/template.yaml"
            "（quanheng show {fw} --leaf ID 说明每个指标需要什么），然后运行\n"
            "  quanheng validate {dir}\n  quanheng score {dir}",
            "wrote {files}\nnext: name the subjects in {dir}/study.yaml, fill in "
            "{dir}/evidence/template.yaml (quanheng show {fw} --leaf ID says what each leaf "
            "takes), then\n  quanheng validate {dir}\n  quanheng score {dir}",
        ),
        "files_sep": ("、", ", "),
        # show: the tree
        "gates_branch": ("门槛", "gates / 门槛"),
        "w_local": ("权重={w}", "w={w}"),
        "w_global": ("全局 {w}", "global {w}"),
        "w_written": ("（所写 {w}，已按比例调整）", "(written {w}, rescaled)"),
        "profile_title": ("权重方案 {id}", "profile {id}"),
        "metric_eq": ("指标={metric}", "metric={metric}"),
        "kind_fact": ("事实", "fact"),
        "kind_rubric": ("评级", "rubric"),
        "kind_measured": ("实测", "measured"),
        # show --leaf
        "gate_head": ("{id}  门槛", "{id}  gate / 门槛"),
        "l_name": ("  名称：{zh} / {en}", "  name: {zh} / {en}"),
        "l_definition": ("  定义：{text}", "  definition: {text}"),
        "l_gate_evidence": (
            "  证据：取值 true（通过）或 false（未通过），并附上说明这一点的原文",
            "  evidence: value true (passes) or false (fails), with the quote that says so",
        ),
        "l_kind": ("  类型：{kind}", "  kind: {kind}"),
        "l_unit": ("  单位：{unit}", "  unit: {unit}"),
        "l_lower": ("  方向：越低越好", "  direction: lower is better"),
        "l_higher": ("  方向：越高越好", "  direction: higher is better"),
        "l_metric": (
            "  测量指标：{metric}（由 quanheng measure 提供）",
            "  metric: {metric} (fed by quanheng measure)",
        ),
        "l_weight": (
            "  权重：在 {parent}（{parent_name}）中占 {local}；在总分中占 {overall}",
            "  weight: {local} within {parent} ({parent_name}); {overall} of the overall score",
        ),
        "overall_node": ("总分", "overall"),
        "l_levels": ("  等级：", "  levels:"),
        "l_evidence": ("  证据：{text}", "  evidence: {text}"),
        "l_profile_weights": ("  （权重方案 {id} 的权重）", "  (weights of profile {id})"),
        "n_minmax": (
            "  归一化：{type}{offset}：对入围对象的 {scale} 做最小–最大归一化"
            "（相对归一化：得分取决于与谁比较）",
            "  normalisation: {type}{offset}: min–max of {scale} over the cohort "
            "(cohort-relative: the score depends on who is compared)",
        ),
        "n_offset": ("，偏移 {offset}", ", offset {offset}"),
        "n_fixed": (
            "  归一化：fixed：{min} 得 0 分，{max} 得 1 分（绝对）",
            "  normalisation: fixed: {min} scores 0, {max} scores 1 (absolute)",
        ),
        "n_log_fixed": (
            "  归一化：log_fixed{offset}：{min} 得 0 分，{max} 得 1 分，按对数刻度（绝对）",
            "  normalisation: log_fixed{offset}: {min} scores 0, {max} scores 1, "
            "on a log scale (absolute)",
        ),
        "n_rubric": (
            "  归一化：rubric：等级 / 5（等级 0–5 见下）",
            "  normalisation: rubric: level / 5 (levels 0–5 below)",
        ),
        "n_target": (
            "  归一化：目标值 {target}，宽度 {width}：在目标值处为 1，在目标值 ± 宽度处为 0",
            "  normalisation: target {target}, width {width}: 1 at the target, 0 at target ± width",
        ),
        "n_other": ("  归一化：{type}", "  normalisation: {type}"),
        "n_no_ref": (
            "  本组取值不足 3 个时：向中间收缩（没有参考区间）",
            "  with fewer than 3 values in the cohort: shrunk toward the middle (no reference)",
        ),
        "n_ref": (
            "  参考区间（本组取值不足 3 个时使用）：{min} 得 0 分，{max} 得 1 分",
            "  reference (fewer than 3 values in the cohort): {min} scores 0, {max} scores 1",
        ),
        "n_basis": ("  依据：{text}", "  basis: {text}"),
        "e_rubric": (
            "取值：原文所满足的等级描述对应的整数等级 0..5",
            "value: the integer level 0..5 whose descriptor the quote meets",
        ),
        "e_unit": ("该指标的单位", "the leaf's unit"),
        "e_measured": (
            "由其测评套件测量；未测量时使用人工取值（以 {unit} 计的数字，并附来源）",
            "measured by its suite; a hand value (a number in {unit}, with its source) is "
            "used where nothing was measured",
        ),
        "e_fact": (
            "取值：以 {unit} 计的数字，可选区间 range：[下限, 上限]",
            "value: a number in {unit}, optional range: [low, high]",
        ),
    }
)
if _MORE_WORDS.keys() & WORDS.keys():  # pragma: no cover - a key written twice is a bug
    raise RuntimeError(f"words defined twice: {sorted(_MORE_WORDS.keys() & WORDS.keys())}")
WORDS.update(_MORE_WORDS)
