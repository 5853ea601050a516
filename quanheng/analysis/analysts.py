"""Several analysts on one study: how far do they agree, and which cells need a second look?

Evidence from several analysts for one cell is consolidated into a median with the range kept
as uncertainty (:func:`quanheng.evidence.consolidate`); the simulation moves such rubric cells
±1 level. This module reports the agreement behind those medians: Krippendorff's alpha
(ordinal — rubric levels are ordered, not evenly spaced) per dimension over the rubric cells
that at least two analysts scored, and the cells whose levels are two or more apart, which a
reviewer should settle before the numbers are published.
"""

from __future__ import annotations

import math
import statistics
from typing import Any

import numpy as np

from quanheng.analysis._results import Result, num
from quanheng.framework import Framework
from quanheng.mcda.agreement import flag_disagreements, krippendorff_alpha
from quanheng.study import Study

__all__ = ["AgreementResult", "DimensionAgreement", "FlaggedCell", "analyst_agreement"]


class DimensionAgreement(Result):
    """Krippendorff's alpha over one dimension's rubric cells with two or more analysts."""

    dimension: str
    alpha: float | None
    cells: int
    analysts: tuple[str, ...]


class FlaggedCell(Result):
    """A rubric cell whose analysts are two or more levels apart."""

    subject: str
    leaf: str
    levels: tuple[tuple[str, float], ...]

    @property
    def spread(self) -> float:
        """Highest minus lowest level."""
        values = [v for _, v in self.levels]
        return max(values) - min(values)


class AgreementResult(Result):
    """Agreement per dimension and the cells flagged for review."""

    dimensions: tuple[DimensionAgreement, ...]
    flagged: tuple[FlaggedCell, ...]

    def flagged_for(self, subject: str) -> tuple[FlaggedCell, ...]:
        """The flagged cells of one subject."""
        return tuple(c for c in self.flagged if c.subject == subject)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "dimensions": [
                {
                    "dimension": d.dimension,
                    "alpha": None if d.alpha is None else num(d.alpha),
                    "cells": d.cells,
                    "analysts": list(d.analysts),
                }
                for d in self.dimensions
            ],
            "flagged": [
                {
                    "subject": c.subject,
                    "leaf": c.leaf,
                    "levels": {a: num(v) for a, v in c.levels},
                    "spread": num(c.spread),
                }
                for c in self.flagged
            ],
        }


def _dimension_of(fw: Framework) -> dict[str, str]:
    out: dict[str, str] = {}
    for dim in fw.tree:

        def rec(node: Any, dim_id: str = dim.id) -> None:
            out[node.id] = dim_id
            for child in node.children:
                rec(child)

        rec(dim)
    return out


def analyst_agreement(study: Study, *, min_gap: float = 2.0) -> AgreementResult:
    """Krippendorff's alpha per dimension and the flagged cells of a study's rubric evidence.

    An analyst who wrote several records for one cell counts once, with the median of their
    levels. Alpha is ``None`` where it is undefined (fewer than two pairable ratings, or a
    single level used throughout).
    """
    fw = study.framework
    rubric = {leaf.id for leaf in fw.leaves if leaf.kind == "rubric"}
    dim_of = _dimension_of(fw)
    levels: dict[tuple[str, str], dict[str, float]] = {}
    for (subject, indicator), cell in study.cells.items():
        if indicator not in rubric:
            continue
        by_analyst: dict[str, list[float]] = {}
        for rec in cell.records:
            by_analyst.setdefault(rec.analyst, []).append(float(rec.value))
        if len(by_analyst) >= 2:
            levels[(subject, indicator)] = {
                a: float(statistics.median(v)) for a, v in sorted(by_analyst.items())
            }
    dims = []
    for dim in fw.tree:
        cells = sorted(k for k in levels if dim_of.get(k[1]) == dim.id)
        analysts = tuple(sorted({a for k in cells for a in levels[k]}))
        alpha: float | None = None
        if cells:
            data = np.full((len(analysts), len(cells)), np.nan)
            for u, key in enumerate(cells):
                for r, analyst in enumerate(analysts):
                    data[r, u] = levels[key].get(analyst, np.nan)
            value = krippendorff_alpha(data, "ordinal")
            alpha = None if math.isnan(value) else value
        dims.append(
            DimensionAgreement(dimension=dim.id, alpha=alpha, cells=len(cells), analysts=analysts)
        )
    ordered = dict(sorted(levels.items()))
    flagged = flag_disagreements({k: list(v.values()) for k, v in ordered.items()}, min_gap)
    return AgreementResult(
        dimensions=tuple(dims),
        flagged=tuple(
            FlaggedCell(subject=s, leaf=leaf, levels=tuple(ordered[(s, leaf)].items()))
            for s, leaf in flagged
        ),
    )
