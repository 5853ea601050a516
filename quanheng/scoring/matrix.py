"""The indicator matrix: subjects × leaves, each cell with value, uncertainty and provenance.

:func:`assemble` is where evidence (facts and analyst levels) and measurements (run metrics)
meet. For a ``measured`` leaf a measurement wins over a hand-entered value; the evidence stays in
the provenance. Nothing here is normalised: that is scoring's job.

Several measurements of one leaf (quanheng's own run and values imported from other harnesses)
are never averaged: one is shown, by a fixed precedence, and the others are kept beside it as
``conflicts`` so every output can say that they disagree. The precedence
(:func:`precedence`): an import made with ``--prefer imported`` first, then quanheng's own
run, then the most recent import.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from pydantic import BaseModel, ConfigDict

from quanheng.measure.measurement import Measurement
from quanheng.study import Study

__all__ = ["IndicatorMatrix", "assemble", "precedence"]


class IndicatorMatrix(BaseModel):
    """Raw leaf values with uncertainty and provenance; NaN where there is no data."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    subjects: tuple[str, ...]
    leaves: tuple[str, ...]
    values: np.ndarray
    low: np.ndarray
    high: np.ndarray
    spread: np.ndarray
    origin: dict[tuple[str, str], str]
    provenance: dict[tuple[str, str], tuple[str, ...]]
    measured: dict[tuple[str, str], Measurement] = {}
    """The measurement each measured cell shows (own run or imported)."""
    conflicts: dict[tuple[str, str], tuple[Measurement, ...]] = {}
    """Other measurements of the same cell, not shown, in precedence order."""

    @property
    def present(self) -> np.ndarray:
        """Mask of cells with data."""
        mask: np.ndarray = ~np.isnan(self.values)
        return mask

    def take(self, subjects: Iterable[str]) -> IndicatorMatrix:
        """The matrix restricted to some subjects, in the given order."""
        keep = list(subjects)
        rows = [self.subjects.index(s) for s in keep]
        return self.model_copy(
            update={
                "subjects": tuple(keep),
                "values": self.values[rows],
                "low": self.low[rows],
                "high": self.high[rows],
                "spread": self.spread[rows],
            }
        )


def assemble(study: Study, measurements: Iterable[Measurement] = ()) -> IndicatorMatrix:
    """Build the matrix from the study's consolidated evidence and any measurements."""
    subjects = tuple(s.id for s in study.subjects)
    leaves = study.framework.leaves
    leaf_ids = tuple(leaf.id for leaf in leaves)
    shape = (len(subjects), len(leaves))
    values = np.full(shape, np.nan)
    low = np.full(shape, np.nan)
    high = np.full(shape, np.nan)
    spread = np.zeros(shape)
    origin: dict[tuple[str, str], str] = {}
    provenance: dict[tuple[str, str], tuple[str, ...]] = {}
    row = {s: i for i, s in enumerate(subjects)}
    col = {leaf_id: j for j, leaf_id in enumerate(leaf_ids)}
    for (subject, indicator), cell in study.cells.items():
        if indicator not in col:
            continue  # a gate
        i, j = row[subject], col[indicator]
        values[i, j], low[i, j], high[i, j], spread[i, j] = (
            cell.value,
            cell.low,
            cell.high,
            cell.spread,
        )
        origin[(subject, indicator)] = "evidence"
        provenance[(subject, indicator)] = tuple(r.ref for r in cell.records)
    by_metric = {leaf.metric: leaf.id for leaf in leaves if leaf.kind == "measured" and leaf.metric}
    grouped: dict[tuple[str, str], list[Measurement]] = {}
    for m in measurements:
        leaf_id = by_metric.get(m.metric)
        if leaf_id is None or m.subject not in row:
            continue
        grouped.setdefault((m.subject, leaf_id), []).append(m)
    shown: dict[tuple[str, str], Measurement] = {}
    conflicts: dict[tuple[str, str], tuple[Measurement, ...]] = {}
    for key, candidates in grouped.items():
        first, *rest = precedence(candidates)
        i, j = row[key[0]], col[key[1]]
        values[i, j], low[i, j], high[i, j], spread[i, j] = first.value, first.low, first.high, 0.0
        origin[key] = "measured"
        provenance[key] = (*first.runs, *provenance.get(key, ()))
        shown[key] = first
        if rest:
            conflicts[key] = tuple(rest)
    return IndicatorMatrix(
        subjects=subjects,
        leaves=leaf_ids,
        values=values,
        low=low,
        high=high,
        spread=spread,
        origin=origin,
        provenance=provenance,
        measured=shown,
        conflicts=conflicts,
    )


def precedence(candidates: Iterable[Measurement]) -> list[Measurement]:
    """Several measurements of one cell in the order they are shown: the first one wins.

    An import made with ``--prefer imported`` comes first, then quanheng's own run (its answers
    are in the store, re-scored on every read), then other imports; imports of the same rank
    the most recent first.
    """
    newest = sorted(candidates, key=lambda m: m.imported.imported if m.imported else "")[::-1]
    return sorted(newest, key=_rank)


def _rank(m: Measurement) -> int:
    if m.imported is None:
        return 1
    return 0 if m.imported.preferred else 2
