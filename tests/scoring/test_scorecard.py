"""The scorecard (quanheng.scoring.scorecard.Scorecard): accessors and exports, on the mini study.

The numbers are those derived by hand in tests/scoring/test_engine.py (s1 .79, s2 .515, s3 .435;
'out' excluded at the gate). ``measured_card`` adds one measurement, m1's exam accuracy 70
(interval 61..78, run ``run-7``): m1 is a model, so it forms its own cohort, where A2.1 (fixed
0..100) normalises to .7; A1 and B have no data and are dropped, so A = A2 = overall = .7, and its
coverage is A2.1's global weight .6 · .5 · 1 = .3.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from quanheng.errors import InputError
from quanheng.measure.measurement import Measurement
from quanheng.scoring.engine import score
from quanheng.scoring.scorecard import Scorecard
from quanheng.study import Study, load_study

NAN = np.nan
MINI = Path(__file__).resolve().parents[1] / "data" / "mini"
SUBJECTS = ("s1", "s2", "s3", "out", "m1")
NODES = ("A1.1", "A1.2", "A2.1", "B1.1", "B1.2", "A1", "A2", "A", "B1", "B", "overall")
M1 = Measurement(
    subject="m1", metric="exam.accuracy", value=70.0, low=61.0, high=78.0, n=20, runs=("run-7",)
)


@pytest.fixture(scope="module")
def study() -> Study:
    return load_study(MINI)


@pytest.fixture(scope="module")
def card(study: Study) -> Scorecard:
    return score(study)


@pytest.fixture(scope="module")
def measured_card(study: Study) -> Scorecard:
    return score(study, measurements=[M1])


def test_node_accessors(card: Scorecard) -> None:
    assert card.node_ids == NODES
    assert card.n_leaves == 5
    assert card.depth.tolist() == [3, 3, 3, 3, 3, 2, 2, 1, 2, 1, 0]
    assert card.dimensions == ("A", "B")
    assert card.first_level == ("A1", "A2", "B1")
    assert card.node_names[-1].en == "Overall"
    assert card.node_names[NODES.index("A1.1")].en == "Scale"


def test_columns_overall_and_status(measured_card: Scorecard) -> None:
    np.testing.assert_allclose(
        measured_card.column("A2"), [0.8, 0.6, 0.45, NAN, 0.7], rtol=0, atol=1e-12
    )
    # vendors are unchanged by the model's measurement: cohorts are normalised apart
    np.testing.assert_allclose(
        measured_card.overall, [0.79, 0.515, 0.435, NAN, 0.7], rtol=0, atol=1e-12
    )
    assert measured_card.coverage[4, -1] == pytest.approx(0.3, abs=1e-12)
    assert [measured_card.status(s) for s in SUBJECTS] == [
        "ranked",
        "ranked",
        "ranked",
        "excluded",
        "ranked",
    ]


def test_cohorts_rank_apart_and_order_cohort_by_cohort(measured_card: Scorecard) -> None:
    assert measured_card.cohorts == ("vendor", "vendor", "vendor", "vendor", "model")
    assert measured_card.cohort("m1") == "model"
    # ranks restart in each cohort: m1 is first among models
    assert measured_card.ranks.tolist() == [1, 2, 3, 0, 1]
    # vendors by rank, then the unranked vendor, then the models
    assert measured_card.order() == [0, 1, 2, 3, 4]


def test_order_sorts_by_rank_then_unranked_by_id(study: Study) -> None:
    # geometric ranks s2, s1, s3 (derived in test_engine); then the unranked by id: m1 has no
    # data, out is excluded — "m1" < "out", but order() keeps cohorts apart: vendors first
    card = score(study, aggregation="geometric")
    assert [card.subjects[i] for i in card.order()] == ["s2", "s1", "s3", "out", "m1"]


def test_names_in_both_languages(card: Scorecard) -> None:
    assert card.name("m1") == "Model one"
    assert card.name("m1", "zh") == "模型一"


def test_measured_cells(measured_card: Scorecard, card: Scorecard) -> None:
    assert measured_card.measured_cells("m1") == {
        "A2.1": {"value": 70.0, "low": 61.0, "high": 78.0, "provenance": ["run-7"]}
    }
    # s1's exam score is evidence, not a measurement
    assert measured_card.measured_cells("s1") == {}
    assert measured_card.measured_cells("nobody") == {}
    assert card.measured_cells("m1") == {}


def test_to_dict_nodes_digests_and_measured(measured_card: Scorecard, card: Scorecard) -> None:
    data = measured_card.to_dict()
    nodes = {n["id"]: n for n in data["nodes"]}
    assert list(nodes) == list(NODES)
    # A1.1: local .5 under A1, global .6 · .5 · .5 = .15 ; depth 3
    assert nodes["A1.1"]["depth"] == 3
    assert nodes["A1.1"]["weight"] == pytest.approx(0.5)
    assert nodes["A1.1"]["global_weight"] == pytest.approx(0.15)
    assert data["framework"] == {"id": "mini", "version": "1.0"}
    assert data["cohort_relative"] == ["A1.1", "B1.1"]
    # a run digest only when something was measured
    assert sorted(data["digests"]) == ["evidence", "framework", "runs"]
    assert sorted(card.to_dict()["digests"]) == ["evidence", "framework"]
    assert data["digests"]["evidence"] == card.to_dict()["digests"]["evidence"]
    m1 = data["subjects"][4]
    assert (m1["id"], m1["cohort"], m1["rank"]) == ("m1", "model", 1)
    assert m1["overall"] == pytest.approx(0.7)
    assert m1["measured"]["A2.1"]["provenance"] == ["run-7"]
    assert m1["node_coverage"]["A1"] == 0.0  # no data under A1


def test_to_frame_columns_and_order(card: Scorecard) -> None:
    frame = card.to_frame()
    assert frame.index.name == "subject"
    assert list(frame.columns) == [
        "name",
        "cohort",
        "rank",
        "overall",
        "A",
        "B",
        "coverage",
        "status",
        "reason",
    ]
    # cohort by cohort (vendors, then models): ranked by rank, then the unranked by id
    assert list(frame.index) == ["s1", "s2", "s3", "out", "m1"]
    assert card.cohort("m1") == "model" and card.cohort("out") == "vendor"
    assert frame.loc["s1", "name"] == "One"
    assert frame.loc["s3", "overall"] == pytest.approx(0.435, abs=1e-12)
    assert frame.loc["s3", "coverage"] == pytest.approx(0.65, abs=1e-12)
    assert frame.loc["out", "status"] == "excluded"
    assert frame.loc["out", "reason"] == "fails market"
    assert card.to_frame("zh").loc["s1", "name"] == "一"


def _no_constants(name: str) -> None:
    raise AssertionError(f"JSON holds the non-standard constant {name}")


def test_to_json_deterministic_and_null_for_nan(study: Study) -> None:
    first = score(study).to_json()
    second = score(load_study(MINI)).to_json()
    assert first == second
    data = json.loads(first, parse_constant=_no_constants)
    assert data["format"] == "quanheng/scorecard@1"
    assert data["profile"] == "default"
    assert data["settings"] == {
        "aggregation": "arithmetic",
        "missing": "drop",
        "gate_policy": "exclude",
    }
    by_id = {s["id"]: s for s in data["subjects"]}
    assert list(by_id) == list(SUBJECTS)
    assert by_id["s1"]["overall"] == pytest.approx(0.79, abs=1e-12)
    assert by_id["s1"]["rank"] == 1
    assert by_id["m1"]["overall"] is None
    assert by_id["m1"]["rank"] is None
    assert by_id["m1"]["coverage"] == 0.0
    assert by_id["s3"]["raw"]["A1.2"] is None
    assert by_id["s3"]["scores"]["B1.2"] is None
    assert by_id["out"]["status"] == "excluded"
    assert by_id["out"]["gates"][0]["evidence"][0]["quote"] == "out does not sell here"


def test_to_frame_has_cohorts_and_integer_ranks(card: Scorecard, measured_card: Scorecard) -> None:
    """Ranks restart per cohort, so the frame says which ranking a rank belongs to; ranks are
    integers (Int64), <NA> for a subject without one."""

    assert card.to_frame()["rank"].isna()["m1"]  # no data unmeasured: unranked
    frame = measured_card.to_frame()
    assert str(frame["rank"].dtype) == "Int64"
    assert frame.loc["s1", "rank"] == 1 and frame.loc["m1", "rank"] == 1
    assert (frame.loc["s1", "cohort"], frame.loc["m1", "cohort"]) == ("vendor", "model")
    assert frame["rank"].isna()["out"]
    assert "\nm1,Model one,model,1,0.7," in frame.to_csv()  # "1", not "1.0"


def test_unknown_subject_and_node_ids_say_what_was_meant(card: Scorecard) -> None:
    with pytest.raises(InputError, match=r"no subject 's11' \(did you mean 's1'\?\)"):
        card.status("s11")
    with pytest.raises(InputError, match=r"no subject 'M1' \(did you mean 'm1'\?\)"):
        card.name("M1")
    with pytest.raises(InputError, match=r"no node 'A3' \(did you mean"):
        card.column("A3")
    assert card.index("m1") == card.subjects.index("m1")
