"""Scoring the mini study end to end (quanheng.scoring.engine.score) against hand computation.

Cohort s1, s2, s3, m1 ('out' fails the gate 'market' and is excluded before normalising).
Normalised leaves (A1.1 minmax over 10/20/30, A1.2 rubric /5, A2.1 fixed 0..100 with s3 the
median of two analysts 40, 50 → 45, B1.1 log_minmax lower over 10/100/1000, B1.2 target 100±50)::

          A1.1  A1.2  A2.1  B1.1  B1.2
    s1    0     1     .8    1     1
    s2    .5    .4    .6    .5    .5
    s3    1     —     .45   0     —
    m1    —     —     —     —     —

Weights: A .6 (A1, A2 equal), B .4 (B1 only); leaves under A1 and B1 equal.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from quanheng.scoring.engine import score
from quanheng.scoring.scorecard import Scorecard
from quanheng.study import Study, load_study

NAN = np.nan
MINI = Path(__file__).resolve().parents[1] / "data" / "mini"
SUBJECTS = ("s1", "s2", "s3", "out", "m1")


@pytest.fixture(scope="module")
def study() -> Study:
    return load_study(MINI)


@pytest.fixture(scope="module")
def card(study: Study) -> Scorecard:
    return score(study)


def close(actual: np.ndarray, expected: list[float]) -> None:
    np.testing.assert_allclose(actual, np.array(expected, dtype=float), rtol=0, atol=1e-12)


def test_settings_recorded(card: Scorecard) -> None:
    assert card.subjects == SUBJECTS
    assert (card.study, card.framework, card.profile) == ("mini-study", "mini", "default")
    assert (card.aggregation, card.missing, card.gate_policy) == ("arithmetic", "drop", "exclude")
    assert card.dimensions == ("A", "B")
    assert card.first_level == ("A1", "A2", "B1")
    assert card.cohort_relative == ("A1.1", "B1.1")


def test_normalised_leaves(card: Scorecard) -> None:
    close(card.normalised[0], [0.0, 1.0, 0.8, 1.0, 1.0])
    close(card.normalised[1], [0.5, 0.4, 0.6, 0.5, 0.5])
    close(card.normalised[2], [1.0, NAN, 0.45, 0.0, NAN])
    assert np.isnan(card.normalised[3:]).all()  # 'out' excluded, m1 without data


def test_default_scores(card: Scorecard) -> None:
    # A = (A1 + A2)/2 ; s1: A1 = (0 + 1)/2 = .5, A2 = .8 → A = .65 ; B = (1 + 1)/2 = 1
    #   overall = .6·.65 + .4·1 = .79
    # s2: A1 = (.5 + .4)/2 = .45, A2 = .6 → A = .525 ; B = (.5 + .5)/2 = .5 ; overall = .515
    # s3: A1 = 1 (A1.2 dropped), A2 = .45 → A = .725 ; B = 0 (B1.2 dropped) ; overall = .435
    close(card.column("A"), [0.65, 0.525, 0.725, NAN, NAN])
    close(card.column("B"), [1.0, 0.5, 0.0, NAN, NAN])
    close(card.overall, [0.79, 0.515, 0.435, NAN, NAN])
    assert card.ranks.tolist() == [1, 2, 3, 0, 0]


def test_coverage(card: Scorecard) -> None:
    # global weights A1.1 .15, A1.2 .15, A2.1 .3, B1.1 .2, B1.2 .2
    # s3 lacks A1.2 and B1.2: 1 − .15 − .2 = .65
    close(card.global_weights[:5], [0.15, 0.15, 0.3, 0.2, 0.2])
    close(card.coverage[:, -1], [1.0, 1.0, 0.65, 0.0, 0.0])
    # s3: A = .5·.5 + .5·1 = .75 ; B = .5
    close(card.coverage[2, [card.node_ids.index("A"), card.node_ids.index("B")]], [0.75, 0.5])


def test_gate_excludes_out_with_its_quote(card: Scorecard) -> None:
    # m1 passes the gates (it inherits s1's) but has no indicator evidence: one status says so
    assert [card.status(s) for s in SUBJECTS] == [
        "ranked",
        "ranked",
        "ranked",
        "excluded",
        "unranked",
    ]
    assert card.reason("m1") == "no indicator evidence: unranked"
    frame = card.to_frame()
    assert frame.loc["m1", "status"] == "unranked"
    statuses = {s["id"]: s["status"] for s in card.to_dict()["subjects"]}
    assert statuses["m1"] == "unranked" and statuses["out"] == "excluded"
    gates = card.gates[SUBJECTS.index("out")]
    assert gates.reason == "fails market"
    assert [r.gate for r in gates.failed] == ["market"]
    assert gates.failed[0].quote == "out does not sell here"
    # 'out' reports 1000 on A1.1 but does not stretch the cohort's min-max
    assert card.raw[3, 0] == 1000.0
    assert math.isnan(card.overall[3])


def test_subject_without_data(card: Scorecard) -> None:
    i = SUBJECTS.index("m1")
    assert math.isnan(card.overall[i])
    assert card.ranks[i] == 0
    assert card.coverage[i, -1] == 0.0
    assert np.isnan(card.scores[i]).all()


def test_profile_beta_heavy(study: Study) -> None:
    card = score(study, "beta-heavy")
    assert card.profile == "beta-heavy"
    # weights {A: 1, B: 3}, normalise → A .25, B .75 ; other weights unchanged
    a, b = card.node_ids.index("A"), card.node_ids.index("B")
    close(card.weights[[a, b]], [0.25, 0.75])
    close(card.global_weights[:5], [0.0625, 0.0625, 0.125, 0.375, 0.375])
    # s1 .25·.65 + .75·1 = .9125 ; s2 .25·.525 + .75·.5 = .50625 ; s3 .25·.725 + 0 = .18125
    close(card.overall, [0.9125, 0.50625, 0.18125, NAN, NAN])
    close(card.column("A"), [0.65, 0.525, 0.725, NAN, NAN])
    # s3 coverage: 1 − A1.2 − B1.2 = 1 − .0625 − .375
    close(card.coverage[:, -1], [1.0, 1.0, 0.5625, 0.0, 0.0])
    assert card.ranks.tolist() == [1, 2, 3, 0, 0]


def test_geometric_override(study: Study) -> None:
    card = score(study, aggregation="geometric")
    assert card.aggregation == "geometric"
    # s1: A1 = (1e-6 · 1)^.5 = 1e-3 (A1.1 = 0 floored) ; A = (1e-3 · .8)^.5 ; B = 1
    #   overall = A^.6
    # s2: A1 = (.5 · .4)^.5 ; A = (A1 · .6)^.5 ; B = (.5 · .5)^.5 = .5 ; overall = A^.6 · .5^.4
    # s3: A1 = 1 ; A = .45^.5 ; B = 1e-6 (B1.1 = 0 floored) ; overall = A^.6 · 1e-6^.4
    a1 = math.sqrt(1e-6 * 1.0)
    s1_a = math.sqrt(a1 * 0.8)
    s2_a = math.sqrt(math.sqrt(0.5 * 0.4) * 0.6)
    s3_a = math.sqrt(0.45)
    close(card.column("A"), [s1_a, s2_a, s3_a, NAN, NAN])
    close(card.column("B"), [1.0, 0.5, 1e-6, NAN, NAN])
    close(
        card.overall,
        [s1_a**0.6, s2_a**0.6 * 0.5**0.4, s3_a**0.6 * 1e-6**0.4, NAN, NAN],
    )
    assert card.ranks.tolist() == [2, 1, 3, 0, 0]
    close(card.coverage[:, -1], [1.0, 1.0, 0.65, 0.0, 0.0])


def test_missing_worst_override(study: Study) -> None:
    card = score(study, missing="worst")
    assert card.missing == "worst"
    # s3: A1.2 = 0 → A1 = .5, A = (.5 + .45)/2 = .475 ; B1.2 = 0 → B = 0 ; overall = .285
    # m1: no data at all → unranked under every policy, never ranked on invented zeros
    close(card.column("A"), [0.65, 0.525, 0.475, NAN, NAN])
    close(card.overall, [0.79, 0.515, 0.285, NAN, NAN])
    close(card.coverage[:, -1], [1.0, 1.0, 0.65, 0.0, 0.0])
    assert card.ranks.tolist() == [1, 2, 3, 0, 0]


def test_geometric_with_worst_warns_that_the_ranking_is_degenerate() -> None:
    study = load_study(MINI)
    plain = score(study)
    assert plain.warnings == ()
    card = score(study, aggregation="geometric", missing="worst")
    # s1 is the bottom of min–max A1.1 (10 of 10/20/30); s3 lacks A1.2 and B1.2 (0 under
    # "worst") and is the bottom of B1.1 (1000 CNY, lower is better); s2 has no 0.
    assert card.warnings[0].startswith(
        "geometric aggregation: 2 of 3 ranked subjects have a leaf scoring 0 (missing=worst"
    )
    assert card.to_dict()["warnings"] == list(card.warnings)
