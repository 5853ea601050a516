"""Cohort-relative leaves with one or two values: reference scale or shrinkage, never 0/1."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pytest

import quanheng
from quanheng.scoring.sparse import MIN_OBSERVED, resolve_sparse
from quanheng.specs.normalisation import (
    Fixed,
    LogFixed,
    LogMinMax,
    MinMax,
    Reference,
    normalise_matrix,
)
from quanheng.text import Text

MINI = Path(__file__).parent.parent / "data" / "mini"
NAN = math.nan


def _scores(column: list[float], spec: MinMax | LogMinMax) -> np.ndarray:
    values = np.array(column, dtype=float)[:, None]
    used, _ = resolve_sparse(values, (spec,), ("L",))
    return normalise_matrix(values, used, ("higher",))[:, 0]


def test_one_value_scores_the_middle_not_the_top() -> None:
    np.testing.assert_allclose(_scores([9.0, NAN, NAN], MinMax()), [0.5, NAN, NAN])
    np.testing.assert_allclose(_scores([NAN, 1e9, NAN], LogMinMax()), [NAN, 0.5, NAN])


def test_two_values_score_a_quarter_from_each_end() -> None:
    # 5 and 9: order known, distance not: 0.25 and 0.75 (range 3..11)
    np.testing.assert_allclose(_scores([5.0, 9.0, NAN], MinMax()), [0.25, 0.75, NAN])
    # on the log scale: 10 and 1000 are 1 and 3 on log10, range 0..4 → 0.25, 0.75
    np.testing.assert_allclose(_scores([10.0, 1000.0, NAN], LogMinMax()), [0.25, 0.75, NAN])


def test_two_equal_values_count_as_one() -> None:
    np.testing.assert_allclose(_scores([4.0, 4.0, NAN], MinMax()), [0.5, 0.5, NAN])


def test_three_values_are_min_max_as_written() -> None:
    assert MIN_OBSERVED == 3
    np.testing.assert_allclose(_scores([5.0, 9.0, 7.0], MinMax()), [0.0, 1.0, 0.5])


def test_a_declared_reference_is_used_while_the_cohort_is_sparse() -> None:
    ref = Reference(min=0, max=20, basis=Text(en="test range"))
    np.testing.assert_allclose(_scores([5.0, NAN, NAN], MinMax(reference=ref)), [0.25, NAN, NAN])
    log_ref = Reference(min=1, max=1e4, basis=Text(en="four decades"))
    values = np.array([[100.0], [NAN]])
    used, sparse = resolve_sparse(values, (LogMinMax(reference=log_ref),), ("L",), "vendor")
    assert used == (LogFixed(min=1, max=1e4),)
    assert [(s.leaf, s.cohort, s.observed, s.how) for s in sparse] == [
        ("L", "vendor", 1, "reference")
    ]
    np.testing.assert_allclose(normalise_matrix(values, used, ("higher",))[:, 0], [0.5, NAN])


def test_lower_is_better_flips_the_shrunk_scale() -> None:
    values = np.array([[5.0], [9.0]])
    used, _ = resolve_sparse(values, (MinMax(),), ("L",))
    assert used == (Fixed(min=3.0, max=11.0),)
    np.testing.assert_allclose(normalise_matrix(values, used, ("lower",))[:, 0], [0.75, 0.25])


def _study_with(tmp_path: Path, a11: dict[str, float]) -> quanheng.Study:
    """The mini study with only these vendors reporting leaf A1.1 (a min–max count)."""
    study = tmp_path / "mini"
    shutil.copytree(MINI, study)
    facts = study / "evidence" / "facts.yaml"
    lines = [line for line in facts.read_text("utf-8").splitlines() if "A1.1" not in line]
    lines += [
        f'  - {{subject: {s}, indicator: A1.1, value: {v}, source: {{title: T}}, quote: "{v}",'
        " analyst: a}"
        for s, v in a11.items()
    ]
    facts.write_text("\n".join(lines) + "\n", "utf-8")
    return quanheng.load_study(study)


def test_one_more_vendor_does_not_flip_a_lone_score(tmp_path: Path) -> None:
    alone = quanheng.score(_study_with(tmp_path / "1", {"s1": 10}))
    two = quanheng.score(_study_with(tmp_path / "2", {"s1": 10, "s2": 60}))
    j = alone.node_ids.index("A1.1")
    row = alone.subjects.index("s1")
    assert alone.normalised[row, j] == pytest.approx(0.5)  # was 1.0 from one number
    assert two.normalised[row, j] == pytest.approx(0.25)  # was 0.0 once a second vendor came
    assert alone.lone_datum("s1", "A1.1") and not alone.lone_datum("s3", "A1.1")
    record = alone.to_dict()["sparse_leaves"]
    assert record == [
        {
            "cohort": "vendor",
            "leaf": "A1.1",
            "observed": 1,
            "how": "shrunk",
            "min": 0.0,
            "max": 20.0,
            "log": False,
        }
    ]


def test_the_simulation_uses_the_same_scale(tmp_path: Path) -> None:
    from quanheng.analysis import decision_data

    study = _study_with(tmp_path, {"s1": 10, "s2": 60})
    card = quanheng.score(study)
    data = decision_data(study, card)
    rows = [card.subjects.index(s) for s in data.subjects]
    np.testing.assert_allclose(data.normalised(), card.normalised[rows], equal_nan=True)
