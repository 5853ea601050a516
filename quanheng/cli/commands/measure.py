"""``quanheng measure STUDY``: run the study's suites against its measured subjects."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.live import Live
from rich.table import Table

from quanheng.cli._app import app, console, err_console, guarded
from quanheng.cli._format import tokens_in_out
from quanheng.errors import EXIT_PARTIAL
from quanheng.study import Study, load_study

if TYPE_CHECKING:  # the pipeline pulls in the HTTP stack: imported when a command runs
    from quanheng.measure.lock import Holder
    from quanheng.measure.measurement import Measurement
    from quanheng.measure.pipeline import MeasureResult
    from quanheng.measure.runner import Progress


@app.command()
@guarded
def measure(
    path: Path = typer.Argument(..., help="Study directory."),
    suite: list[str] | None = typer.Option(None, "--suite", "-s", help="Only this suite."),
    subject: list[str] | None = typer.Option(None, "--subject", help="Only this subject."),
    concurrency: int | None = typer.Option(None, "--concurrency", "-c", min=1),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Items per task."),
    wait: bool = typer.Option(
        False,
        "--wait",
        help="If another measure is writing this study's run store, wait for it to finish "
        "instead of stopping with exit code 2.",
    ),
) -> None:
    """Measure: live progress per endpoint and task; safe to kill and re-run (resumes).

    Exit codes: 0 every requested item has an answer; 3 some items failed (they stay
    retryable: run the same command again); 2 bad input, or another measure is writing the
    same run store (nothing sent; see --wait); 1 the run could not go on.
    """
    from quanheng.measure.pipeline import collect, store_path

    study = load_study(path)
    result = measure_live(
        study, suites=suite, subjects=subject, concurrency=concurrency, limit=limit, wait=wait
    )
    print_result(result, collect(study), str(store_path(study)))
    if result.failed:
        raise typer.Exit(EXIT_PARTIAL)


def measure_live(
    study: Study,
    *,
    suites: Sequence[str] | None = None,
    subjects: Sequence[str] | None = None,
    concurrency: int | None = None,
    limit: int | None = None,
    wait: bool = False,
) -> MeasureResult:
    """Run :func:`quanheng.measure.pipeline.measure` under a live progress board.

    The store's writer lock is taken before the board is drawn, so a second measure on the
    same store stops with its one line and no empty board (the pipeline re-enters the lock).
    """
    from quanheng.measure.lock import writer_lock
    from quanheng.measure.pipeline import check_selection, store_path
    from quanheng.measure.pipeline import measure as run_measure

    check_selection(study, suites, subjects)  # before the board
    board = ProgressBoard()
    with (
        writer_lock(store_path(study), wait=wait, on_wait=_waiting),
        Live(board.table(), console=console, refresh_per_second=4, transient=False) as live,
    ):

        def update(subj: str, task: str, snapshot: Progress) -> None:
            board.rows[(subj, task)] = snapshot
            live.update(board.table())

        result = run_measure(
            study,
            suites=suites,
            subjects=subjects,
            concurrency=concurrency,
            limit=limit,
            progress=update,
        )
    console.print()
    return result


def _waiting(holder: Holder) -> None:
    err_console.print(
        f"waiting: another measure is writing this study's run store ({holder.describe()})",
        markup=False,
    )


class ProgressBoard:
    """The latest progress snapshot of every (subject, task), as a table."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], Progress] = {}

    def table(self) -> Table:
        table = Table(title="measuring", expand=False)
        for col in ("subject", "task", "done", "errors", "req/s", "tokens in/out", "cost", "ETA"):
            table.add_column(col, justify="left" if col in ("subject", "task") else "right")
        for (subj, task), p in self.rows.items():
            total = f"/{p.total}" if p.total is not None else ""
            eta = "—" if p.eta_s is None else f"{p.eta_s:.0f}s"
            cost = "—" if p.cost is None else f"{p.cost:.4f}"
            table.add_row(
                subj,
                task,
                f"{p.done}{total} ({p.cached} cached)",
                str(p.errors),
                f"{p.rate_per_s:.1f}",
                tokens_in_out(p.input_tokens, p.input_unknown, p.output_tokens, "/"),
                cost,
                eta,
            )
        return table


def print_result(result: MeasureResult, values: list[Measurement], store: str) -> None:
    """Runs, skipped tasks and the measured values with their 90% intervals.

    The summary line keeps answered, reused and failed apart (judge requests included): a
    failed item has no answer, and saying so is what tells the user to run again.
    """
    console.print(
        f"{len(result.runs)} task runs: {result.answered} answered now, {result.reused} "
        f"reused, {result.failed} failed — store {store}",
        markup=False,
    )
    if result.failed:
        console.print(
            f"{result.failed} requests failed and have no answer; they stay retryable: run the "
            "same command again (exit code 3)",
            markup=False,
        )
    for subj, task, why in result.skipped:
        console.print(f"skipped {task} for {subj}: {why}", markup=False)
    if not values:
        return
    table = Table(title="measured values (90% bootstrap intervals)")
    for col in ("subject", "metric", "value", "interval", "n"):
        table.add_column(col, justify="left" if col in ("subject", "metric") else "right")
    for m in values:
        table.add_row(
            m.subject, m.metric, f"{m.value:.4g}", f"[{m.low:.4g}, {m.high:.4g}]", str(m.n)
        )
    console.print(table)
