"""DecisionData from a scorecard: the ranked cohort, its arrays, and what comes from the card.

The numbers are the mini study's (``tests/data/mini``): s1, s2, s3 are vendors with data, "out"
fails the market gate and m1 is a model without data.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pytest

import quanheng
from quanheng.analysis.inputs import DecisionData, decision_data
from quanheng.errors import InputError

MINI = Path(__file__).resolve().parents[1] / "data" / "mini"
NAN = math.nan


def with_models(tmp_path: Path, models: int) -> Path:
    """The mini study with ``models`` models m1.. that pass the gate and have one A1.1 value."""
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    study = root / "study.yaml"
    extra = "".join(
        f"  - {{id: m{i}, kind: model, vendor: s1, name: {{zh: 模{i}, en: M{i}}}}}\n"
        for i in range(2, models + 1)
    )
    text = study.read_text(encoding="utf-8").replace("profiles:\n", extra + "profiles:\n")
    study.write_text(text, encoding="utf-8")
    records = "".join(
        f"  - {{subject: m{i}, indicator: market, value: true, source: {{title: T}}, quote: q, "
        f"analyst: a}}\n"
        f"  - {{subject: m{i}, indicator: A1.1, value: {i * 5}, source: {{title: T}}, quote: q, "
        f"analyst: a}}\n"
        for i in range(1, models + 1)
    )
    (root / "evidence" / "models.yaml").write_text(
        f"format: quanheng/evidence@1\nrecords:\n{records}", encoding="utf-8"
    )
    return root


@pytest.fixture(scope="module")
def mini() -> DecisionData:
    study = quanheng.load_study(MINI)
    return decision_data(study, quanheng.score(study))


def test_only_the_ranked_subjects_of_one_cohort_in_study_order(mini: DecisionData) -> None:
    assert mini.subjects == ("s1", "s2", "s3")
    assert mini.leaf_ids == ("A1.1", "A1.2", "A2.1", "B1.1", "B1.2")
    assert mini.rubric.tolist() == [False, True, False, False, False]  # A1.2 is the rubric


def test_values_ranges_and_spread_come_from_the_evidence(mini: DecisionData) -> None:
    # facts.yaml and exam.csv; s3's exam has two analysts (40 and 50): value 45, spread 10
    np.testing.assert_array_equal(
        mini.values,
        [[10, 5, 80, 10, 100], [20, 2, 60, 100, 125], [30, NAN, 45, 1000, NAN]],
    )
    # s1's exam range is 70..90; a value without a range is its own low and high
    np.testing.assert_array_equal(
        mini.low, [[10, 5, 70, 10, 100], [20, 2, 60, 100, 125], [30, NAN, 40, 1000, NAN]]
    )
    np.testing.assert_array_equal(
        mini.high, [[10, 5, 90, 10, 100], [20, 2, 60, 100, 125], [30, NAN, 50, 1000, NAN]]
    )
    assert mini.spread[2, 2] == 10.0 and float(np.nansum(mini.spread)) == 10.0


def test_normalised_point_scores_by_hand(mini: DecisionData) -> None:
    # A1.1 minmax over 10, 20, 30; A1.2 rubric level / 5; A2.1 fixed 0..100;
    # B1.1 log_minmax, lower is better, over 10, 100, 1000; B1.2 target 100 ± 50 (125 → 0.5);
    # missing stays NaN under the drop policy
    np.testing.assert_allclose(
        mini.normalised(),
        [[0, 1, 0.8, 1, 1], [0.5, 0.4, 0.6, 0.5, 0.5], [1, NAN, 0.45, 0, NAN]],
        rtol=0,
        atol=1e-12,
    )


def test_weights_and_policies_are_taken_from_the_card() -> None:
    study = quanheng.load_study(MINI)
    card = quanheng.score(study, "beta-heavy", aggregation="geometric")
    data = decision_data(study, card)
    # the profile's A: 1, B: 3 become local weights 0.25 and 0.75 (ids end A, B1, B, overall)
    assert data.weights[study.framework.compiled.ids.index("A")] == 0.25
    assert data.weights[study.framework.compiled.ids.index("B")] == 0.75
    np.testing.assert_array_equal(data.weights, card.weights)
    assert (data.aggregation, data.missing) == ("geometric", "drop")
    assert data.profile is not None and data.profile.pilots == ("try beta things",)
    assert data.card is card
    halved = data.with_weights(data.weights / 2)
    assert halved.weights[study.framework.compiled.ids.index("B")] == 0.375
    assert data.weights[study.framework.compiled.ids.index("B")] == 0.75  # a copy


def test_the_cohort_is_the_larger_one_unless_one_is_asked_for(tmp_path: Path) -> None:
    one = quanheng.load_study(with_models(tmp_path / "one", 1))
    card = quanheng.score(one)
    assert decision_data(one, card).subjects == ("s1", "s2", "s3")  # 3 vendors > 1 model
    assert decision_data(one, card, kind="model").subjects == ("m1",)
    four = quanheng.load_study(with_models(tmp_path / "four", 4))
    # 4 models > 3 vendors: the models, in study order
    assert decision_data(four, quanheng.score(four)).subjects == ("m1", "m2", "m3", "m4")


def test_the_cohort_tie_goes_to_the_vendors(tmp_path: Path) -> None:
    three = quanheng.load_study(with_models(tmp_path, 3))
    assert decision_data(three, quanheng.score(three)).subjects == ("s1", "s2", "s3")


def test_nothing_rankable_is_an_input_error_naming_the_profile() -> None:
    study = quanheng.load_study(MINI)
    card = quanheng.score(study)
    with pytest.raises(InputError, match="no subject can be ranked under profile 'default'"):
        decision_data(study, card, kind="model")  # m1, the only model, has no data


def test_a_card_without_its_matrix_is_refused() -> None:
    study = quanheng.load_study(MINI)
    card = quanheng.score(study).model_copy(update={"matrix": None})
    with pytest.raises(ValueError, match="carries no indicator matrix"):
        decision_data(study, card)
