"""Studies (quanheng.study): loading, subjects, profiles, AHP refusal and consolidated cells.

The mini study (tests/data/mini) has vendors s1, s2, s3, out and the model m1 of vendor s1, one
profile ``beta-heavy`` and 20 evidence records (16 in facts.yaml, 4 in exam.csv).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from quanheng.errors import StudyError
from quanheng.framework import Framework
from quanheng.study import Study, load_study, validate_path

MINI = Path(__file__).parent / "data" / "mini"


@pytest.fixture(scope="module")
def mini() -> Study:
    return load_study(MINI)


def test_load_study_by_directory_or_file(mini: Study) -> None:
    assert mini.id == "mini-study"
    assert mini.path == MINI
    assert mini.framework.id == "mini"
    assert len(mini.evidence) == 20
    assert load_study(MINI / "study.yaml").id == "mini-study"


@pytest.mark.parametrize("content", ["- a list\n", "format: quanheng/study@1\nid: x\n"])
def test_another_file_as_the_study_path_names_the_mistake(
    content: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file other than study.yaml used to be read as the study: "study.yaml must be a mapping"."""
    (tmp_path / "notes").mkdir()
    path = tmp_path / "notes" / "x.yaml"
    path.write_text(content, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for load in (load_study, validate_path):
        with pytest.raises(StudyError) as info:
            load(path)
        assert info.value.lines() == [
            "notes/x.yaml: is a file, not a study directory — give the study directory that "
            "contains study.yaml (or that study.yaml itself)"
        ]


def test_a_fifo_as_the_study_file_is_refused(tmp_path: Path) -> None:
    """Reading a FIFO blocks until a writer comes: the check must not open it (own process)."""
    os.mkfifo(tmp_path / "study.yaml")
    proc = subprocess.run(
        [sys.executable, "-m", "quanheng", "validate", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        "study.yaml: is a named pipe (FIFO), not a regular file — point at a YAML or CSV file "
        "(or move this out of the study's files)"
    ]


def test_subjects_and_kinds(mini: Study) -> None:
    assert [(s.id, s.kind) for s in mini.subjects] == [
        ("s1", "vendor"),
        ("s2", "vendor"),
        ("s3", "vendor"),
        ("out", "vendor"),
        ("m1", "model"),
    ]
    m1 = mini.subjects[-1]
    assert m1.vendor == "s1" and m1.name.en == "Model one"
    # no endpoint and no local model: nothing quanheng can send requests to
    assert not any(s.measured for s in mini.subjects)


def test_profiles_default_first(mini: Study) -> None:
    assert list(mini.profiles) == ["default", "beta-heavy"]
    assert mini.profile(None).id == "default"
    assert mini.profile("default").pilots == ()
    heavy = mini.profile("beta-heavy")
    assert heavy.weights == {"A": 1.0, "B": 3.0}
    assert heavy.pilots == ("try beta things",)
    assert (heavy.normalise, heavy.concentration) == (True, 100.0)  # the defaults


def test_unknown_profile_is_an_input_error(mini: Study) -> None:
    with pytest.raises(StudyError) as info:
        mini.profile("nope")
    (problem,) = info.value.problems
    assert problem.message == "profile 'nope' is not defined"
    assert problem.fix == "use one of: default, beta-heavy"


def test_cells_are_consolidated_from_evidence(mini: Study) -> None:
    # exam.csv: s3 scored 40 by analyst b and 50 by analyst c → median 45, spread 10
    s3 = mini.cells[("s3", "A2.1")]
    assert (s3.value, s3.spread, s3.low, s3.high) == (45.0, 10.0, 40.0, 50.0)
    assert s3.analysts == ("b", "c")
    # s1's exam score has a range 70..90 in the CSV
    s1 = mini.cells[("s1", "A2.1")]
    assert (s1.value, s1.low, s1.high, s1.spread) == (80.0, 70.0, 90.0, 0.0)
    # gates are cells too: 'out' fails the market gate
    assert mini.cells[("out", "market")].value == 0.0
    # 20 records over 19 cells: only (s3, A2.1) has two
    assert len(mini.cells) == 19


def test_validate_path_tells_framework_from_study(mini: Study) -> None:
    fw = validate_path(MINI / "framework.yaml")
    assert isinstance(fw, Framework) and fw.id == "mini"
    assert validate_path(MINI).id == "mini-study"


# ----------------------------------------------------------------------------- refusals

THREE_DIMS = """\
format: quanheng/framework@1
id: three
version: "1"
name: {zh: 三, en: Three}
tree:
  - {id: P, name: {zh: 甲, en: P}, kind: fact, normalisation: {type: minmax}}
  - {id: Q, name: {zh: 乙, en: Q}, kind: fact, normalisation: {type: minmax}}
  - {id: R, name: {zh: 丙, en: R}, kind: fact, normalisation: {type: minmax}}
"""

STUDY = """\
format: quanheng/study@1
id: ahp-study
title: {zh: 研究, en: Study}
framework: framework.yaml
subjects:
  - {id: v, name: {zh: 甲, en: V}}
profiles:
  - id: cyclic
    name: {zh: 循环, en: Cyclic}
    ahp:
      overall:
        - [P, Q, 9]
        - [Q, R, 9]
        - [R, P, 9]
"""


def test_inconsistent_ahp_is_refused(tmp_path: Path) -> None:
    (tmp_path / "framework.yaml").write_text(THREE_DIMS, encoding="utf-8")
    (tmp_path / "study.yaml").write_text(STUDY, encoding="utf-8")
    (tmp_path / "evidence").mkdir()
    with pytest.raises(StudyError) as info:
        load_study(tmp_path)
    (problem,) = info.value.problems
    # P ≻ Q ≻ R ≻ P, each 9: the circulant matrix [[1, 9, 1/9], [1/9, 1, 9], [9, 1/9, 1]] has
    # λmax = its row sum 1 + 9 + 1/9 = 10.111 ; CI = (10.111 − 3) / 2 = 3.556 ; RI(3) = .58 →
    # CR = 6.130, far above Saaty's .1
    assert problem.message.startswith(
        "profile 'cyclic', AHP under 'overall': the judgements are inconsistent: "
        "consistency ratio 6.130 exceeds 0.1"
    )
    assert problem.line in (12, 13, 14)  # one of the three judgements


def test_every_subject_and_evidence_problem_at_once(tmp_path: Path) -> None:
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    study = root / "study.yaml"
    text = study.read_text(encoding="utf-8").replace("vendor: s1", "vendor: s9")
    study.write_text(text.replace("  - {id: s2,", "  - {id: s1,"), encoding="utf-8")
    with pytest.raises(StudyError) as info:
        load_study(root)
    messages = [(p.file.rsplit("/", 1)[-1], p.line, p.message) for p in info.value.problems]
    # study.yaml: the second subject (line 7) now repeats s1 ; m1 (vendor on line 12) names s9
    assert messages[:2] == [
        ("study.yaml", 7, "duplicate subject id 's1'"),
        ("study.yaml", 12, "model 'm1' names unknown vendor 's9'"),
    ]
    # and the evidence of s2, which is no subject any more, is reported record by record:
    # facts.yaml lines 4, 9, 13, 15, 18 and exam.csv line 3
    unknown = [(f, line) for f, line, m in messages if m == "evidence for unknown subject 's2'"]
    assert unknown == [
        ("exam.csv", 3),
        ("facts.yaml", 4),
        ("facts.yaml", 9),
        ("facts.yaml", 13),
        ("facts.yaml", 15),
        ("facts.yaml", 18),
    ]


def test_a_mistyped_study_path_names_the_study_beside_it(tmp_path: Path) -> None:
    shutil.copytree(Path(__file__).parent / "data" / "mini", tmp_path / "acme-eval")
    with pytest.raises(StudyError, match=r"did you mean .*acme-eval\?"):
        load_study(tmp_path / "acme-evl")
    with pytest.raises(StudyError, match=r"did you mean .*acme-eval\?"):
        load_study(tmp_path / "acme")  # the start of a study's name


def test_a_mistyped_framework_id_given_as_a_study_says_it_is_a_framework(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no study near "cn-llm-vendor-2042" here
    monkeypatch.setattr("quanheng.study.find_studies", lambda: [])
    with pytest.raises(
        StudyError, match=r"did you mean the built-in framework 'cn-llm-vendor-2024'"
    ):
        load_study("cn-llm-vendor-2042")


def test_unknown_subject_and_profile_ids_say_what_was_meant() -> None:
    study = load_study(Path(__file__).parent / "data" / "mini")
    assert study.subject("s1").id == "s1"
    with pytest.raises(
        StudyError, match=r"subject 'S11' is not in the study \(did you mean 's1'\?\)"
    ):
        study.subject("S11")
    with pytest.raises(
        StudyError, match=r"profile 'beta-hevy' is not defined \(did you mean 'beta-heavy'"
    ):
        study.profile("beta-hevy")
