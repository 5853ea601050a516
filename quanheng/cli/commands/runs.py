"""``quanheng runs STUDY``: the runs in a study's store, with counts, tokens and cost."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from quanheng.cli._app import app, console, guarded
from quanheng.cli._format import tokens_in_out
from quanheng.measure.store import RunStore
from quanheng.study import load_study


@app.command()
@guarded
def runs(path: Path = typer.Argument(..., help="Study directory.")) -> None:
    """List measurement runs: when, what, answers, errors, tokens, cost."""
    from quanheng.measure.pipeline import store_path  # the pipeline imports the HTTP stack

    study = load_study(path)
    file = store_path(study)
    if not file.exists():
        console.print(f"no runs yet: {file} does not exist (run `quanheng measure`)", markup=False)
        return
    table = Table(title=str(file))
    for col in ("run", "started", "subject", "suite", "task", "ok", "errors", "tokens", "cost"):
        table.add_column(
            col,
            justify="right" if col in ("ok", "errors", "tokens", "cost") else "left",
            no_wrap=col in ("run", "started"),
            min_width=24 if col == "run" else None,
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
                run.started[:19] + ("" if run.finished else " (unfinished)"),
                run.subject or "",
                run.suite or "",
                str(run.settings.get("task", "")),
                str(s.ok),
                str(s.errors),
                tokens_in_out(s.input_tokens, s.input_unknown, s.output_tokens, " + "),
                f"{s.cost:.4f} ({s.priced} priced)" if s.priced else "—",
            )
        total = store.summary()
    console.print(table)
    if hidden:
        console.print(
            f"{hidden} re-runs that found every answer stored are not listed", markup=False
        )
    console.print(
        f"total: {total.requests} requests, {total.ok} ok, {total.errors} errors, "
        f"{tokens_in_out(total.input_tokens, total.input_unknown, total.output_tokens, ' + ')} "
        "tokens in + out",
        markup=False,
    )
