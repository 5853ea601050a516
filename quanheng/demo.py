"""The embedded default study and the files ``quanheng demo`` writes."""

from __future__ import annotations

import os
from pathlib import Path

from quanheng.errors import EnvironmentProblem
from quanheng.scoring.scorecard import Scorecard
from quanheng.study import Study

__all__ = ["DEFAULT_STUDY", "DEMO_LIMIT", "default_study_path", "summary_markdown", "write_outputs"]

DEFAULT_STUDY = "cn-llm-vendors-2024"

DEMO_LIMIT = 5
"""Items per task that ``quanheng demo`` measures: a slice that runs in minutes on 2 cores."""


def default_study_path() -> Path:
    """Where the embedded default study lives: ``$QUANHENG_STUDY`` or the repo's ``studies/``."""
    env = os.environ.get("QUANHENG_STUDY")
    if env:
        return Path(env)
    for base in (Path(__file__).resolve().parent.parent, Path.cwd()):
        candidate = base / "studies" / DEFAULT_STUDY
        if (candidate / "study.yaml").exists():
            return candidate
    raise EnvironmentProblem(
        f"the default study studies/{DEFAULT_STUDY} was not found — run from the quanheng "
        "checkout (pip install -e .) or set QUANHENG_STUDY=/path/to/study"
    )


def write_outputs(study: Study, card: Scorecard, out: Path) -> list[Path]:
    """Write the scorecard as JSON, CSV and a Markdown summary under ``out``, then the report.

    Each file is written whole or not at all (:func:`~quanheng.report.output.write_atomic`);
    ``out`` is checked first, so an unwritable place is one line before any work.
    """
    from quanheng.report.api import report_scorecard  # charts and PDF: heavy, import when used
    from quanheng.report.output import prepare_output_dir, write_atomic

    prepare_output_dir(out)
    stem = f"{study.id}.{card.profile}"
    paths = [
        write_atomic(out / f"{stem}.scorecard.json", card.to_json() + "\n"),
        write_atomic(out / f"{stem}.scorecard.csv", card.to_frame().to_csv()),
        write_atomic(out / f"{stem}.md", summary_markdown(study, card)),
    ]

    paths += [p for p in report_scorecard(study, card, out) if p.suffix in (".html", ".pdf", ".md")]
    return paths


def summary_markdown(study: Study, card: Scorecard) -> str:
    """A short Markdown summary: ranking, screened-out subjects, coverage caveat.

    The words and layout are ``summary.md.j2`` among the report templates; this gives it the
    scorecard's rows and how to print a cell of them (pandas gives NaN where a value is missing).
    """
    from quanheng.report.templating import environment  # Jinja2: not for every CLI start

    names = {d: card.node_names[card.node_ids.index(d)] for d in card.dimensions}
    return (
        environment("md")
        .get_template("summary.md.j2")
        .render(
            study=study,
            card=card,
            dims=card.dimensions,
            names=names,
            rows=[row for _, row in card.to_frame().iterrows()],
            fixed=_fixed,
            pct=_pct,
            rank=_rank,
            missing=_missing,
        )
    )


def _missing(x: object) -> bool:
    try:
        return bool(x is None or x != x)
    except TypeError:  # pandas' <NA> (an Int64 rank) has no truth value: it is missing
        return True


def _fixed(x: object) -> str:
    return "—" if _missing(x) else f"{float(x):.3f}"  # type: ignore[arg-type]


def _pct(x: object) -> str:
    return "—" if _missing(x) else f"{float(x):.0%}"  # type: ignore[arg-type]


def _rank(x: object) -> str:
    return "—" if _missing(x) else str(int(x))  # type: ignore[call-overload]
