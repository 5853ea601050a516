"""One call from a study directory to the written report: what the CLI and the demo use.

:func:`report` is what ``quanheng.report(...)`` calls: a scored study (or a study directory) to
its written report, reusing an analysis already run.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from quanheng.analysis import Analysis, analyse
from quanheng.errors import InputError
from quanheng.report.content import analysis_for_report, build_report
from quanheng.report.i18n import LANGS
from quanheng.report.output import prepare_output_dir
from quanheng.report.pdf import PdfEngine
from quanheng.report.render import FORMATS, write_report
from quanheng.scoring.engine import score
from quanheng.scoring.scorecard import Scorecard
from quanheng.study import Study, load_study

__all__ = ["report", "report_scorecard", "report_study"]


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
    analysis: Analysis | None = None,
) -> list[Path]:
    """Analyse (``draws`` > 0) and write the report of a scored study; return the files.

    An ``analysis`` of this card (:func:`~quanheng.analysis.analyse`) is used as it is, instead
    of analysing again (its draws and seed are then the report's).

    With ``memo`` (and ``draws`` > 0) the report opens with the decision memo of its profile
    (:mod:`~quanheng.report.memo`), from :func:`~quanheng.analysis.recommend` with the same
    draws and seed as ``quanheng recommend``.

    ``study_path`` is the study as the user named it, for the report's reproduce command.

    ``out`` is checked first (see :func:`~quanheng.report.output.prepare_output_dir`): an
    unwritable directory is one line before the simulation, not a traceback after it.
    """
    prepare_output_dir(out)
    if analysis is not None:
        _check_same(analysis, card)
        draws, seed = analysis.simulation.draws, analysis.simulation.seed
    elif draws > 0:
        analysis = analyse(study, card, draws=draws, seed=seed)
    shown = analysis_for_report(analysis, card) if analysis is not None else None
    data = build_report(study, card, shown, matrix=card.matrix, study_path=study_path)
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


def report(
    study: Study | str | Path,
    card: Scorecard | None = None,
    out: str | Path = "report",
    *,
    analysis: Analysis | None = None,
    profile: str | None = None,
    langs: Sequence[str] = LANGS,
    formats: Sequence[str] = FORMATS,
    draws: int = 10_000,
    seed: int = 0,
    pdf_engine: PdfEngine = "auto",
    memo: bool | None = None,
) -> list[Path]:
    """Write the report of a study into ``out``; return the files written.

    >>> quanheng.report(study, card, "out", analysis=analysis)     # doctest: +SKIP
    >>> quanheng.report("studies/cn-llm-vendors-2024", out="out")   # doctest: +SKIP

    Args:
        study: a loaded study, or a study directory (then, without ``card``, its run store is
            read once and it is scored under ``profile``).
        card: its scorecard (:func:`quanheng.score`); nothing is scored again.
        out: the output directory.
        analysis: the card's analysis (:func:`quanheng.analyse`), reused instead of analysing
            again; otherwise ``draws`` > 0 analyses (``draws=0``: a report without one).
        profile: the profile to score under, when no ``card`` is given.
        langs, formats, pdf_engine: as the ``report`` command's options.
        memo: open with the profile's decision memo (default: when the profile is not the
            framework's own weights).
    """
    if card is None:
        loaded = study if isinstance(study, Study) else load_study(study)
        from quanheng.measure.pipeline import collect  # the pipeline imports the HTTP stack

        prepare_output_dir(Path(out))  # before the store is read and the scores computed
        card = score(loaded, profile, measurements=collect(loaded))
    elif profile is not None and profile != card.profile:
        raise InputError.single(
            "profile",
            None,
            f"{profile!r} is not the scorecard's profile ({card.profile!r})",
            "leave profile out when giving a scorecard, or score under that profile",
        )
    else:
        loaded = study if isinstance(study, Study) else load_study(study)
    if loaded.id != card.study:
        raise InputError.single(
            "card",
            None,
            f"the scorecard is of study {card.study!r}, not {loaded.id!r}",
            "give the study the scorecard was scored from",
        )
    return report_scorecard(
        loaded,
        card,
        Path(out),
        langs=langs,
        formats=formats,
        draws=draws,
        seed=seed,
        pdf_engine=pdf_engine,
        study_path=None if isinstance(study, Study) else str(study),
        memo=card.profile != "default" if memo is None else memo,
        analysis=analysis,
    )


def _check_same(analysis: Analysis, card: Scorecard) -> None:
    if (analysis.study, analysis.profile) != (card.study, card.profile):
        raise InputError.single(
            "analysis",
            None,
            f"the analysis is of {analysis.study} under {analysis.profile!r}, the scorecard of "
            f"{card.study} under {card.profile!r}",
            "analyse the scorecard being reported (quanheng.analyse(study, card))",
        )
