"""``quanheng measure STUDY``: run the study's suites against its measured subjects."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.live import Live
from rich.table import Table

from quanheng.cli._app import app, console, err_console, guarded
from quanheng.cli._format import counted, tokens_in_out
from quanheng.cli._words import LANG_HELP, w
from quanheng.errors import EXIT_PARTIAL
from quanheng.measure.suites import BUILTIN_SUITES
from quanheng.study import Study, load_study
from quanheng.text import Lang

if TYPE_CHECKING:  # the pipeline pulls in the HTTP stack: imported when a command runs
    from quanheng.measure.lock import Holder
    from quanheng.measure.measurement import Measurement
    from quanheng.measure.pipeline import MeasureResult
    from quanheng.measure.runner import Progress


_SUITE_HELP = (
    "Only this suite; repeat for more. One of the study's measure.suites entries, written as "
    f"there: a built-in suite id ({', '.join(BUILTIN_SUITES)}) or a suite.yaml path (the file "
    "or its directory, relative to the study)."
)


EXAMPLES = """\b
Examples:
  quanheng measure studies/cn-llm-vendors-2024 --suite cn-knowledge --limit 2
  quanheng measure studies/cn-llm-vendors-2024 --subject qwen2.5-coder-0.5b -c 1
  quanheng measure my-study --suite suites/my-exams --wait --lang zh
"""


@app.command(epilog=EXAMPLES)
@guarded
def measure(
    path: Path = typer.Argument(
        ..., metavar="STUDY", help="The study directory (the one holding study.yaml)."
    ),
    suite: list[str] | None = typer.Option(None, "--suite", "-s", help=_SUITE_HELP),
    subject: list[str] | None = typer.Option(
        None,
        "--subject",
        help="Only this subject id; repeat for more. It must have an endpoint: or local_model:.",
    ),
    concurrency: int | None = typer.Option(
        None,
        "--concurrency",
        "-c",
        min=1,
        help="Requests in flight at once per endpoint (at least 1), replacing each endpoint's "
        "max_concurrency; the limiter still halves it when the server is overloaded.",
    ),
    limit: int | None = typer.Option(
        None,
        "--limit",
        min=1,
        help="Items sent per task (at least 1), replacing every limit in the study. It bounds "
        "only what is sent now: values use every stored answer within the study's limits.",
    ),
    wait: bool = typer.Option(
        False,
        "--wait",
        help="If another measure is writing this study's run store, wait for it to finish "
        "instead of stopping with exit code 2.",
    ),
    lang: Lang = typer.Option("en", "--lang", help=LANG_HELP),
) -> None:
    """Measure: live progress per endpoint and task; safe to kill and re-run (resumes).

    Exit codes: 0 every requested item has an answer; 3 some items failed (they stay
    retryable: run the same command again); 2 bad input, or another measure is writing the
    same run store (nothing sent; see --wait); 1 the run could not go on.
    """
    from quanheng.measure.pipeline import collect, store_path

    study = load_study(path)
    result = measure_live(
        study,
        suites=suite,
        subjects=subject,
        concurrency=concurrency,
        limit=limit,
        wait=wait,
        lang=lang,
    )
    own = [
        m for m in collect(study) if m.imported is None
    ]  # `quanheng import`'s are not measured here
    print_result(result, own, str(store_path(study)), lang, limit=limit)
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
    lang: Lang = "en",
) -> MeasureResult:
    """Run :func:`quanheng.measure.pipeline.measure` under a live progress board.

    The store's writer lock is taken before the board is drawn, so a second measure on the
    same store stops with its one line and no empty board (the pipeline re-enters the lock).
    """
    from quanheng.measure.lock import writer_lock
    from quanheng.measure.pipeline import check_selection, store_path
    from quanheng.measure.pipeline import measure as run_measure

    check_selection(study, suites, subjects)  # before the board
    board = ProgressBoard(lang)

    def waiting(holder: Holder) -> None:
        err_console.print(w("m_waiting", lang, holder=describe_holder(holder, lang)), markup=False)

    with (
        writer_lock(store_path(study), wait=wait, on_wait=waiting),
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


def describe_holder(holder: Holder, lang: Lang) -> str:
    """Who holds the store's lock: ``pid 123 on host, started …`` in ``lang``."""
    who = (
        w("holder_pid", lang, pid=holder.pid)
        if holder.pid is not None
        else w("holder_no_pid", lang)
    )
    if holder.host:
        who += w("holder_host", lang, host=holder.host)
    return who + w("holder_started", lang, started=holder.started) if holder.started else who


class ProgressBoard:
    """The latest progress snapshot of every (subject, task), as a table."""

    def __init__(self, lang: Lang = "en") -> None:
        self.rows: dict[tuple[str, str], Progress] = {}
        self.lang: Lang = lang

    def table(self) -> Table:
        lang = self.lang
        table = Table(title=w("m_board", lang), expand=False)
        for key in ("subject", "m_task"):  # ids wrap onto a second line, never cut short
            table.add_column(w(key, lang), overflow="fold")
        for key in ("m_done", "m_errors", "m_rate", "m_tokens", "m_cost", "m_eta"):
            table.add_column(w(key, lang), justify="right")
        for (subj, task), p in self.rows.items():
            total = f"/{p.total}" if p.total is not None else ""
            eta = "—" if p.eta_s is None else f"{p.eta_s:.0f}s"
            cost = "—" if p.cost is None else f"{p.cost:.4f}"
            table.add_row(
                subj,
                task,
                w("m_done_cell", lang, done=f"{p.done}{total}", cached=p.cached),
                str(p.errors),
                f"{p.rate_per_s:.1f}",
                tokens_in_out(p.input_tokens, p.input_unknown, p.output_tokens, lang),
                cost,
                eta,
            )
        return table


def print_result(
    result: MeasureResult,
    values: list[Measurement],
    store: str,
    lang: Lang = "en",
    *,
    limit: int | None = None,
) -> None:
    """Runs, skipped tasks and the measured values with their 90% intervals.

    The summary line keeps answered, reused and failed apart (judge requests included): a
    failed item has no answer, and saying so is what tells the user to run again. With a
    ``limit``, values resting on more stored answers than it (earlier runs') are said to.
    """
    console.print(
        counted(
            "m_summary",
            len(result.runs),
            lang,
            answered=result.answered,
            reused=result.reused,
            failed=result.failed,
            store=store,
        ),
        markup=False,
    )
    if result.failed:
        console.print(counted("m_failed", result.failed, lang), markup=False)
    for subj, task, why in result.skipped:
        reason = w("m_no_judge", lang) if why == w("m_no_judge", "en") else why
        console.print(w("m_skipped", lang, subject=subj, task=task, why=reason), markup=False)
    if not values:
        return
    table = Table(title=w("m_values", lang))
    for key in ("subject", "m_metric"):
        table.add_column(w(key, lang), overflow="fold")
    for key in ("m_value", "m_interval", "m_n"):
        table.add_column(w(key, lang), justify="right")
    for m in values:
        table.add_row(
            m.subject, m.metric, f"{m.value:.4g}", f"[{m.low:.4g}, {m.high:.4g}]", str(m.n)
        )
    console.print(table)
    beyond = sorted({m.n for m in values if limit is not None and m.n > limit})
    if beyond and limit is not None:
        if len(beyond) == 1:
            note = w("m_beyond_limit", lang, n=beyond[0], limit=limit)
        else:
            note = w("m_beyond_limit_range", lang, low=beyond[0], high=beyond[-1], limit=limit)
        console.print(note, markup=False)
