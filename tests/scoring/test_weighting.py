"""Profile weights: overrides, AHP, the objective mix, and how the study file refuses bad ones."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

import quanheng
from quanheng.mcda.weights import entropy_weights
from quanheng.scoring.weighting import normalised_scores, profile_weights, subjective_weights

MINI = Path(__file__).parent.parent / "data" / "mini"


def mini_with_profiles(tmp_path: Path, profiles: str) -> Path:
    """A copy of the mini study with extra profiles appended to study.yaml."""
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    with (root / "study.yaml").open("a", encoding="utf-8") as fh:
        fh.write(profiles)
    return root


def builtin_study(tmp_path: Path, profiles: str) -> Path:
    """A study on the built-in framework, one subject, no evidence: for 3-way AHP judgements."""
    root = tmp_path / "builtin"
    (root / "evidence").mkdir(parents=True)
    (root / "study.yaml").write_text(
        "format: quanheng/study@1\n"
        "id: builtin\n"
        "title: {zh: 内置, en: Built-in}\n"
        "framework: cn-llm-vendor-2024\n"
        "subjects:\n"
        "  - {id: v, name: {zh: 甲, en: V}}\n"
        "profiles:\n" + profiles,
        encoding="utf-8",
    )
    return root


def test_default_profile_is_the_framework_weights() -> None:
    study = quanheng.load_study(MINI)
    np.testing.assert_array_equal(profile_weights(study, None), study.framework.compiled.weights)


def test_overrides_are_rescaled_per_parent() -> None:
    study = quanheng.load_study(MINI)
    w = profile_weights(study, "beta-heavy")
    tree = study.framework.compiled
    assert w[tree.index["A"]] == pytest.approx(0.25)
    assert w[tree.index["B"]] == pytest.approx(0.75)


def test_ahp_judgements_set_the_childrens_weights(tmp_path: Path) -> None:
    root = mini_with_profiles(
        tmp_path,
        "  - id: ahp\n"
        "    name: {zh: 层次, en: AHP}\n"
        "    ahp:\n"
        "      overall: [[A, B, 1/3]]\n"
        "      A1: [[A1.1, A1.2, 2]]\n",
    )
    study = quanheng.load_study(root)
    tree = study.framework.compiled
    w = subjective_weights(tree, study.profile("ahp"))
    assert w[tree.index["A"]] == pytest.approx(0.25)
    assert w[tree.index["B"]] == pytest.approx(0.75)
    assert w[tree.index["A1.1"]] == pytest.approx(2 / 3)
    assert w[tree.index["A1.2"]] == pytest.approx(1 / 3)
    card = quanheng.score(study, "ahp")
    np.testing.assert_allclose(card.weights, w)
    # s1: A = .5 (A1 = .5·0 + .5·... ) — checked through the same weights as beta-heavy on top
    s1 = card.subjects.index("s1")
    a1 = 2 / 3 * 0.0 + 1 / 3 * 1.0  # A1.1 min–max 0, A1.2 level 5
    a = 0.5 * a1 + 0.5 * 0.8  # A2.1 80 on 0..100
    assert card.overall[s1] == pytest.approx(0.25 * a + 0.75 * 1.0)


def test_objective_mix_uses_entropy_of_the_childrens_scores(tmp_path: Path) -> None:
    root = mini_with_profiles(
        tmp_path,
        "  - id: mixed\n"
        "    name: {zh: 混合, en: Mixed}\n"
        "    objective: {method: entropy, share: 0.3, nodes: [A1]}\n",
    )
    study = quanheng.load_study(root)
    tree = study.framework.compiled
    matrix = quanheng.assemble(study)
    cohort = np.array([s != "out" for s in matrix.subjects])  # "out" fails the gate
    w = profile_weights(study, "mixed", matrix, cohort=cohort)
    np.testing.assert_allclose(quanheng.score(study, "mixed").weights, w)
    scores = normalised_scores(study.framework, matrix, cohort)
    rows = [matrix.subjects.index(s) for s in ("s1", "s2", "s3")]
    kids = tree.children[tree.index["A1"]]
    objective = entropy_weights(scores[np.ix_(rows, kids)])
    np.testing.assert_allclose(w[kids], 0.7 * 0.5 + 0.3 * objective)
    # other parents keep the framework's weights
    assert w[tree.index["A"]] == pytest.approx(0.6)
    with pytest.raises(ValueError, match="pass data"):
        profile_weights(study, "mixed")


def test_objective_share_zero_is_the_subjective_weights(tmp_path: Path) -> None:
    root = mini_with_profiles(
        tmp_path,
        "  - id: none\n    name: {zh: 无, en: None}\n    objective: {method: critic, share: 0}\n",
    )
    study = quanheng.load_study(root)
    np.testing.assert_array_equal(profile_weights(study, "none"), study.framework.compiled.weights)


def test_critic_mix_applies_to_every_parent_by_default(tmp_path: Path) -> None:
    root = mini_with_profiles(
        tmp_path,
        "  - id: crit\n"
        "    name: {zh: 客观, en: Objective}\n"
        "    objective: {method: critic, share: 1}\n",
    )
    study = quanheng.load_study(root)
    tree = study.framework.compiled
    w = profile_weights(study, "crit", quanheng.assemble(study))
    for p in tree.inner:
        assert w[tree.children[p]].sum() == pytest.approx(1.0)
    assert not np.allclose(w, tree.weights)


def test_inconsistent_ahp_is_refused_naming_the_judgement_and_its_consistent_value(
    tmp_path: Path,
) -> None:
    root = builtin_study(
        tmp_path,
        "  - id: cyclic\n"
        "    name: {zh: 循环, en: Cyclic}\n"
        "    ahp:\n"
        "      overall:\n"
        "        - [P, S, 3]\n"
        "        - [S, E, 3]\n"
        "        - [E, P, 3]\n",
    )
    with pytest.raises(quanheng.StudyError) as info:
        quanheng.load_study(root)
    (line,) = info.value.lines()
    # the line of the judgement to revise: [E, P, 3]
    assert line.startswith(f"{root / 'study.yaml'}:14: profile 'cyclic', AHP under 'overall'")
    assert "consistency ratio 1.149 exceeds 0.1" in line
    assert (
        "the most inconsistent is 'E' vs 'P', judged 3 while the other judgements imply 1/1" in line
    )
    assert "revise 'E' vs 'P' towards 1/1 (nearest scale value 1)" in line


def test_consistent_ahp_on_three_dimensions_is_accepted(tmp_path: Path) -> None:
    root = builtin_study(
        tmp_path,
        "  - id: ok\n"
        "    name: {zh: 好, en: OK}\n"
        "    ahp: {overall: [[P, S, 2], [S, E, 2], [P, E, 4]]}\n",
    )
    study = quanheng.load_study(root)
    tree = study.framework.compiled
    w = subjective_weights(tree, study.profile("ok"))
    np.testing.assert_allclose(w[[tree.index[d] for d in "PSE"]], [4 / 7, 2 / 7, 1 / 7])


def test_profile_problems_are_one_line_each_with_their_line(tmp_path: Path) -> None:
    root = mini_with_profiles(
        tmp_path,
        "  - id: bad\n"
        "    name: {zh: 坏, en: Bad}\n"
        "    weights: {A: 1}\n"
        "    ahp:\n"
        "      overall: [[A, B, 2]]\n"
        "      A1.1: [[x, y, 2]]\n"
        "      A2: [[A2.1, Z, 3]]\n"
        "    objective: {method: entropy, share: 0.5, nodes: [B1.1]}\n"
        "    concentration: -1\n",
    )
    with pytest.raises(quanheng.StudyError) as info:
        quanheng.load_study(root)
    lines = info.value.lines()
    study = f"{root / 'study.yaml'}"
    assert any(
        ln.startswith(f"{study}:24:") and "AHP parent 'A1.1' is a leaf" in ln for ln in lines
    )
    assert any(ln.startswith(f"{study}:25:") and "unknown item 'Z'" in ln for ln in lines)
    assert any(ln.startswith(f"{study}:26:") and "objective node 'B1.1'" in ln for ln in lines)
    assert any(ln.startswith(f"{study}:27:") and "concentration is -1" in ln for ln in lines)
    assert any(ln.startswith(f"{study}:21:") and "also has AHP judgements" in ln for ln in lines)


def test_concentration_takes_uniform_and_infinity(tmp_path: Path) -> None:
    root = mini_with_profiles(
        tmp_path,
        "  - {id: u, name: {zh: 均, en: U}, concentration: uniform}\n"
        "  - {id: f, name: {zh: 定, en: F}, concentration: .inf}\n",
    )
    study = quanheng.load_study(root)
    assert study.profile("u").concentration == "uniform"
    assert study.profile("f").concentration == float("inf")
    assert study.profile("beta-heavy").concentration == 100.0
