"""``init`` starts a study that validates and scores; ``show --leaf``; "did you mean" on the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from cli_run import run

from quanheng.study import load_study

ROOT = Path(__file__).resolve().parent.parent.parent
MINI = ROOT / "tests" / "data" / "mini"
FW = "cn-llm-vendor-2024"


def uncomment(text: str, indicator: str) -> str:
    """Remove the "# " from the commented example record on ``indicator``, as a user would."""
    lines = text.splitlines()
    start = next(
        i
        for i, line in enumerate(lines)
        if line == "  # - subject: acme" and lines[i + 1] == f"  #   indicator: {indicator}"
    )
    end = start + 1
    while end < len(lines) and lines[end].startswith("  #   "):
        end += 1
    for i in range(start, end):
        lines[i] = "  " + lines[i][len("  # ") :]
    return "\n".join(lines) + "\n"


def test_init_validate_add_a_record_score(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    study = tmp_path / "my-study"
    code, out, err = run(
        ["init", str(study), "--framework", FW, "--title", "My study", "--subject", "acme"],
        capsys,
    )
    assert code == 0, err
    assert "quanheng validate" in out
    assert sorted(p.relative_to(study).as_posix() for p in study.rglob("*") if p.is_file()) == [
        "README.md",
        "evidence/template.yaml",
        "study.yaml",
    ]
    code, out, err = run(["validate", str(study)], capsys)
    assert code == 0, err
    assert out.startswith("ok: study my-study: 1 subject, 0 evidence records")
    code, out, _ = run(["score", str(study)], capsys)
    assert code == 0
    assert "no indicator evidence: unranked" in out
    assert "No subject is ranked yet" in out

    template = study / "evidence" / "template.yaml"
    template.write_text(uncomment(template.read_text(encoding="utf-8"), "P1.1"), "utf-8")
    code, out, err = run(["validate", str(study)], capsys)
    assert code == 0, err
    assert "1 evidence record," in out
    code, out, _ = run(["score", str(study), "--json"], capsys)
    card = json.loads(out)
    (acme,) = card["subjects"]
    assert acme["rank"] == 1 and acme["coverage"] > 0


def test_every_example_record_is_valid_once_uncommented(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    study = tmp_path / "s"
    assert run(["init", str(study), "-f", FW, "--subject", "acme"], capsys)[0] == 0
    template = study / "evidence" / "template.yaml"
    text = template.read_text(encoding="utf-8")
    kinds = re.findall(
        r"^  # --- (a fact|a range|a rubric level|several|a gate|a measured)", text, re.M
    )
    assert kinds == ["a fact", "a range", "a rubric level", "several", "a gate", "a measured"]
    # the rubric example quotes the leaf's level descriptors
    assert "#   3: 描述了预训练数据的多阶段处理流程" in text
    record_line = re.compile(r"^  # (- |  (?!\d: ))")  # a record's lines, not the level list
    every = "\n".join(
        line.replace("  # ", "  ", 1) if record_line.match(line) else line
        for line in text.splitlines()
    )
    template.write_text(every + "\n", encoding="utf-8")
    loaded = load_study(study)
    indicators = {r.indicator for r in loaded.evidence}
    assert indicators == {"P1.1", "P1.3", "P1.2", "china_market", "P5.1"}
    analysts = {r.analyst for r in loaded.evidence if r.indicator == "P1.2"}
    assert analysts == {"your-name", "second-analyst"}
    assert any(r.range is not None for r in loaded.evidence)


def test_init_without_subjects_writes_an_example_and_a_commented_profile(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    study = tmp_path / "Fresh Study"
    assert run(["init", str(study), "--framework", FW], capsys)[0] == 0
    text = (study / "study.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert data["format"] == "quanheng/study@1" and data["id"] == "fresh-study"
    assert [s["id"] for s in data["subjects"]] == ["vendor-a"]
    assert "# profiles:" in text
    profile = "\n".join(
        line[2:]
        for line in text.splitlines()
        if line.startswith("# ") and (line.startswith("# profiles:") or line.startswith("#   "))
    )
    (study / "study.yaml").write_text(text + profile + "\n", encoding="utf-8")
    code, out, err = run(["validate", str(study)], capsys)
    assert code == 0, err
    assert "2 profiles" in out and not err
    readme = (study / "README.md").read_text(encoding="utf-8")
    assert "quanheng score" in readme and "evidence/template.yaml" in readme


def test_init_with_a_framework_file_refers_to_it_relatively(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    study = tmp_path / "rel"
    code, _, err = run(["init", str(study), "-f", str(MINI / "framework.yaml")], capsys)
    assert code == 0, err
    assert run(["validate", str(study)], capsys)[0] == 0


def test_init_refuses_a_non_empty_directory_unless_forced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    study = tmp_path / "busy"
    study.mkdir()
    (study / "notes.txt").write_text("mine", encoding="utf-8")
    code, _, err = run(["init", str(study), "-f", FW], capsys)
    assert code == 2
    assert err.strip().splitlines() == [
        f"{study}: is not empty — give a new or empty directory, or add --force to write "
        "study.yaml, evidence/template.yaml and README.md there (replacing them, keeping the rest)"
    ]
    assert run(["init", str(study), "-f", FW, "--force"], capsys)[0] == 0
    assert (study / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert run(["validate", str(study)], capsys)[0] == 0


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["init", "x", "-f", "cn-llm-vendor-2042"],
            "cn-llm-vendor-2042: framework 'cn-llm-vendor-2042' is neither a built-in nor an "
            "existing file (did you mean 'cn-llm-vendor-2024'?) — use a built-in "
            "(cn-llm-vendor-2024) or a path to a framework YAML",
        ),
        (
            ["init", "x", "-f", FW, "--subject", "a b"],
            "--subject: 'a b' is not an id — use letters, digits, '.', '_' and '-', starting "
            "with a letter or digit",
        ),
    ],
)
def test_init_bad_options_are_one_line(
    args: list[str],
    expected: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(args, capsys)
    assert code == 2
    assert err.strip().splitlines() == [expected]
    assert not (tmp_path / "x").exists()


# --------------------------------------------------------------------------- show --leaf


def test_show_leaf_prints_everything_about_a_log_leaf(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["show", FW, "--leaf", "P1.1"], capsys)
    assert code == 0
    assert out.splitlines()[:6] == [
        "P1.1  Corpus scale & diversity",
        "  name: 数据规模与多样性 / Corpus scale & diversity",
        "  definition: Size of the flagship model's pre-training corpus in tokens, as publicly "
        "stated by the vendor.",
        "  kind: fact",
        "  unit: tokens",
        "  direction: higher is better",
    ]
    assert "reference (fewer than 3 values in the cohort): 3e+11 scores 0, 1.5e+13 scores 1" in out
    assert "  basis: From the ~300 billion training tokens of GPT-3" in out
    assert "  weight: 0.25 within P1 (Training data); 0.0179 of the overall score" in out


def test_show_leaf_rubric_levels_in_the_chosen_language(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(["show", FW, "--leaf", "P1.2", "--lang", "zh"], capsys)
    assert code == 0
    levels = out.split("  等级：\n")[1].splitlines()[:6]
    assert [line.split()[0] for line in levels] == ["0", "1", "2", "3", "4", "5"]
    assert levels[0] == "    0  无公开信息。"


def test_show_leaf_measured_names_its_metric(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["show", FW, "--leaf", "P5.1"], capsys)
    assert code == 0
    assert "  metric: cn_knowledge.accuracy (fed by quanheng measure)" in out
    assert "  normalisation: fixed: 0.25 scores 0, 1 scores 1 (absolute)" in out


def test_show_leaf_with_a_profile_uses_its_weights(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["show", str(MINI), "--leaf", "B1.1", "--profile", "beta-heavy"], capsys)
    assert code == 0
    # beta-heavy: B 0.75, and B1.1 is half of B1 (B's only child)
    assert "  weight: 0.5 within B1 (Beta one); 0.375 of the overall score" in out
    assert "  (weights of profile beta-heavy)" in out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["show", FW, "--leaf", "P44"],
            "--leaf: no leaf or gate 'P44' in framework cn-llm-vendor-2024 (did you mean "
            "'P4.4'?) — see quanheng show cn-llm-vendor-2024 for every leaf id",
        ),
        (
            ["show", FW, "--leaf", "P4"],
            "--leaf: 'P4' is a node with children, not a leaf — give one of its leaves: "
            "P4.1, P4.2, P4.3, P4.4",
        ),
        (
            ["show", "cn-llm-vendors-2024"],
            "cn-llm-vendors-2024: that is a study id, not a framework — give its directory: "
            "quanheng show studies/cn-llm-vendors-2024",
        ),
        (
            ["score", FW],
            "cn-llm-vendor-2024: that is a built-in framework id, not a study directory — give "
            "a study directory (quanheng init DIR --framework cn-llm-vendor-2024 starts one)",
        ),
        (
            ["score", "studies/cn-llm-vendor-2024"],
            "studies/cn-llm-vendor-2024/study.yaml: no study.yaml here (did you mean "
            "studies/cn-llm-vendors-2024?) — give a study directory that contains study.yaml",
        ),
        (
            ["score", "studies/cn-llm-vendors-2024", "--profile", "code-asistant"],
            "studies/cn-llm-vendors-2024/study.yaml: profile 'code-asistant' is not defined "
            "(did you mean 'code-assistant'?) — use one of: default, customer-service, "
            "code-assistant, regulated-finance",
        ),
        (
            ["measure", "studies/cn-llm-vendors-2024", "--suite", "cn-knowlege"],
            "--suite: suite(s) cn-knowlege are not in the study's measure.suites (did you mean "
            "'cn-knowledge'?) — use one of: cn-knowledge, math, code, safety, efficiency, open-qa",
        ),
    ],
)
def test_unknown_ids_on_the_command_line_say_what_was_meant(
    args: list[str],
    expected: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(ROOT)
    code, _, err = run(args, capsys)
    assert code == 2
    assert err.strip().splitlines() == [expected]
