"""``quanheng runs STUDY``: the runs in a study's store, with counts, tokens and cost."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from quanheng.cli._app import app, console, guarded
from quanheng.cli._format import counted, tokens_in_out
from quanheng.cli._words import LANG_HELP, w
from quanheng.measure.store import ImportRecord, RunStore
from quanheng.study import load_study
from quanheng.text import Lang

_RIGHT = ("r_ok", "m_errors", "m_tokens", "m_cost")


EXAMPLES = """\b
Examples:
  quanheng runs studies/cn-llm-vendors-2024
  quanheng runs studies/cn-llm-vendors-2024 --lang zh
"""


@app.command(epilog=EXAMPLES)
@guarded
def runs(
    path: Path = typer.Argument(
        ..., metavar="STUDY", help="The study directory (the one holding study.yaml)."
    ),
    lang: Lang = typer.Option("en", "--lang", help=LANG_HELP),
) -> None:
    """List measurement runs: when, what, answers, errors, tokens, cost.

    Reads the study's run store (runs/runs.sqlite) read-only, so it works while a measure is
    writing and on a store in a read-only folder. Re-runs that found every answer stored are
    counted, not listed.
    """
    from quanheng.measure.pipeline import store_path  # the pipeline imports the HTTP stack

    language = lang
    study = load_study(path)
    file = store_path(study)
    if not file.exists():
        console.print(w("r_none", language, file=file), markup=False)
        return
    table = Table(title=w("r_title", language, file=file))
    for key in ("r_run", "r_started", "subject", "r_suite", "m_task", *_RIGHT):
        table.add_column(
            w(key, language),
            justify="right" if key in _RIGHT else "left",
            # ids wrap onto more lines (fold) rather than being cut short with "…"; the
            # columns of numbers keep to one line, so the ids are what gives way
            overflow="fold",
            no_wrap=key in ("r_started", *_RIGHT),
            min_width=24 if key == "r_run" else None,
        )
    hidden = 0
    with RunStore(file, read_only=True) as store:  # listing needs no write access
        for run in store.list_runs():
            s = store.summary(run.run_id)
            if s.requests == 0:
                hidden += 1  # a re-run that found every answer already stored
                continue
            table.add_row(
                run.run_id,
                run.started[:19] + ("" if run.finished else w("r_unfinished", language)),
                run.subject or "",
                run.suite or "",
                str(run.settings.get("task", "")),
                str(s.ok),
                str(s.errors),
                tokens_in_out(s.input_tokens, s.input_unknown, s.output_tokens, language),
                w("r_priced", language, cost=f"{s.cost:.4f}", n=s.priced) if s.priced else "—",
            )
        total = store.summary()
        imports = store.imports()
    console.print(table)
    if hidden:
        console.print(counted("r_hidden", hidden, language), markup=False)
    console.print(
        w(
            "r_total",
            language,
            requests=counted("n_requests", total.requests, language),
            ok=counted("n_ok", total.ok, language),
            errors=counted("n_errors", total.errors, language),
            tokens=tokens_in_out(
                total.input_tokens, total.input_unknown, total.output_tokens, language
            ),
        ),
        markup=False,
    )
    if imports:
        print_imports(imports, language)


_IMPORT_WORDS = {
    "title": ("导入的结果文件（quanheng import）", "Imported results files (quanheng import)"),
    "id": ("编号", "id"),
    "file": ("文件", "file"),
    "harness": ("评测框架", "harness"),
    "values": ("测量值", "values"),
    "imported": ("导入时间", "imported"),
}


def print_imports(imports: list[ImportRecord], lang: Lang) -> None:
    """One row per imported file: its provenance id, subject, harness, file and values."""
    k = 0 if lang == "zh" else 1
    table = Table(title=_IMPORT_WORDS["title"][k])
    for key in ("id", "imported"):
        table.add_column(_IMPORT_WORDS[key][k], no_wrap=True)
    table.add_column(w("subject", lang), overflow="fold")
    for key in ("harness", "file", "values"):
        table.add_column(_IMPORT_WORDS[key][k], overflow="fold")
    for record in imports:
        values = ", ".join(f"{c.metric} {c.value:.3f} (n={c.n})" for c in record.cells)
        table.add_row(
            f"import:{record.sha256[:12]}",
            record.imported[:19],
            record.subject,
            record.harness,
            record.file,
            values,
        )
    console.print(table)
