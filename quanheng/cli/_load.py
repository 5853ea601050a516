"""Load a study, read its run store once and score it: what every scoring command starts with."""

from __future__ import annotations

from pathlib import Path

from quanheng.measure.measurement import Measurement
from quanheng.scoring.engine import score
from quanheng.scoring.scorecard import Scorecard
from quanheng.study import Study, load_study

__all__ = ["measurements_of", "scored"]


def measurements_of(study: Study) -> list[Measurement]:
    """The study's measured values, read once from its run store (none if never measured)."""
    from quanheng.measure.pipeline import collect  # the pipeline imports the runner's HTTP stack

    return collect(study)


def scored(
    path: Path,
    profile: str | None = None,
    *,
    aggregation: str | None = None,
    missing: str | None = None,
) -> tuple[Study, Scorecard]:
    """The study at ``path`` and its scorecard under ``profile``, the store read once."""
    study = load_study(path)
    card = score(
        study,
        profile,
        measurements=measurements_of(study),
        aggregation=aggregation,
        missing=missing,
    )
    return study, card
