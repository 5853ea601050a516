"""analyse(): one reproducible result per study and profile, and why subjects are not ranked."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import quanheng
from quanheng.analysis.analyse import analyse
from quanheng.analysis.inputs import decision_data
from quanheng.errors import InputError

MINI = Path(__file__).resolve().parents[1] / "data" / "mini"


def test_the_result_names_the_study_profile_and_who_is_not_ranked_and_why() -> None:
    study = quanheng.load_study(MINI)
    result = analyse(study, quanheng.score(study, "beta-heavy"), draws=200, seed=1)
    assert (result.study, result.profile, result.profile_name) == (
        "mini-study",
        "beta-heavy",
        "Beta heavy",
    )
    # "out" fails the market gate; m1 has no value on any weighted indicator
    assert result.excluded == (
        ("out", "screened out: fails market"),
        ("m1", "no data on any weighted indicator"),
    )
    assert result.simulation.subjects == ("s1", "s2", "s3")
    assert result.simulation.draws == 200
    assert (result.name("s2"), result.name("unknown")) == ("Two", "unknown")
    assert result.node_names["B1.1"] == "Price"
    data = result.to_dict()
    assert (data["format"], data["profile"]) == (
        "quanheng/analysis@1",
        {"id": "beta-heavy", "name": "Beta heavy"},
    )
    assert data["not_ranked"] == [
        {"subject": "out", "reason": "screened out: fails market"},
        {"subject": "m1", "reason": "no data on any weighted indicator"},
    ]
    assert sorted(data["digests"]) == ["evidence", "framework"]


def test_the_same_inputs_give_the_same_bytes_and_another_seed_other_draws() -> None:
    study = quanheng.load_study(MINI)
    card = quanheng.score(study)
    first = analyse(study, card, draws=300, seed=4).to_json()
    assert analyse(quanheng.load_study(MINI), card, draws=300, seed=4).to_json() == first
    other = json.loads(analyse(study, card, draws=300, seed=5).to_json())
    assert other["simulation"] != json.loads(first)["simulation"]
    assert other["sensitivity"] == json.loads(first)["sensitivity"]  # no draws in the tornado


def test_a_model_with_data_is_ranked_in_another_cohort(tmp_path: Path) -> None:
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    (root / "evidence" / "model.yaml").write_text(
        "format: quanheng/evidence@1\nrecords:\n"
        "  - {subject: m1, indicator: A1.1, value: 5, source: {title: T}, quote: q, analyst: a}\n",
        encoding="utf-8",
    )
    study = quanheng.load_study(root)
    result = analyse(study, quanheng.score(study), draws=50)
    assert dict(result.excluded)["m1"] == (
        "ranked in another cohort (vendors and models are compared apart)"
    )


def test_a_given_decision_problem_is_used_as_is() -> None:
    study = quanheng.load_study(MINI)
    card = quanheng.score(study)
    beta = quanheng.score(study, "beta-heavy")
    # the default card with the beta-heavy problem: the analyses follow the problem given
    given = analyse(study, card, draws=50, data=decision_data(study, beta))
    assert given.sensitivity.to_dict() == analyse(study, beta, draws=50).sensitivity.to_dict()
    assert given.sensitivity.to_dict() != analyse(study, card, draws=50).sensitivity.to_dict()
    assert given.profile == "default"  # the names still come from the card


@pytest.mark.parametrize("draws", [0, -1])
def test_no_draws_is_an_input_error(draws: int) -> None:
    study = quanheng.load_study(MINI)
    with pytest.raises(InputError):
        analyse(study, quanheng.score(study), draws=draws)
