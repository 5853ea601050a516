"""The review queue: write, dedupe, accept (edited), reject; only accepted records are scored."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from quanheng.curation import (
    accept,
    load_proposals,
    proposal_id,
    read_audit,
    reject,
    write_proposals,
)
from quanheng.errors import EvidenceError, InputError, ProposalError, StudyError
from quanheng.scoring.engine import score
from quanheng.study import load_study

REPO = Path(__file__).resolve().parents[2]
DEFAULT = REPO / "studies" / "cn-llm-vendors-2024"


@pytest.fixture
def study(tmp_path: Path) -> Path:
    dest = tmp_path / "study"
    shutil.copytree(DEFAULT, dest, ignore=shutil.ignore_patterns("runs"))
    return dest


def _record(value: float = 5, **extra: Any) -> dict[str, Any]:
    return {
        "subject": "tencent",
        "indicator": "P3.1",
        "value": value,
        "unit": "models",
        "source": {"title": "Hunyuan brochure", "publisher": "Tencent", "date": "2024-06"},
        "quote": "混元大模型 5 个系列",
        "analyst": "extract-bot",
        **extra,
    }


def _origin(start: int = 10) -> dict[str, Any]:
    return {
        "tool": "extract",
        "document": "docs/pangu.pdf",
        "document_sha256": "ab" * 32,
        "offsets": [start, start + 12],
        "model": "qwen2.5-coder-0.5b",
        "prompt_sha256": "cd" * 32,
        "request_key": "k1",
    }


def test_write_then_rewrite_adds_nothing_new(study: Path) -> None:
    added = write_proposals(study, [(_record(), _origin()), (_record(6), _origin(30))], "pangu")
    assert [p.status for p in added] == ["proposed", "proposed"]
    assert added[0].id == proposal_id(_record(), _origin()) and len(added[0].id) == 16
    assert "created" in added[0].origin
    path = study / "proposed" / "pangu.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["format"] == "quanheng/proposed@1" and len(data["proposals"]) == 2
    # The same extraction again (a later `created`), under another file name: nothing added.
    again = write_proposals(study, [(_record(), {**_origin(), "created": "2030-01-01"})], "rerun")
    assert again == [] and not (study / "proposed" / "rerun.yaml").exists()
    more = write_proposals(study, [(_record(7), _origin(50))], "pangu")
    assert len(more) == 1 and len(load_proposals(study)) == 3


def test_accept_with_edits_reaches_the_score(study: Path) -> None:
    [p] = write_proposals(study, [(_record(), _origin())], "pangu")
    card0 = score(load_study(study))
    i = card0.subjects.index("tencent")
    assert card0.to_dict()["subjects"][i]["raw"]["P3.1"] is None  # nothing proposed is scored
    done = accept(study, p.id, "li", record=_record(8), reason="five series, eight models")
    assert done.status == "accepted"
    assert done.decision is not None and done.decision["edited"] is True
    assert done.decision["who"] == "li"
    accepted = yaml.safe_load((study / "evidence" / "accepted.yaml").read_text(encoding="utf-8"))
    assert accepted["format"] == "quanheng/evidence@1"
    assert accepted["records"][0]["value"] == 8
    card1 = score(load_study(study))
    assert card1.to_dict()["subjects"][i]["raw"]["P3.1"] == 8
    [entry] = read_audit(study, subject="tencent", indicator="P3.1")
    assert entry["action"] == "accept" and entry["proposal_id"] == p.id
    assert entry["file"] == "evidence/accepted.yaml" and entry["index"] == 0
    assert entry["before"] is None and entry["after"]["value"] == 8
    assert load_proposals(study, "accepted") == [done]
    with pytest.raises(ProposalError, match="already accepted"):
        accept(study, p.id, "wang")


def test_an_invalid_record_cannot_be_accepted(study: Path) -> None:
    [p] = write_proposals(study, [(_record(quote=""), _origin())], "bad")
    with pytest.raises(EvidenceError) as info:
        accept(study, p.id, "li")
    assert f"proposal {p.id}: quote:" in str(info.value)
    assert not (study / "evidence" / "accepted.yaml").exists()
    assert load_proposals(study, "proposed")[0].id == p.id
    # An edit that fixes it can be accepted; one that breaks another field cannot.
    with pytest.raises(EvidenceError, match="unknown subject 'huawai'"):
        accept(study, p.id, "li", record=_record(subject="huawai"))
    accept(study, p.id, "li", record=_record())


def test_reject_needs_a_reason(study: Path) -> None:
    [p] = write_proposals(study, [(_record(), _origin())], "pangu")
    with pytest.raises(ProposalError, match="needs a reason"):
        reject(study, p.id, "li", "  ")
    done = reject(study, p.id, "li", "the brochure is about 2022")
    assert done.status == "rejected" and done.decision is not None
    assert done.decision["reason"] == "the brochure is about 2022"
    assert [e["action"] for e in read_audit(study)] == ["reject"]
    assert not (study / "evidence" / "accepted.yaml").exists()


def test_unknown_id_and_status(study: Path) -> None:
    [p] = write_proposals(study, [(_record(), _origin())], "pangu")
    with pytest.raises(ProposalError, match=rf"no proposal has id '{p.id[:6]}x' \(did you mean"):
        accept(study, p.id[:6] + "x", "li")
    with pytest.raises(InputError, match="not a proposal status"):
        load_proposals(study, "done")
    with pytest.raises(InputError, match="plain name"):
        write_proposals(study, [(_record(), _origin())], "../escape")


def test_accepted_file_must_be_read_by_the_study(study: Path) -> None:
    text = (study / "study.yaml").read_text(encoding="utf-8")
    (study / "study.yaml").write_text(
        text.replace("evidence: [evidence]", "evidence: [evidence/report-2024.yaml]"), "utf-8"
    )
    [p] = write_proposals(study, [(_record(), _origin())], "pangu")
    with pytest.raises(StudyError, match=r"does not read 'evidence/accepted\.yaml'"):
        accept(study, p.id, "li")
    assert load_proposals(study, "proposed") != []


def test_accepting_again_after_a_crash_adds_the_record_once(study: Path) -> None:
    # An accept writes the record, then marks the proposal. Simulate a process killed between
    # the two: the record is in accepted.yaml but the proposal still reads "proposed".
    [p] = write_proposals(study, [(_record(), _origin())], "crash")
    before = (study / "proposed" / "crash.yaml").read_text(encoding="utf-8")
    accept(study, p.id, "li")
    (study / "proposed" / "crash.yaml").write_text(before, encoding="utf-8")
    assert load_proposals(study, "proposed") and not load_proposals(study, "accepted")
    done = accept(study, p.id, "li")
    assert done.status == "accepted"
    accepted = yaml.safe_load((study / "evidence" / "accepted.yaml").read_text(encoding="utf-8"))
    assert len(accepted["records"]) == 1
    assert len(load_study(study).evidence) == len(load_study(DEFAULT).evidence) + 1
