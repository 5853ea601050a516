"""Analyst agreement (quanheng.analysis.analysts.analyst_agreement) on the mini study."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import quanheng
from quanheng.analysis import analyst_agreement
from quanheng.mcda.agreement import krippendorff_alpha


def test_agreement_per_dimension_and_flagged_cells(two_analysts: Path) -> None:
    study = quanheng.load_study(two_analysts)
    result = analyst_agreement(study)
    a, b = result.dimensions
    assert (a.dimension, a.cells, a.analysts) == ("A", 2, ("a", "b"))
    assert b.cells == 0 and b.alpha is None
    # analysts a, b × cells (s1, A1.2), (s2, A1.2): a gave 5 and 2, b gave 2 and 3
    assert a.alpha == pytest.approx(krippendorff_alpha(np.array([[5, 2], [2, 3]]), "ordinal"))
    # s1: 5 vs 2 → spread 3 is flagged; s2: 2 vs 3 → spread 1 is not
    assert [(c.subject, c.leaf, c.spread) for c in result.flagged] == [("s1", "A1.2", 3.0)]
    assert [c.leaf for c in result.flagged_for("s1")] == ["A1.2"]
    assert result.flagged_for("s2") == ()
