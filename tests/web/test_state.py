"""The workbench's study state: loaded once, loaded again when a file changes, live weights."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import quanheng
from quanheng.errors import InputError
from quanheng.web.state import Workbench, slider_nodes
from tests.web.support import copy_study


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workbench]:
    made = Workbench(copy_study(tmp_path_factory.mktemp("state") / "study"), draws=200)
    yield made
    made.close()


def test_the_study_is_loaded_once_until_a_file_changes(bench: Workbench) -> None:
    first = bench.study()
    assert bench.study() is first and bench.card(None) is bench.card(None)
    loads = bench.loads
    path = bench.study_dir / "evidence" / "public-figures.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# touched\n", encoding="utf-8")
    assert bench.study() is not first
    assert bench.loads == loads + 1


def test_sliders_are_the_dimensions_and_first_level_groups(bench: Workbench) -> None:
    nodes = dict(slider_nodes(bench.study()))
    assert nodes["overall"] == ["P", "S", "E"]
    assert nodes["S"] == ["S1", "S2", "S3", "S4", "S5"]
    weights = bench.weights_of(None)
    assert sum(weights[n] for n in nodes["overall"]) == pytest.approx(1.0)


def test_reweight_equals_scoring_a_profile_with_those_weights(bench: Workbench) -> None:
    weights = {"P": 0.2, "S": 0.3, "E": 0.5, "E1": 0.6, "E2": 0.2, "E3": 0.2}
    live = bench.reweight(None, weights)
    study = bench.study()
    prof = study.profile(None).model_copy(update={"weights": weights})
    expected = quanheng.score(study.model_copy(), None)
    from quanheng.scoring.weighting import profile_weights

    w = profile_weights(study, prof, expected.matrix)
    np.testing.assert_allclose(live.weights, w)
    assert bench.reweight(None, weights) is live  # cached by the weights
    assert not np.allclose(live.overall, bench.card(None).overall, equal_nan=True)


def test_reweight_refuses_unknown_nodes_and_negative_weights(bench: Workbench) -> None:
    with pytest.raises(InputError, match="unknown node"):
        bench.reweight(None, {"P1.1": 1.0})
    with pytest.raises(InputError, match="give a number >= 0"):
        bench.reweight(None, {"P": -0.5})


def test_probabilities_cover_the_main_cohort_and_are_cached(bench: Workbench) -> None:
    card = bench.reweight(None, {"S": 0.9})
    sim = bench.probabilities(card)
    assert sim is not None and sim.draws == 200
    vendors = {s.id for s in bench.study().subjects if s.kind == "vendor"}
    assert (
        set(sim.subjects) == {s for i, s in enumerate(card.subjects) if card.ranks[i] > 0} & vendors
    )
    assert "openai" not in sim.subjects and len(sim.subjects) >= 4
    assert float(sim.p_best.sum()) == pytest.approx(1.0)
    assert bench.probabilities(card) is sim


def test_memo_is_dropped_with_the_study(bench: Workbench, tmp_path: Path) -> None:
    calls: list[int] = []
    bench.memo("x", lambda: calls.append(1) or 1)
    bench.memo("x", lambda: calls.append(1) or 1)
    assert calls == [1]
    bench.forget_measurements()
    bench.memo("x", lambda: calls.append(1) or 1)
    assert calls == [1, 1]
