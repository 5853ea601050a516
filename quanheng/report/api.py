"""One call from a study directory to the written report: what the CLI and the demo use."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from quanheng.analysis import analyse
from quanheng.report.content import analysis_for_report, build_report
from quanheng.report.i18n import LANGS
from quanheng.report.output import prepare_output_dir
from quanheng.report.pdf import PdfEngine
from quanheng.report.render import FORMATS, write_report
from quanheng.scoring.engine import score
from quanheng.scoring.scorecard import Scorecard
from quanheng.study import Study, load_study

__all__ = ["report_scorecard", "report_study"]


def report_scorecard(
    study: Study,
    card: Scorecard,
    out: Path,
    *,
    langs: Sequence[str] = LANGS,
    formats: Sequence[str] = FORMATS,
    draws: int = 10_000,
    seed: int = 0,
    pdf_engine: PdfEngine = "auto",
    study_path: str | None = None,
    memo: bool = False,
) -> list[Path]:
    """Analyse (``draws`` > 0) and write the report of a scored study; return the files.

    With ``memo`` (and ``draws`` > 0) the report opens with the decision memo of its profile
    (:mod:`~quanheng.report.memo`), from :func:`~quanheng.analysis.recommend` with the same
    draws and seed as ``quanheng recommend``.

    ``study_path`` is the study as the user named it, for the report's reproduce command.

    ``out`` is checked first (see :func:`~quanheng.report.output.prepare_output_dir`): an
    unwritable directory is one line before the simulation, not a traceback after it.
    """
    prepare_output_dir(out)
    analysis = None
    if draws > 0:
        analysis = analysis_for_report(analyse(study, card, draws=draws, seed=seed), card)
    data = build_report(study, card, analysis, matrix=card.matrix, study_path=study_path)
    memo_data = None
    if memo and draws > 0:
        from quanheng.analysis import recommend
        from quanheng.report.memo import build_memo

        memo_data = build_memo(study, recommend(study, card, draws=draws, seed=seed))
    return write_report(
        data, out, langs=langs, formats=formats, pdf_engine=pdf_engine, memo=memo_data
    )


def report_study(
    path: str | Path,
    out: Path,
    *,
    profile: str | None = None,
    langs: Sequence[str] = LANGS,
    formats: Sequence[str] = FORMATS,
    draws: int = 10_000,
    seed: int = 0,
    pdf_engine: PdfEngine = "auto",
) -> list[Path]:
    """Load a study directory, read its run store once, score, analyse and report it; a
    report for a ``profile`` opens with that use case's decision memo."""
    from quanheng.measure.pipeline import collect  # the pipeline imports the HTTP stack

    study = load_study(path)
    prepare_output_dir(out)  # before the store is read and the scores computed
    card = score(study, profile, measurements=collect(study))
    return report_scorecard(
        study,
        card,
        out,
        langs=langs,
        formats=formats,
        draws=draws,
        seed=seed,
        pdf_engine=pdf_engine,
        memo=profile is not None,  # a report made for a use case opens with its memo
    )
