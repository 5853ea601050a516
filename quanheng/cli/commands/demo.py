"""``quanheng demo``: score the embedded default study and write ``out/``."""

from __future__ import annotations

from pathlib import Path

import typer

from quanheng.cli._app import app, console, guarded
from quanheng.cli.commands.score import print_scorecard
from quanheng.demo import default_study_path, write_outputs
from quanheng.scoring.engine import score as score_study
from quanheng.study import load_study


@app.command()
@guarded
def demo(
    out: Path = typer.Option(Path("out"), "--out", help="Where to write the outputs."),
    lang: str = typer.Option("en", "--lang", help="zh or en."),
) -> None:
    """Score the embedded default study, print it, and write JSON, CSV and Markdown."""
    study = load_study(default_study_path())
    card = score_study(study)
    print_scorecard(card, "zh" if lang == "zh" else "en")
    written = write_outputs(study, card, out)
    for path in written:
        console.print(f"wrote {path}", markup=False)
