"""save_profile: appended to study.yaml with every comment and line of the file kept."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from quanheng.curation import read_audit
from quanheng.curation.profiles import save_profile
from quanheng.errors import StudyError
from quanheng.study import load_study

REPO = Path(__file__).resolve().parents[2]
DEFAULT = REPO / "studies" / "cn-llm-vendors-2024"
MINI = REPO / "tests" / "data" / "mini"


@pytest.fixture
def study(tmp_path: Path) -> Path:
    dest = tmp_path / "study"
    shutil.copytree(DEFAULT, dest, ignore=shutil.ignore_patterns("runs"))
    return dest


def test_new_profile_only_adds_lines(study: Path) -> None:
    before = (study / "study.yaml").read_text(encoding="utf-8")
    profile = save_profile(study, "latency-first", {"P7": 0.5, "P5": 0.5}, "li", "workbench")
    after = (study / "study.yaml").read_text(encoding="utf-8")
    removed = [ln for ln in difflib.ndiff(before.splitlines(), after.splitlines()) if ln[:1] == "-"]
    assert removed == []  # comments, hand-wrapped weights, everything before is kept
    assert after.startswith(before)
    assert profile.id == "latency-first" and profile.weights == {"P7": 0.5, "P5": 0.5}
    assert load_study(study).profile("latency-first").normalise is True
    [entry] = read_audit(study)
    assert entry["action"] == "profile" and entry["index"] == 3
    assert entry["after"]["weights"] == {"P7": 0.5, "P5": 0.5}


def test_full_profile_body(study: Path) -> None:
    body = {
        "name": {"zh": "低价", "en": "Cheapest"},
        "weights": {"P7.1": 0.2, "P7.2": 0.2, "P7.3": 0.6},
        "normalise": False,
        "pilots": ["one pilot"],
    }
    save_profile(study, "cheapest", body, "li", "price first")
    loaded = load_study(study).profile("cheapest")
    assert loaded.name.en == "Cheapest" and loaded.pilots == ("one pilot",)


def test_duplicate_or_invalid_profiles_leave_the_file_untouched(study: Path) -> None:
    before = (study / "study.yaml").read_bytes()
    with pytest.raises(StudyError, match="'code-assistant' already exists"):
        save_profile(study, "code-assistant", {"P5": 1.0}, "li", "again")
    with pytest.raises(StudyError, match="reserved"):
        save_profile(study, "default", {"P5": 1.0}, "li", "again")
    with pytest.raises(StudyError, match=r"unknown node 'P55' \(did you mean"):
        save_profile(study, "typo", {"P55": 1.0}, "li", "typo")
    with pytest.raises(StudyError, match="sum to"):
        save_profile(
            study, "unsummed", {"weights": {"P5": 0.2, "P7": 0.2}, "normalise": False}, "li", "x"
        )
    assert (study / "study.yaml").read_bytes() == before
    assert read_audit(study) == []
    assert not [p for p in study.parent.iterdir() if ".profile-" in p.name]  # scratch removed


def test_a_study_without_profiles_gets_the_key(tmp_path: Path) -> None:
    dest = tmp_path / "mini"
    shutil.copytree(MINI, dest)
    text = (dest / "study.yaml").read_text(encoding="utf-8")
    head = text[: text.index("profiles:")]
    (dest / "study.yaml").write_text("# my study\n" + head, encoding="utf-8")
    save_profile(dest, "alpha", {"A": 0.7, "B": 0.3}, "li", "first")
    after = (dest / "study.yaml").read_text(encoding="utf-8")
    assert after.startswith("# my study\n" + head)
    assert load_study(dest).profile("alpha").weights == {"A": 0.7, "B": 0.3}
