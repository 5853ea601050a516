"""Bradley–Terry: a hand-computed case, the likelihood equations, known strengths, intervals.

Oracles independent of choix: strengths that reproduce the counts exactly (so they are the MLE
by hand), and the maximum-likelihood equations ``Σ_j g_ij p_i / (p_i + p_j) = W_i`` that any
maximum must satisfy.
"""

from __future__ import annotations

import numpy as np
import pytest

from quanheng.measure.preference import (
    PairCounts,
    bootstrap_strengths,
    bradley_terry,
    counts_from_outcomes,
    pairwise_messages,
    parse_preference,
)


def _counts(players: tuple[str, ...], wins: np.ndarray) -> PairCounts:
    zeros = tuple(tuple(0.0 for _ in players) for _ in players)
    return PairCounts(
        players=players, wins=tuple(tuple(float(x) for x in r) for r in wins), ties=zeros
    )


def test_hand_computed_three_players() -> None:
    # Strengths 4:2:1 reproduce these counts exactly: A beats B 2 of 3 (4/6), B beats C 2 of 3
    # (2/3), A beats C 4 of 5 (4/5); so the MLE is (4, 2, 1) / 7 — e.g. for A:
    # W_A = 6 = 3·4/(4+2) + 5·4/(4+1).
    wins = np.array([[0, 2, 4], [1, 0, 2], [1, 1, 0]])
    fit = bradley_terry(_counts(("A", "B", "C"), wins))
    assert fit.strength == pytest.approx((4 / 7, 2 / 7, 1 / 7), abs=1e-8)


def _random_counts(seed: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    true = rng.dirichlet(np.ones(k))
    wins = np.zeros((k, k))
    ties = np.zeros((k, k))
    for i in range(k):
        for j in range(i + 1, k):
            n = int(rng.integers(0, 12))
            t = int(rng.binomial(n, 0.2))
            w = int(rng.binomial(n - t, true[i] / (true[i] + true[j])))
            wins[i, j], wins[j, i], ties[i, j], ties[j, i] = w, n - t - w, t, t
    return wins, ties


@pytest.mark.parametrize("seed", range(8))
def test_fit_solves_the_likelihood_equations_with_ties_and_prior(seed: int) -> None:
    k = 5
    wins, ties = _random_counts(seed, k)
    prior = 0.5
    counts = PairCounts(
        players=tuple("abcde"),
        wins=tuple(tuple(r) for r in wins.tolist()),
        ties=tuple(tuple(r) for r in ties.tolist()),
    )
    p = np.array(bradley_terry(counts, prior=prior).strength)
    assert p.sum() == pytest.approx(1.0) and (p > 0).all()
    effective = (wins + ties / 2 + prior / 2) * (1 - np.eye(k))
    games = effective + effective.T
    expected_wins = (games * p[:, None] / (p[:, None] + p[None, :])).sum(axis=1)
    np.testing.assert_allclose(expected_wins, effective.sum(axis=1), rtol=1e-7)


def test_a_tie_is_half_a_win_each() -> None:
    tied = counts_from_outcomes([("x", "y", "tie")] * 2 + [("x", "z", "a")] * 3 + [("z", "y", "a")])
    split = counts_from_outcomes(
        [("x", "y", "a"), ("x", "y", "b")] + [("x", "z", "a")] * 3 + [("z", "y", "a")]
    )
    assert bradley_terry(tied, prior=1.0).strength == pytest.approx(
        bradley_terry(split, prior=1.0).strength, abs=1e-9
    )


def test_two_players_ratio_and_ties() -> None:
    out = counts_from_outcomes([("x", "y", "a")] * 3 + [("x", "y", "b")] + [("y", "x", "tie")] * 2)
    fit = bradley_terry(out).as_dict()
    # effective wins x = 3 + 1, y = 1 + 1 → ratio 2
    assert fit["x"] / fit["y"] == pytest.approx(2.0)


def test_recovers_known_strengths() -> None:
    rng = np.random.default_rng(11)
    true = np.array([0.4, 0.3, 0.2, 0.1])
    k = true.size
    wins = np.zeros((k, k))
    for i in range(k):
        for j in range(i + 1, k):
            n = 400
            w = rng.binomial(n, true[i] / (true[i] + true[j]))
            wins[i, j], wins[j, i] = w, n - w
    fit = np.array(bradley_terry(_counts(("a", "b", "c", "d"), wins)).strength)
    assert np.allclose(fit, true, rtol=0.15)
    assert list(np.argsort(-fit)) == [0, 1, 2, 3]


def test_bootstrap_intervals_are_seeded_and_cover() -> None:
    wins = np.array([[0, 30, 40], [20, 0, 30], [10, 20, 0]])
    counts = _counts(("A", "B", "C"), wins)
    one = bootstrap_strengths(counts, n_boot=200, seed=5)
    two = bootstrap_strengths(counts, n_boot=200, seed=5)
    assert one == two
    assert one.low is not None and one.high is not None
    for s, lo, hi in zip(one.strength, one.low, one.high, strict=True):
        assert lo <= s <= hi and hi - lo > 0
    assert sum(one.strength) == pytest.approx(1.0)


def test_prior_keeps_an_unbeaten_player_finite() -> None:
    wins = np.array([[0, 5], [0, 0]])
    # one virtual tie = half a win each: 5.5 vs 0.5
    fit = bradley_terry(_counts(("A", "B"), wins), prior=1.0)
    assert fit.strength == pytest.approx((5.5 / 6, 0.5 / 6))


def test_no_finite_fit_without_a_prior_is_refused() -> None:
    # B never beats A: the likelihood grows as p_B → 0, so there is no maximum to report.
    with pytest.raises(ValueError, match="prior > 0"):
        bradley_terry(_counts(("A", "B"), np.array([[0, 5], [0, 0]])))
    # C never played: its strength is not determined by anything.
    with pytest.raises(ValueError, match="prior > 0"):
        bradley_terry(_counts(("A", "B", "C"), np.array([[0, 3, 0], [1, 0, 0], [0, 0, 0]])))
    # A one-game pair comes out one-sided in some resample, and then has no finite fit either.
    with pytest.raises(ValueError, match="resample"):
        bootstrap_strengths(_counts(("A", "B"), np.array([[0, 1], [1, 0]])), n_boot=50)
    fit = bootstrap_strengths(_counts(("A", "B"), np.array([[0, 1], [1, 0]])), n_boot=50, prior=1)
    assert fit.strength == pytest.approx((0.5, 0.5))
    assert fit.low is not None and fit.high is not None
    assert fit.low[0] < 0.5 < fit.high[0]


def test_judge_prompt_and_parser() -> None:
    (msg,) = pairwise_messages("Q", "ans1", "ans2", lang="en")
    assert "ans1" in msg["content"] and "[[C]]" in msg["content"]
    assert parse_preference("A is better.\n[[A]]") == "a"
    assert parse_preference("first [[A]] then on reflection [[B]]") == "b"
    assert parse_preference("[[C]]") == "tie"
    assert parse_preference("no verdict") is None
