"""The evidence check and the leaves to collect: a verdict only where the evidence allows one."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pytest

import quanheng
from quanheng.analysis import decision_data, recommend, simulate
from quanheng.analysis.sufficiency import (
    DECISIVE_SHARE,
    MIN_DECISIVE_COVERAGE,
    MIN_TOP_COVERAGE,
    check_evidence,
    leaves_to_collect,
    profile_coverage,
)

ROOT = Path(__file__).resolve().parents[2]
EMBEDDED = ROOT / "studies" / "cn-llm-vendors-2024"
MINI = ROOT / "tests" / "data" / "mini"


def mini_copy(tmp_path: Path, drop: tuple[str, ...] = ()) -> Path:
    """The mini study in ``tmp_path``, without the evidence lines that contain any of ``drop``."""
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    facts = root / "evidence" / "facts.yaml"
    lines = facts.read_text(encoding="utf-8").splitlines(keepends=True)
    facts.write_text(
        "".join(line for line in lines if not any(d in line for d in drop)), encoding="utf-8"
    )
    return root


def test_thresholds_are_the_documented_ones() -> None:
    assert (DECISIVE_SHARE, MIN_DECISIVE_COVERAGE, MIN_TOP_COVERAGE) == (0.5, 0.5, 0.3)


def test_code_assistant_on_the_embedded_study_is_insufficient_and_asks_for_model_quality() -> None:
    # No vendor in the embedded study has any P5 (model quality) evidence, and the
    # code-assistant profile lifts P5 (coding above all): the decisive leaves are mostly empty.
    study = quanheng.load_study(EMBEDDED)
    card = quanheng.score(study, "code-assistant")
    rec = recommend(study, card, draws=2000, seed=0)
    assert rec.evidence == "insufficient" and rec.provisional
    assert rec.check.decisive_coverage < MIN_DECISIVE_COVERAGE
    assert "P5.3" in rec.check.decisive_leaves  # coding: the single heaviest leaf
    assert rec.check.decisive_weight >= DECISIVE_SHARE
    assert rec.headline.startswith(
        "Code assistant: insufficient evidence for this use case; provisional ordering: "
    )
    assert f"P(best) {rec.picks[0].p_best:.0%} · coverage {rec.picks[0].coverage:.0%}" in (
        rec.headline
    )
    # model quality first: no vendor has any P5 evidence, and P5.3 (coding) is the heaviest
    # leaf; another empty heavy leaf (e.g. P4.4) may rank among them by its own EVPPI
    assert rec.collect[0].leaf == "P5.3", [c.leaf for c in rec.collect]
    model_quality = [c for c in rec.collect if c.leaf.startswith("P5.")]
    assert len(model_quality) >= 2
    assert all(c.missing == c.subjects == 5 for c in model_quality)  # the five vendors
    assert all(c.evppi is not None and c.evppi >= 0 for c in rec.collect)
    # ordered by value of information: the leaf's own EVPPI, then its topic's
    keys = [(c.evppi, c.group_evppi) for c in rec.collect]
    assert keys == sorted(keys, reverse=True)
    data = rec.to_dict()
    assert data["evidence"] == "insufficient" and data["provisional"] is True
    assert data["evidence_check"]["message"] == "insufficient evidence for this use case"
    assert [c["leaf"] for c in data["collect"]] == [c.leaf for c in rec.collect]
    # the deciding leaves are never ones that only the drawn prior speaks for
    for t in rec.tradeoffs:
        for c in (*t.favours_a, *t.favours_b):
            assert c.score_a is not None or c.score_b is not None


def test_covered_decisive_leaves_are_sufficient(tmp_path: Path) -> None:
    study = quanheng.load_study(mini_copy(tmp_path))
    card = quanheng.score(study, "beta-heavy")
    data = decision_data(study, card)
    # beta-heavy: B 3/4, A 1/4, equal children: B1.1 and B1.2 carry 3/8 each, the fewest leaves
    # with half the weight; both have data except s3 on B1.2
    check = check_evidence(data, 0)
    assert check.decisive_leaves == ("B1.1", "B1.2")
    assert check.decisive_weight == pytest.approx(0.75)
    assert check.decisive_coverage == pytest.approx((1 + 2 / 3) / 2)
    assert check.evidence == "sufficient" and check.reasons == ()
    rows = [card.subjects.index(s) for s in data.subjects]
    np.testing.assert_allclose(profile_coverage(data), card.coverage[rows, -1])
    rec = recommend(study, card, draws=1000, seed=1)
    assert rec.evidence == "sufficient" and not rec.provisional
    assert "insufficient" not in rec.headline and "provisional" not in rec.headline
    assert [c.leaf for c in rec.collect] == ["B1.2", "A1.2"]  # s3's missing cells


def test_empty_decisive_leaves_are_insufficient_and_collected_first(tmp_path: Path) -> None:
    # nobody has B1.2 and s3 lacks B1.1: the leaves carrying 3/4 of the weight are 1/3 covered
    root = mini_copy(tmp_path, drop=("indicator: B1.2", "{subject: s3, indicator: B1.1"))
    study = quanheng.load_study(root)
    card = quanheng.score(study, "beta-heavy")
    rec = recommend(study, card, draws=4000, seed=2)
    assert rec.evidence == "insufficient" and rec.provisional
    assert rec.check.decisive_coverage == pytest.approx(1 / 3)
    assert len(rec.check.reasons) == 1 and "half of the profile's weight" in rec.check.reasons[0]
    first = rec.collect[0]
    assert (first.leaf, first.missing, first.subjects) == ("B1.2", 3, 3)
    assert first.evppi is not None and first.evppi > 0
    assert first.p_pick_changes is not None and 0 < first.p_pick_changes < 1
    assert [c.leaf for c in rec.collect] == ["B1.2", "B1.1", "A1.2"]
    values = [c.evppi for c in rec.collect]
    assert values == sorted(values, reverse=True)  # type: ignore[type-var]


def test_top_pick_coverage_alone_can_make_it_insufficient(tmp_path: Path) -> None:
    study = quanheng.load_study(mini_copy(tmp_path))
    data = decision_data(study, quanheng.score(study, "beta-heavy"))
    thin = data.values.copy()
    thin[2, 1:] = np.nan  # s3 keeps only A1.1 (1/16 of the weight)
    check = check_evidence(dataclasses.replace(data, values=thin), 2)
    assert check.top == "s3" and check.top_coverage == pytest.approx(1 / 16)
    assert check.evidence == "insufficient"
    assert any("top pick, s3" in r for r in check.reasons)


def test_without_kept_draws_leaves_are_ordered_by_the_weight_missing(tmp_path: Path) -> None:
    study = quanheng.load_study(mini_copy(tmp_path))
    data = decision_data(study, quanheng.score(study, "beta-heavy"))
    sim = simulate(data, draws=200, seed=0)
    out = leaves_to_collect(data, sim, {"B1.2": "Length"})
    assert [(c.leaf, c.name, c.evppi, c.group_evppi) for c in out] == [
        ("B1.2", "Length", None, None),
        ("A1.2", "A1.2", None, None),
    ]
    assert leaves_to_collect(data, sim, limit=1)[0].leaf == "B1.2"
