"""Aggregation methods compared (quanheng.analysis.methods.compare_methods) on the mini study."""

from __future__ import annotations

from pathlib import Path

import quanheng
from quanheng.analysis import compare_methods, decision_data

MINI = Path(__file__).resolve().parents[1] / "data" / "mini"


def test_methods_compare_sum_geometric_and_topsis() -> None:
    study = quanheng.load_study(MINI)
    comp = compare_methods(decision_data(study, quanheng.score(study)))
    methods = {m.method: m for m in comp.methods}
    assert set(methods) == {"arithmetic", "geometric", "topsis"}
    assert methods["arithmetic"].ranks == (1, 2, 3) and methods["arithmetic"].tau == 1.0
    # s1 has the lowest count (A1.1 → 0): the geometric mean punishes that weak spot, and
    # ranks s2, s1, s3 (derived by hand in tests/scoring/test_engine.py)
    assert methods["geometric"].ranks == (2, 1, 3)
    assert not comp.same_top
    assert "median" in comp.note
