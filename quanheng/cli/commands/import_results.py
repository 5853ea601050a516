"""``quanheng import STUDY FILE… --from HARNESS --subject ID``: other harnesses' results."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import typer

from quanheng.cli._app import app, console, guarded
from quanheng.cli._words import LANG_HELP
from quanheng.interop.mapping import Harness
from quanheng.measure.measurement import Measurement
from quanheng.study import load_study
from quanheng.text import Lang

EXAMPLES = """\b
Examples:
  quanheng import studies/cn-llm-vendors-2024 results_2026-12-04.json --from lm-eval \\
      --subject qwen2.5-coder-0.5b
  quanheng import studies/cn-llm-vendors-2024 logs/run.eval --from inspect \\
      --subject qwen2.5-coder-0.5b --prefer imported
  quanheng import studies/cn-llm-vendors-2024 summary_20261204_181500.csv \\
      --from opencompass --subject baidu --map my-tasks.yaml
"""

Prefer = Literal["run", "imported"]

_WORDS: dict[str, tuple[str, str]] = {
    "stored": (
        "已导入 {file}（{harness}，sha256 {sha}）→ {subject}",
        "imported {file} ({harness}, sha256 {sha}) → {subject}",
    ),
    "already": (
        "{file} 已导入过（sha256 {sha}，对象 {subject}）：未作任何改动",
        "{file}: already imported (sha256 {sha}, for {subject}); nothing changed",
    ),
    "cell": (
        "  {leaf} {metric} = {value} {interval}，n = {n}，{how}；任务 {task}，指标 {source}",
        "  {leaf} {metric} = {value} {interval}, n = {n}, {how}; task {task}, metric {source}",
    ),
    "skipped": ("  未导入：{why}", "  not imported: {why}"),
    "bootstrap": ("按 {n} 个样本自助法区间", "bootstrap interval over {n} samples"),
    "stderr": ("按文件报告的标准误给出区间", "interval from the file's reported stderr"),
    "wilson": (
        "按 n 给出 Wilson 区间（文件无逐样本结果与标准误）",
        "Wilson interval from n (the file has no samples or stderr)",
    ),
    "none": (
        "无区间（文件既无 n 也无标准误）",
        "no interval (the file gives neither n nor stderr)",
    ),
    "conflict": (
        "冲突：{subject} 的 {leaf} 有 {k} 个测量值，未合并；采用 {shown}（{why}）",
        "conflict: {subject} {leaf} has {k} measurements, not merged; shown: {shown} ({why})",
    ),
    "other": (
        "  另有 {value} {interval}，来自 {origin}",
        "  also {value} {interval} from {origin}",
    ),
    "why_preferred": ("--prefer imported 导入", "imported with --prefer imported"),
    "why_run": ("quanheng 自己的测量优先", "quanheng's own run comes first"),
    "why_newest": ("最近一次导入", "the most recent import"),
    "own_run": ("quanheng 自己的测量 {runs}", "quanheng's own run {runs}"),
    "summary": (
        "共 {n} 个文件：新导入 {stored} 个；quanheng score / report 现在会用到这些测量值",
        "{files}: {stored} imported now; quanheng score and report use them from now on",
    ),
}


def _w(key: str, lang: Lang, **fields: object) -> str:
    text = _WORDS[key][0 if lang == "zh" else 1]
    return text.format(**fields) if fields else text


@app.command(name="import", epilog=EXAMPLES)
@guarded
def import_command(
    path: Path = typer.Argument(
        ..., metavar="STUDY", help="The study directory (the one holding study.yaml)."
    ),
    files: list[Path] = typer.Argument(
        ...,
        metavar="FILE",
        help="Results files: lm-eval results_*.json (its samples_*.jsonl beside it are read "
        "too), inspect_ai .eval or .json logs, OpenCompass summary_*.csv or "
        "results/<model>/<dataset>.json.",
    ),
    harness: Harness = typer.Option(
        ..., "--from", help="The harness that wrote the files: lm-eval, opencompass or inspect."
    ),
    subject: str = typer.Option(
        ..., "--subject", metavar="ID", help="The study's subject the results are of."
    ),
    mapping: Path | None = typer.Option(
        None,
        "--map",
        metavar="MAPPING.yaml",
        help="Task rules (quanheng/import-map@1) tried before the built-in ones.",
    ),
    prefer: Prefer = typer.Option(
        "run",
        "--prefer",
        help="Which wins where quanheng measured the same leaf itself: run (default) or imported.",
    ),
    model: str | None = typer.Option(
        None, "--model", help="The model column of an OpenCompass summary with several."
    ),
    lang: Lang = typer.Option("en", "--lang", help=LANG_HELP),
) -> None:
    """Add results from lm-evaluation-harness, OpenCompass or inspect_ai as measured values.

    Each value keeps n, its 90% interval and where it came from (harness, version, task, file
    SHA-256, date); a file already imported changes nothing. Conflicts with quanheng's own
    measurement of the same leaf are listed, never merged.
    """
    from quanheng.interop.importer import import_results
    from quanheng.measure.pipeline import collect  # the pipeline imports the runner's HTTP stack

    study = load_study(path)
    result = import_results(
        study,
        files,
        harness,
        subject,
        mapping_file=mapping,
        prefer=prefer == "imported",
        model=model,
        collect=collect,
    )
    leaf_of = {leaf.metric: leaf.id for leaf in study.framework.leaves if leaf.metric}
    for item in result.files:
        sha = item.sha256[:12]
        if item.already:
            console.print(
                _w("already", lang, file=item.path, sha=sha, subject=item.subject), markup=False
            )
            continue
        console.print(
            _w("stored", lang, file=item.path, harness=item.harness, sha=sha, subject=item.subject),
            markup=False,
        )
        for cell in item.cells:
            src = cell.imported
            assert src is not None
            console.print(
                _w(
                    "cell",
                    lang,
                    leaf=leaf_of.get(cell.metric, "?"),
                    metric=cell.metric,
                    value=f"{cell.value:.3f}",
                    interval=_interval(cell),
                    n=cell.n,
                    how=_w(src.interval, lang, n=cell.n),
                    task=src.task,
                    source=src.source_metric,
                ),
                markup=False,
            )
        for why in item.skipped:
            console.print(_w("skipped", lang, why=why), markup=False)
    for (sid, leaf), (shown, *others) in result.conflicts.items():
        console.print(
            _w(
                "conflict",
                lang,
                subject=sid,
                leaf=leaf,
                k=1 + len(others),
                shown=f"{shown.value:.3f} {_interval(shown)} — {_origin(shown, lang)}",
                why=_why(shown, lang),
            ),
            markup=False,
        )
        for other in others:
            console.print(
                _w(
                    "other",
                    lang,
                    value=f"{other.value:.3f}",
                    interval=_interval(other),
                    origin=_origin(other, lang),
                ),
                markup=False,
            )
    n = len(result.files)
    counted = f"{n} file" if n == 1 else f"{n} files"
    console.print(_w("summary", lang, n=n, files=counted, stored=result.stored), markup=False)


def _interval(m: Measurement) -> str:
    return f"[{m.low:.3f}, {m.high:.3f}]"


def _origin(m: Measurement, lang: Lang) -> str:
    src = m.imported
    if src is None:
        return _w("own_run", lang, runs=", ".join(m.runs))
    version = f" {src.harness_version}" if src.harness_version else ""
    return f"{src.harness}{version} {src.file} ({', '.join(m.runs)})"


def _why(m: Measurement, lang: Lang) -> str:
    if m.imported is None:
        return _w("why_run", lang)
    return _w("why_preferred" if m.imported.preferred else "why_newest", lang)
