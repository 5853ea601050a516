"""Where the report's measured values came from, when that is not only quanheng's own runs.

A measured cell imported from another harness (``quanheng import``), or measured more than once
(quanheng's run and an import, or two imports), is listed in the evidence appendix with every
measurement of it: value, interval, ``n``, how the interval was computed and the origin —
harness, version, task, metric, file and its SHA-256, when it ran and when it was imported. The
one the score uses comes first; the others are shown beside it, never merged. Cells measured by
quanheng alone are not listed: their run ids are in ``score --json`` and ``quanheng runs``.
"""

from __future__ import annotations

from dataclasses import dataclass

from quanheng.measure.measurement import Measurement
from quanheng.scoring.matrix import IndicatorMatrix
from quanheng.scoring.scorecard import Scorecard
from quanheng.text import Name

__all__ = ["MeasuredOrigin", "OriginEntry", "measured_origins"]


@dataclass(frozen=True)
class OriginEntry:
    """One measurement of a cell and where it came from."""

    value: float
    low: float
    high: float
    n: int
    interval: str
    """``bootstrap``, ``stderr``, ``wilson`` or ``none`` (own runs: ``bootstrap``)."""
    source: str
    """``run`` (quanheng's own) or ``imported``."""
    harness: str | None
    version: str | None
    task: str | None
    metric: str | None
    file: str | None
    sha256: str | None
    run_date: str | None
    imported: str | None
    ids: tuple[str, ...]
    shown: bool
    preferred: bool


@dataclass(frozen=True)
class MeasuredOrigin:
    """A measured cell of one subject with every measurement of it, the shown one first."""

    subject: str
    subject_name: Name
    leaf: str
    leaf_name: Name
    entries: tuple[OriginEntry, ...]

    @property
    def conflict(self) -> bool:
        """Whether the cell was measured more than once (the values are not merged)."""
        return len(self.entries) > 1


def measured_origins(card: Scorecard, matrix: IndicatorMatrix) -> tuple[MeasuredOrigin, ...]:
    """Imported or conflicting measured cells, subject by subject in the card's order."""
    out: list[MeasuredOrigin] = []
    for i in card.order():
        sid = card.subjects[i]
        for leaf in matrix.leaves:
            shown = matrix.measured.get((sid, leaf))
            others = matrix.conflicts.get((sid, leaf), ())
            if shown is None or (shown.imported is None and not others):
                continue
            k = card.node_ids.index(leaf)
            entries = tuple(_entry(m, shown=j == 0) for j, m in enumerate((shown, *others)))
            out.append(
                MeasuredOrigin(sid, card.subject_names[i], leaf, card.node_names[k], entries)
            )
    return tuple(out)


def _entry(m: Measurement, *, shown: bool) -> OriginEntry:
    src = m.imported
    return OriginEntry(
        value=m.value,
        low=m.low,
        high=m.high,
        n=m.n,
        interval="bootstrap" if src is None else src.interval,
        source="run" if src is None else "imported",
        harness=None if src is None else src.harness,
        version=None if src is None else src.harness_version,
        task=None if src is None else src.task,
        metric=None if src is None else src.source_metric,
        file=None if src is None else src.file,
        sha256=None if src is None else src.sha256,
        run_date=None if src is None else src.date,
        imported=None if src is None else src.imported,
        ids=m.runs,
        shown=shown,
        preferred=False if src is None else src.preferred,
    )
