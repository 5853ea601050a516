"""SMAA simulation: the properties the issue requires, exactly on the mini study."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

import quanheng
from quanheng.analysis import DecisionData, decision_data, simulate
from quanheng.analysis._values import ValueSampler
from quanheng.analysis.simulate import draw_weights, point_scores, uncertain_cells

MINI = Path(__file__).parent.parent / "data" / "mini"
INF = float("inf")


@pytest.fixture(scope="module")
def mini() -> DecisionData:
    study = quanheng.load_study(MINI)
    return decision_data(study, quanheng.score(study))


def fixed(data: DecisionData) -> DecisionData:
    """The same problem with every evidence range closed and no analyst spread."""
    return dataclasses.replace(
        data, low=data.values, high=data.values, spread=np.zeros_like(data.spread)
    )


def test_ranked_cohort_is_the_vendors_with_data(mini: DecisionData) -> None:
    # "out" fails the gate; "m1" is a model with no data (and another cohort)
    assert mini.subjects == ("s1", "s2", "s3")
    assert mini.values.shape == (3, 5)


def test_point_scores_are_the_scorecards(mini: DecisionData) -> None:
    np.testing.assert_allclose(point_scores(mini), [0.79, 0.515, 0.435])
    study = quanheng.load_study(MINI)
    geo = decision_data(study, quanheng.score(study, aggregation="geometric"))
    card = quanheng.score(quanheng.load_study(MINI), aggregation="geometric")
    np.testing.assert_allclose(point_scores(geo), card.overall[:3])


def test_zero_width_and_infinite_concentration_collapse_to_the_point(mini: DecisionData) -> None:
    # s3 has a missing cell: with it ignored, nothing else varies
    result = simulate(fixed(mini), draws=500, seed=3, concentration=INF, missing_model="ignore")
    np.testing.assert_allclose(result.q05, [0.79, 0.515, 0.435], rtol=0, atol=1e-12)
    np.testing.assert_allclose(result.q95, [0.79, 0.515, 0.435], rtol=0, atol=1e-12)
    np.testing.assert_allclose(result.mean, [0.79, 0.515, 0.435], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(result.rank_acceptability, np.eye(3))
    np.testing.assert_array_equal(result.pairwise, np.triu(np.ones((3, 3)), 1))
    assert result.uncertain_cells == 0 and result.value_model == "fixed"


def test_dimension_intervals_collapse_to_the_point_dimension_scores(mini: DecisionData) -> None:
    card = quanheng.score(quanheng.load_study(MINI))
    rows = [card.subjects.index(s) for s in mini.subjects]
    result = simulate(
        fixed(mini),
        draws=500,
        seed=3,
        concentration=INF,
        nodes=["A", "B", "A1"],
        missing_model="ignore",
    )
    assert result.interval_nodes == ("A", "B", "A1")
    for k, node in enumerate(result.interval_nodes):
        point = card.column(node)[rows]
        np.testing.assert_allclose(result.node_q05[:, k], point, rtol=0, atol=1e-12)
        np.testing.assert_allclose(result.node_q95[:, k], point, rtol=0, atol=1e-12)
    default = simulate(fixed(mini), draws=50, seed=3, concentration=INF)
    assert default.interval_nodes == ("A", "B")  # the dimensions


def test_dimension_intervals_widen_with_uncertainty_and_reach_the_json(mini: DecisionData) -> None:
    result = simulate(mini, draws=2000, seed=5, concentration=50.0)
    assert np.all(result.node_q05 <= result.node_q95)
    assert np.any(result.node_q95 - result.node_q05 > 0.01)
    same = simulate(mini, draws=2000, seed=5, concentration=50.0, workers=1)
    assert same.to_json() == result.to_json()
    s1 = next(s for s in result.to_dict()["subjects"] if s["id"] == "s1")
    assert set(s1["node_intervals_90"]) == {"A", "B"}
    assert s1["node_intervals_90"]["A"][0] <= s1["node_intervals_90"]["A"][1]
    with pytest.raises(ValueError, match="unknown node ids"):
        simulate(mini, draws=10, nodes=["nope"])


def test_vary_values_false_is_the_same_as_closed_ranges(mini: DecisionData) -> None:
    a = simulate(mini, draws=300, seed=1, concentration=50.0, vary_values=False)
    b = simulate(fixed(mini), draws=300, seed=1, concentration=50.0, missing_model="ignore")
    assert a.to_json() == b.to_json()  # weights only: missing cells are not drawn either


@pytest.mark.parametrize("concentration", [5.0, "uniform"])
def test_rank_acceptability_rows_and_columns_sum_to_one(
    mini: DecisionData, concentration: float | str
) -> None:
    result = simulate(mini, draws=3000, seed=7, concentration=concentration)  # type: ignore[arg-type]
    acc = result.rank_acceptability
    np.testing.assert_allclose(acc.sum(axis=1), 1.0)
    np.testing.assert_allclose(acc.sum(axis=0), 1.0)
    assert 0 < result.p_best[2] < 1  # uncertainty is real: s3 wins on its count sometimes
    pair = result.pairwise
    np.testing.assert_allclose(pair + pair.T + np.eye(3), 1.0)
    assert np.all(result.q05 <= result.q95)


def test_ties_share_their_ranks_so_columns_still_sum_to_one(mini: DecisionData) -> None:
    twin = dataclasses.replace(
        fixed(mini),
        subjects=("a", "b"),
        values=np.repeat(fixed(mini).values[:1], 2, axis=0),
        low=np.repeat(fixed(mini).values[:1], 2, axis=0),
        high=np.repeat(fixed(mini).values[:1], 2, axis=0),
        spread=np.zeros((2, 5)),
    )
    result = simulate(twin, draws=100, seed=0, concentration=10.0)
    np.testing.assert_allclose(result.rank_acceptability, 0.5)
    np.testing.assert_allclose(result.pairwise, [[0, 0.5], [0.5, 0]])


def test_a_dominant_subject_is_best_with_probability_one(mini: DecisionData) -> None:
    # leaves: A1.1 count (min–max), A1.2 rubric, A2.1 exam (fixed 0..100), B1.1 price (lower,
    # log), B1.2 length (target 100 ± 50). "top" is best on every leaf in every draw.
    values = np.array(
        [
            [50.0, 5.0, 100.0, 5.0, 100.0],
            [20.0, 3.0, 60.0, 100.0, 125.0],
            [30.0, 2.0, 50.0, 1000.0, 80.0],
        ]
    )
    low = values - np.array([[0, 0, 0, 0, 0], [10, 0, 20, 50, 10], [10, 0, 20, 500, 10]])
    high = values + np.array([[0, 0, 0, 0, 0], [10, 0, 20, 50, 10], [10, 0, 20, 500, 10]])
    spread = np.array([[0, 0, 0, 0, 0], [0, 1, 0, 0, 0], [0, 2, 0, 0, 0]], dtype=float)
    data = dataclasses.replace(
        mini, subjects=("top", "b", "c"), values=values, low=low, high=high, spread=spread
    )
    for concentration in (100.0, "uniform"):
        result = simulate(data, draws=4000, seed=11, concentration=concentration)  # type: ignore[arg-type]
        assert result.p_best.tolist() == [1.0, 0.0, 0.0]
        assert result.pairwise[0, 1:].tolist() == [1.0, 1.0]
        assert result.q05[0] == pytest.approx(1.0)


def test_same_seed_same_bytes_other_seed_other_bytes(mini: DecisionData) -> None:
    a = simulate(mini, draws=2500, seed=5, workers=1).to_json()
    b = simulate(mini, draws=2500, seed=5, workers=3).to_json()
    c = simulate(mini, draws=2500, seed=6).to_json()
    assert a == b
    assert a != c


def test_central_weights_are_local_weights_of_the_winning_draws(mini: DecisionData) -> None:
    result = simulate(mini, draws=3000, seed=2, concentration="uniform")
    tree = mini.tree
    for i in range(3):
        if result.p_best[i] == 0:
            assert np.isnan(result.central_weights[i]).all()
            continue
        for p in tree.inner:
            kids = tree.children[p]
            assert result.central_weights[i, kids].sum() == pytest.approx(1.0)
    # s1 leads on B (price, length), s3 on A1.1 (count): the draws each wins lean its way
    b, a11 = tree.index["B"], tree.index["A1.1"]
    assert result.central_weights[0, b] > result.central_weights[2, b] + 0.2
    assert result.central_weights[2, a11] > result.central_weights[0, a11] + 0.1


def test_dirichlet_draws_centre_on_the_profile_and_tighten_with_concentration(
    mini: DecisionData,
) -> None:
    rng = np.random.default_rng(0)
    tree = mini.tree
    loose = draw_weights(rng, tree, mini.weights, 20_000, 10.0)
    tight = draw_weights(rng, tree, mini.weights, 20_000, 1000.0)
    a = tree.index["A"]
    assert loose[:, a].mean() == pytest.approx(0.6, abs=0.01)
    assert tight[:, a].std() < loose[:, a].std() / 5
    uniform = draw_weights(rng, tree, mini.weights, 20_000, "uniform")
    assert uniform[:, a].mean() == pytest.approx(0.5, abs=0.01)
    # single children keep weight 1; every parent's draws sum to 1
    assert np.all(uniform[:, tree.index["A2.1"]] == 1.0)
    for p in tree.inner:
        np.testing.assert_allclose(uniform[:, tree.children[p]].sum(axis=1), 1.0)


def test_values_are_drawn_within_their_evidence(mini: DecisionData) -> None:
    uncertain, step = uncertain_cells(mini)
    # s1 A2.1 has a range 70..90; s3 A2.1 two analysts (40, 50) → range 40..50
    assert uncertain.sum() == 2 and not step.any()
    sampler = ValueSampler(
        mini.values,
        mini.low,
        mini.high,
        uncertain,
        step,
        mini.specs,
        mini.directions,
        missing="drop",
        geometric=False,
        model="triangular",
    )
    draws = sampler.sample(np.random.default_rng(0), 20_000)  # (V, S, n) normalised
    s1, s2, s3 = draws[0, 0], draws[0, 1], draws[0, 2]
    assert s1.min() >= 0.70 and s1.max() <= 0.90
    assert s1.mean() == pytest.approx((0.7 + 0.8 + 0.9) / 3, abs=0.003)  # triangular mean
    assert np.all(s2 == np.float32(0.6))  # no range: the point value
    assert s3.min() >= 0.40 and s3.max() <= 0.50
    assert s3.mean() == pytest.approx((0.40 + 0.45 + 0.50) / 3, abs=0.003)


def test_rubric_cells_with_disagreeing_analysts_move_one_level(mini: DecisionData) -> None:
    spread = np.zeros_like(mini.spread)
    spread[1, 1] = 2.0  # s2 on the rubric leaf A1.2 (level 2): analysts disagree
    data = dataclasses.replace(fixed(mini), spread=spread)
    uncertain, step = uncertain_cells(data)
    assert step.sum() == 1 and uncertain.sum() == 1
    sampler = ValueSampler(
        data.values,
        data.low,
        data.high,
        uncertain,
        step,
        data.specs,
        data.directions,
        missing="drop",
        geometric=False,
        model="triangular",
    )
    levels = sampler.sample(np.random.default_rng(1), 9000)[0, 1] * 5
    values, counts = np.unique(np.round(levels, 5), return_counts=True)
    assert values.tolist() == [1.0, 2.0, 3.0]
    assert np.allclose(counts / 9000, 1 / 3, atol=0.02)


def test_uncertainty_widens_the_interval(mini: DecisionData) -> None:
    result = simulate(mini, draws=4000, seed=0, concentration=INF)
    width = result.q95 - result.q05
    assert width[0] > 0.01 and width[2] > 0.005  # s1 and s3 have uncertain exam scores
    assert width[1] == pytest.approx(0.0, abs=1e-6)  # s2 has none; min–max leaves unaffected


def test_json_lists_subjects_with_intervals_and_rank_probabilities(mini: DecisionData) -> None:
    data = simulate(mini, draws=1000, seed=0).to_dict()
    first = data["subjects"][0]
    assert first["id"] == "s1" and first["rank"] == 1
    assert len(first["rank_probabilities"]) == 3
    assert set(first) >= {"point", "mean", "interval_90", "p_best", "central_weights"}
    assert data["settings"]["draws"] == 1000


def test_row_quantiles_in_bands_equal_one_quantile_call() -> None:
    from concurrent.futures import ThreadPoolExecutor

    from quanheng.analysis.simulate import _row_quantiles

    rows = np.random.default_rng(3).normal(size=(7, 1001))
    expected = np.quantile(rows, [0.05, 0.95], axis=1)
    with ThreadPoolExecutor(2) as pool:
        q05, q95 = _row_quantiles(rows.copy(), pool, 3)
    np.testing.assert_array_equal(q05, expected[0])
    np.testing.assert_array_equal(q95, expected[1])


def test_rank_stats_order_float64_scores_exactly_where_float32_would_tie() -> None:
    from quanheng.analysis.simulate import _rank_stats

    # distinct in float64, equal once rounded to float32: must not be ranked as a tie
    scores = np.array([[1.0, 1.0 + 1e-12, 0.5], [0.2, 0.1, 0.3]])
    counts, pair, best = _rank_stats(scores, np.ones((2, 1)))
    np.testing.assert_array_equal(counts, [[0, 2, 0], [1, 0, 1], [1, 0, 1]])
    assert pair[1, 0] == 1 and pair[0, 1] == 1  # 1 ahead of 0 in draw 0, 0 ahead in draw 1
    np.testing.assert_array_equal(best[:, 0], [0, 1, 1])


def test_kept_draws_are_the_missing_cells_and_scores_of_the_first_draws(
    mini: DecisionData,
) -> None:
    # s3 has no data on A1.2 (rubric) and B1.2 (min–max); with every range closed and fixed
    # weights, its score in a draw is its fixed part plus each drawn cell times its global weight
    data = fixed(mini)
    plain = simulate(data, draws=900, seed=5, concentration=INF, chunk=400)
    kept = simulate(data, draws=900, seed=5, concentration=INF, chunk=400, keep=700)
    assert kept.to_json() == plain.to_json()  # keeping draws changes nothing else
    assert len(plain.kept_scores) == 0 and len(plain.kept_cells) == 0
    leaves = list(data.leaf_ids)
    assert [(data.subjects[s], leaves[j]) for s, j in kept.kept_cell_index] == [
        ("s3", "A1.2"),
        ("s3", "B1.2"),
    ]
    assert kept.kept_scores.shape == (700, 3) and kept.kept_cells.shape == (700, 2)
    assert (kept.kept_cells >= 0).all() and (kept.kept_cells <= 1).all()
    assert kept.kept_cells.std(axis=0).min() > 0.05  # drawn, across chunks and blocks
    gw = data.tree.global_weights(data.weights)[: data.tree.n_leaves]
    design = np.column_stack([np.ones(700), kept.kept_cells])
    beta, *_ = np.linalg.lstsq(design, kept.kept_scores[:, 2], rcond=None)
    np.testing.assert_allclose(
        beta[1:], gw[[leaves.index("A1.2"), leaves.index("B1.2")]], atol=1e-5
    )
    np.testing.assert_allclose(design @ beta, kept.kept_scores[:, 2], atol=1e-5)
    other = simulate(data, draws=900, seed=5, concentration=INF, chunk=400, keep=700, workers=1)
    np.testing.assert_array_equal(other.kept_cells, kept.kept_cells)
    assert simulate(data, draws=50, seed=5, keep=700).kept_scores.shape == (50, 3)
    ignored = simulate(data, draws=50, seed=5, keep=10, missing_model="ignore")
    assert ignored.kept_cells.shape == (10, 0) and ignored.kept_scores.shape == (10, 3)
