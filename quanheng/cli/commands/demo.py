"""``quanheng demo``: measure the local model on a slice, score the embedded study, report it."""

from __future__ import annotations

from pathlib import Path

import typer

from quanheng.cli._app import app, console, guarded
from quanheng.cli._load import measurements_of
from quanheng.cli._words import LANG_HELP, w
from quanheng.cli.commands.measure import measure_live, print_result
from quanheng.cli.commands.score import print_scorecard
from quanheng.demo import DEMO_LIMIT, default_study_path, write_outputs
from quanheng.errors import EnvironmentProblem
from quanheng.scoring.engine import score
from quanheng.study import load_study
from quanheng.text import Lang

EXAMPLES = """\b
Examples:
  quanheng demo
  quanheng demo --no-measure --lang zh --out out/demo
  quanheng demo --limit 2
"""


@app.command(epilog=EXAMPLES)
@guarded
def demo(
    out: Path = typer.Option(
        Path("out"),
        "--out",
        help="Directory the scorecard, summary and report are written to (created if missing).",
    ),
    lang: Lang = typer.Option("en", "--lang", help=LANG_HELP),
    measure: bool = typer.Option(
        True,
        "--measure/--no-measure",
        help="Measure the study's local model first (--no-measure: score what the run store "
        "already holds).",
    ),
    limit: int = typer.Option(
        DEMO_LIMIT,
        "--limit",
        min=1,
        help="Items per task in the demo's measurement slice (at least 1).",
    ),
) -> None:
    """Measure the local model on a slice of the suites, score the default study, report it.

    The measurement resumes from the study's run store, so a second run sends nothing that
    was already answered; `quanheng measure studies/cn-llm-vendors-2024` runs the full suites.
    The study is studies/cn-llm-vendors-2024, or the one $QUANHENG_STUDY names.
    """
    from quanheng.measure.pipeline import store_path  # imports the HTTP stack
    from quanheng.report.output import prepare_output_dir

    language = lang
    prepare_output_dir(out)  # an unwritable --out is one line before anything is measured
    study = load_study(default_study_path())
    result = None
    if measure:
        try:
            result = measure_live(study, limit=limit, lang=language)
        except EnvironmentProblem as problem:
            # Scoring and reports do not need the model: say why nothing was measured, go on.
            console.print(w("d_skipped", language, problem=problem), markup=False)
    # The store is read once and the study scored once; the report analyses this scorecard.
    measurements = measurements_of(study)
    if result is not None:
        print_result(result, measurements, str(store_path(study)), language, limit=limit)
    card = score(study, measurements=measurements)
    print_scorecard(card, language)
    written = write_outputs(study, card, out)
    for path in written:
        console.print(w("wrote", language, path=path), markup=False)
