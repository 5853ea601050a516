"""The workbench's own words in Chinese and English.

The ranking, gate and chart wording is the report's (:func:`quanheng.report.i18n.t`); only the
workbench's navigation, forms and buttons live here. :func:`say` looks here first, then in the
report's table, so a page never mixes two wordings of one thing.
"""

from __future__ import annotations

from typing import Final

from quanheng.report.i18n import t
from quanheng.text import Lang

__all__ = ["WORDS", "say"]

WORDS: Final[dict[str, tuple[str, str]]] = {
    "workbench": ("工作台", "Workbench"),
    "overview": ("总览", "Overview"),
    "weights": ("权重", "Weights"),
    "subjects": ("评价对象", "Subjects"),
    "indicators": ("指标", "Indicators"),
    "evidence": ("证据", "Evidence"),
    "queue": ("审核队列", "Review queue"),
    "runs": ("实测", "Runs"),
    "reports": ("报告", "Reports"),
    "audit": ("审计日志", "Audit log"),
    "language": ("English", "中文"),
    "profile_pick": ("权重方案", "Profile"),
    "reset": ("恢复", "Reset"),
    "live_note": (
        "拖动滑块：排名与格局图即时按评分核心重新计算；P(最优) 由 {draws} 次模拟得出。",
        "Move a slider: the ranking and landscape are recomputed by the scoring core at once; "
        "P(best) comes from {draws} simulation draws.",
    ),
    "overview_note": (
        "最优概率由 {draws} 次模拟得出。调整权重并即时查看排名变化：",
        "P(best) comes from {draws} simulation draws. Move the weights and watch the ranking:",
    ),
    "save_profile": ("另存为权重方案", "Save as profile"),
    "profile_id": ("方案 id", "Profile id"),
    "profile_name_zh": ("中文名称", "Name (Chinese)"),
    "profile_name_en": ("英文名称", "Name (English)"),
    "who": ("操作人", "Who"),
    "reason": ("理由", "Reason"),
    "saved_profile": ("已保存权重方案 {id}。", "Saved profile {id}."),
    "filter": ("筛选", "Filter"),
    "all": ("全部", "all"),
    "text_contains": ("包含文字", "Text contains"),
    "records": ("条记录", "records"),
    "add_record": ("新增记录", "Add a record"),
    "edit": ("编辑", "Edit"),
    "delete": ("删除", "Delete"),
    "save": ("保存", "Save"),
    "file": ("文件", "File"),
    "value": ("数值", "Value"),
    "low": ("下限", "Low"),
    "high": ("上限", "High"),
    "unit": ("单位", "Unit"),
    "source_title": ("来源标题", "Source title"),
    "source_publisher": ("发布者", "Publisher"),
    "source_date": ("来源日期", "Source date"),
    "source_url": ("来源网址", "Source URL"),
    "source_document": ("来源文档", "Source document"),
    "quote": ("原文引述", "Quote"),
    "analyst": ("分析师", "Analyst"),
    "note": ("备注", "Note"),
    "saved_record": ("已保存，并写入审计日志。", "Saved, and written to the audit log."),
    "problems": ("请修正标出的字段。", "Please fix the fields marked."),
    "conflict": (
        "冲突：这条记录在您打开后已被他人修改",
        "Conflict: someone changed this record after you opened it",
    ),
    "conflict_note": (
        "您的修改没有保存，也没有丢失：下面是两个版本。基于当前版本再保存一次即可。",
        "Your change was not saved and is not lost: both versions are below. Save again on "
        "top of the current version.",
    ),
    "mine": ("您的版本", "Your version"),
    "theirs": ("当前文件中的版本", "The version in the file now"),
    "save_mine": ("以我的版本覆盖", "Save my version over it"),
    "proposed": ("待审核", "proposed"),
    "accepted": ("已接受", "accepted"),
    "rejected": ("已拒绝", "rejected"),
    "accept": ("接受", "Accept"),
    "reject": ("拒绝", "Reject"),
    "queue_note": (
        "其他工具提出的记录（导入、文档抽取）放在研究的 proposed/ 目录中；"
        "只有接受的记录才进入评分。",
        "Records proposed by other tools (an importer, document extraction) wait in the "
        "study's proposed/ folder; only accepted records ever reach a score.",
    ),
    "origin": ("来源工具", "Origin"),
    "empty_queue": ("队列中没有待审核的记录。", "Nothing waits for review."),
    "start_run": ("开始实测", "Start a run"),
    "stop_run": ("停止", "Stop"),
    "suites": ("测试集", "Suites"),
    "limit": ("每项任务条数", "Items per task"),
    "no_measured": (
        "这个研究没有可实测的对象（endpoint 或 local_model）。",
        "This study has no subject with an endpoint or a local model.",
    ),
    "run_state": ("状态", "State"),
    "running": ("运行中", "running"),
    "finished": ("已结束", "finished"),
    "stopped": ("已停止", "stopped"),
    "task": ("任务", "Task"),
    "done": ("完成", "Done"),
    "errors": ("错误", "Errors"),
    "rate": ("条/秒", "Items/s"),
    "generate": ("生成报告", "Generate the report"),
    "format": ("格式", "Format"),
    "download": ("下载", "Download"),
    "generated": ("已生成", "Generated"),
    "definition": ("定义", "Definition"),
    "normalisation": ("归一化", "Normalisation"),
    "kind": ("类型", "Kind"),
    "direction": ("方向", "Direction"),
    "levels": ("评分等级", "Rubric levels"),
    "measured_results": ("实测结果", "Measured results"),
    "source": ("来源", "Source"),
    "when": ("时间", "When"),
    "action": ("操作", "Action"),
    "before": ("修改前", "Before"),
    "after": ("修改后", "After"),
    "history": ("修改记录", "History"),
    "none": ("无", "none"),
    "not_found": ("找不到", "Not found"),
    "bad_request": ("请求有误", "Bad request"),
    "score": ("得分", "Score"),
    "weight": ("权重", "Weight"),
    "cell_audit": ("此单元格的审计记录", "Audit entries of this cell"),
    "radar": ("雷达图", "Radar"),
    "p_best_draws": ("最优概率：{draws} 次模拟", "P(best): {draws} draws"),
}


def say(key: str, lang: Lang, **fields: object) -> str:
    """The workbench's (or else the report's) words for ``key`` in ``lang``."""
    pair = WORDS.get(key)
    if pair is None:
        return t(key, lang, **fields)
    text = pair[0] if lang == "zh" else pair[1]
    return text.format(**fields) if fields else text
