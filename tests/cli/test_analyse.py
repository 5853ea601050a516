"""``quanheng analyse`` and ``quanheng recommend`` as a user types them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from cli_run import run

ROOT = Path(__file__).parent.parent.parent
MINI = ROOT / "tests" / "data" / "mini"
EMBEDDED = ROOT / "studies" / "cn-llm-vendors-2024"


def test_analyse_prints_probabilities_pairs_and_sensitivity(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # --ignore-missing: the derivation below is about the weights alone (s3's two missing cells
    # are drawn by default, which test_missing.py covers)
    code, out, _ = run(["analyse", str(MINI), "--draws", "2000", "--ignore-missing"], capsys)
    assert code == 0
    assert "2,000 draws, seed 0, weights 100" in out
    one = next(line for line in out.splitlines() if "One (s1)" in line)
    assert "0.790" in one
    # s2 leads s3 by .08 at the stated weights; the gap moves by −.7 per unit of A's weight
    # ((A_s2 − A_s3) − (B_s2 − B_s3) = (.525 − .725) − (.5 − 0)), so it reverses only past
    # A = .714 (the sensitivity table's B .400 → .286), 2.3 standard deviations of a
    # concentration-100 Dirichlet weight around .6 (sd √(.6·.4/101) ≈ .049): about 1% of draws
    assert "Every pair keeps its order in at least 90% of draws." in out
    assert "Pairs whose order is uncertain" not in out
    assert "Sensitivity: each weight ±20%" in out
    assert "Smallest single-weight change" in out
    assert "Ranks by aggregation method" in out
    assert "Not ranked: Outsider (out) — screened out: fails market" in out


def test_analyse_json_is_byte_identical_for_a_seed(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["analyse", str(MINI), "--draws", "3000", "--json", "--profile", "beta-heavy"]
    _, first, _ = run([*args, "--seed", "9"], capsys)
    _, second, _ = run([*args, "--seed", "9"], capsys)
    _, other, _ = run([*args, "--seed", "10"], capsys)
    assert first == second
    assert first != other
    data = json.loads(first)
    assert data["format"] == "quanheng/analysis@1"
    assert data["simulation"]["settings"]["seed"] == 9
    assert {"simulation", "sensitivity", "methods", "agreement", "digests"} <= set(data)


def test_analyse_weight_options(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(["analyse", str(MINI), "--draws", "500", "--uniform-weights", "--json"], capsys)
    assert json.loads(out)["simulation"]["settings"]["concentration"] == "uniform"
    _, out, _ = run(
        ["analyse", str(MINI), "--draws", "500", "--concentration", "inf", "--json"], capsys
    )
    assert json.loads(out)["simulation"]["settings"]["concentration"] == "inf"
    code, _, err = run(["analyse", str(MINI), "--draws", "0"], capsys)
    assert (
        code == 2 and err.strip() == "--draws: 0 draws — give at least 1 (10,000 is a good default)"
    )
    code, _, err = run(["analyse", str(MINI), "--concentration", "-2"], capsys)
    assert code == 2 and err.startswith("--concentration: -2 is not a Dirichlet concentration")


def test_inconsistent_ahp_profile_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "s"
    (root / "evidence").mkdir(parents=True)
    (root / "study.yaml").write_text(
        "format: quanheng/study@1\n"
        "id: s\n"
        "title: {zh: 甲, en: S}\n"
        "framework: cn-llm-vendor-2024\n"
        "subjects: [{id: v, name: {zh: 甲, en: V}}]\n"
        "profiles:\n"
        "  - id: cyclic\n"
        "    name: {zh: 循环, en: Cyclic}\n"
        "    ahp:\n"
        "      overall: [[P, S, 3], [S, E, 3], [E, P, 3]]\n",
        encoding="utf-8",
    )
    code, out, err = run(["analyse", str(root), "--profile", "cyclic"], capsys)
    assert code == 2 and out == ""
    (line,) = err.strip().splitlines()
    assert line.startswith(f"{root / 'study.yaml'}:10: profile 'cyclic', AHP under 'overall'")
    assert "most inconsistent is 'E' vs 'P', judged 3" in line
    assert "revise 'E' vs 'P' towards 1/1" in line


def test_recommend_answers_differ_by_use_case(capsys: pytest.CaptureFixture[str]) -> None:
    code, service, _ = run(
        ["recommend", str(EMBEDDED), "--profile", "customer-service", "--draws", "1000"], capsys
    )
    assert code == 0
    _, code_assist, _ = run(
        ["recommend", str(EMBEDDED), "--profile", "code-assistant", "--draws", "1000"], capsys
    )
    for out in (service, code_assist):
        # the embedded study has little evidence on what either use case weighs most: it says
        # so first, lists the leaves to collect and shows its ordering as provisional
        assert out.splitlines()[0].startswith("insufficient evidence for this use case")
        assert "Leaves to collect" in out and "Provisional ordering" in out
        assert "Top picks" not in out
        assert "Risks" in out and "Suggested pilots" in out
        assert "P(best)" in out and " · coverage " in out
        assert " over " in out and "for baidu:" in out
    assert "FAQ answering" in service and "FAQ answering" not in code_assist
    assert "Code completion" in code_assist
    tradeoffs = [
        [line for line in out.splitlines() if line.strip().startswith("for ")]
        for out in (service, code_assist)
    ]
    assert tradeoffs[0] != tradeoffs[1]


def test_recommend_json_and_required_profile(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        [
            "recommend",
            str(MINI),
            "--profile",
            "beta-heavy",
            "--top",
            "2",
            "--json",
            "--draws",
            "500",
        ],
        capsys,
    )
    assert code == 0
    data = json.loads(out)
    assert [p["subject"] for p in data["picks"]] == ["s1", "s2"]
    assert data["pilots"] == ["try beta things"]
    assert data["evidence"] == "sufficient" and data["provisional"] is False
    code, _, _ = run(["recommend", str(MINI)], capsys)
    assert code == 2  # --profile is required (typer's usage error)
    code, _, err = run(["recommend", str(MINI), "--profile", "nope"], capsys)
    assert code == 2 and "profile 'nope' is not defined" in err


def test_recommend_on_a_copied_study_with_two_profiles(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    with (root / "study.yaml").open("a", encoding="utf-8") as fh:
        fh.write(
            "  - id: alpha-heavy\n"
            "    name: {zh: 重甲, en: Alpha heavy}\n"
            "    pilots: [try alpha things]\n"
            "    ahp: {overall: [[A, B, 9]], A1: [[A1.1, A1.2, 9]]}\n"
            "    concentration: 1000\n"
        )
    _, beta, _ = run(
        ["recommend", str(root), "-p", "beta-heavy", "--json", "--draws", "500"], capsys
    )
    _, alpha, _ = run(
        ["recommend", str(root), "-p", "alpha-heavy", "--json", "--draws", "500"], capsys
    )
    b, a = json.loads(beta), json.loads(alpha)
    assert b["picks"][0]["subject"] == "s1"
    assert a["picks"][0]["subject"] == "s3"  # the biggest count wins when A1.1 dominates
    assert a["tradeoffs"][0]["favours_a"][0]["leaf"] == "A1.1"
    assert a["pilots"] == ["try alpha things"]


def test_a_study_with_nobody_to_rank_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    facts = root / "evidence" / "facts.yaml"
    facts.write_text(facts.read_text().replace("value: true", "value: false"))
    code, _, err = run(["analyse", str(root)], capsys)
    assert code == 2
    assert err.strip().endswith(
        "no subject can be ranked under profile 'default': every one is screened out by the "
        "gates or has no data — add evidence, or set gate_policy: flag to rank subjects that "
        "fail a gate"
    )
