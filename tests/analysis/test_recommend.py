"""Recommendations: different use cases give different, explained answers; risks are named."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

import quanheng
from quanheng.analysis import Recommendation, analyst_agreement, compare_methods, decision_data
from quanheng.analysis import recommend as recommend_
from quanheng.mcda.agreement import krippendorff_alpha
from quanheng.study import Study

ROOT = Path(__file__).parent.parent.parent
EMBEDDED = ROOT / "studies" / "cn-llm-vendors-2024"
MINI = ROOT / "tests" / "data" / "mini"


@pytest.fixture(scope="module")
def embedded() -> Study:
    if not (EMBEDDED / "study.yaml").exists():  # pragma: no cover - the study ships with the repo
        pytest.skip("the embedded study is not there")
    return quanheng.load_study(EMBEDDED)


@pytest.fixture(scope="module")
def answers(embedded: Study) -> dict[str, Recommendation]:
    return {
        p: recommend_(embedded, quanheng.score(embedded, p), draws=2000, seed=0)
        for p in ("customer-service", "code-assistant", "regulated-finance")
    }


def deciding(rec: Recommendation) -> list[str]:
    return [c.leaf for t in rec.tradeoffs for c in (*t.favours_a, *t.favours_b)]


def test_profiles_give_different_explained_answers(answers: dict[str, Recommendation]) -> None:
    service, code = answers["customer-service"], answers["code-assistant"]
    for rec in (service, code):
        assert len(rec.picks) == 3
        assert rec.picks[0].p_best == max(p.p_best for p in rec.picks)
        assert all(t.favours_a for t in rec.tradeoffs)  # every order is explained by leaves
        assert rec.pilots and rec.risks
        assert rec.headline.startswith(rec.profile_name)
    # different use cases: different scores, different deciding leaves, different pilots
    assert [p.score for p in service.picks] != [p.score for p in code.picks]
    assert deciding(service) != deciding(code)
    assert set(service.picks[0].strengths) != set(code.picks[0].strengths)
    assert service.pilots != code.pilots
    # each side lists the leaves that favour it, largest contribution first
    for t in code.tradeoffs:
        assert all(c.difference > 0 for c in t.favours_a)
        assert all(c.difference < 0 for c in t.favours_b)
        assert [c.difference for c in t.favours_a] == sorted(
            (c.difference for c in t.favours_a), reverse=True
        )


def test_risks_name_thin_gates_coverage_and_cohort(answers: dict[str, Recommendation]) -> None:
    rec = answers["regulated-finance"]
    kinds = {r.kind for r in rec.risks}
    assert {"thin_gate", "low_coverage", "cohort"} <= kinds
    thin = next(r for r in rec.risks if r.kind == "thin_gate")
    assert "single record" in thin.message and "report-2024.yaml:" in thin.message
    assert rec.pilots == quanheng.load_study(EMBEDDED).profile("regulated-finance").pilots


def test_recommendation_json_is_reproducible(embedded: Study) -> None:
    a = recommend_(
        embedded, quanheng.score(embedded, "code-assistant"), draws=1000, seed=4
    ).to_json()
    b = recommend_(
        embedded, quanheng.score(embedded, "code-assistant"), draws=1000, seed=4
    ).to_json()
    assert a == b
    data = recommend_(
        embedded, quanheng.score(embedded, "code-assistant"), draws=1000, seed=4, top=2
    ).to_dict()
    assert data["format"] == "quanheng/recommendation@1"
    assert len(data["picks"]) == 2 and data["tradeoffs"][0]["favours_a"][0]["name"]


def two_analysts(tmp_path: Path) -> Path:
    """The mini study with a second analyst on the rubric leaf A1.2."""
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    (root / "evidence" / "second.yaml").write_text(
        "format: quanheng/evidence@1\n"
        "records:\n"
        "  - {subject: s1, indicator: A1.2, value: 2, source: {title: T}, quote: q, analyst: b}\n"
        "  - {subject: s2, indicator: A1.2, value: 3, source: {title: T}, quote: q, analyst: b}\n",
        encoding="utf-8",
    )
    return root


def test_agreement_per_dimension_and_flagged_cells(tmp_path: Path) -> None:
    study = quanheng.load_study(two_analysts(tmp_path))
    result = analyst_agreement(study)
    a, b = result.dimensions
    assert (a.dimension, a.cells, a.analysts) == ("A", 2, ("a", "b"))
    assert b.cells == 0 and b.alpha is None
    # analysts a, b × cells (s1, A1.2), (s2, A1.2): a gave 5 and 2, b gave 2 and 3
    assert a.alpha == pytest.approx(krippendorff_alpha(np.array([[5, 2], [2, 3]]), "ordinal"))
    assert [(c.subject, c.leaf, c.spread) for c in result.flagged] == [("s1", "A1.2", 3.0)]


def test_disagreement_and_unsettled_order_are_risks(tmp_path: Path) -> None:
    study = quanheng.load_study(two_analysts(tmp_path))
    rec = recommend_(study, quanheng.score(study, "beta-heavy"), draws=2000, seed=1, top=3)
    messages = {(r.subject, r.kind): r.message for r in rec.risks}
    assert "analysts disagree on A1.2 (a 5, b 2)" in messages[("s1", "disagreement")]
    assert ("s2", "unverified_gate") not in messages
    assert rec.pilots == ("try beta things",)
    assert [p.subject for p in rec.picks] == ["s1", "s2", "s3"]


def test_methods_compare_sum_geometric_and_topsis() -> None:
    study = quanheng.load_study(MINI)
    comp = compare_methods(decision_data(study, quanheng.score(study)))
    methods = {m.method: m for m in comp.methods}
    assert set(methods) == {"arithmetic", "geometric", "topsis"}
    assert methods["arithmetic"].ranks == (1, 2, 3) and methods["arithmetic"].tau == 1.0
    # s1 has the lowest count (A1.1 → 0): the geometric mean punishes that weak spot
    assert methods["geometric"].ranks[0] > 1
    assert not comp.same_top
    assert "median" in comp.note
