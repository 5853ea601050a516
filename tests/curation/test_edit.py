"""Editing evidence in place: one record's lines change, the rest of the file stays byte for byte.

Real copies of the default study and the mini study (its CSV evidence), real files, real
subprocesses killed with SIGKILL in the middle of a save.
"""

from __future__ import annotations

import difflib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from quanheng.curation import (
    RecordRef,
    check_record,
    delete_record,
    list_records,
    read_audit,
    record_version,
    save_record,
)
from quanheng.curation.edit import load_context
from quanheng.errors import EditConflict, EvidenceError, StudyError
from quanheng.scoring.engine import score
from quanheng.study import load_study

REPO = Path(__file__).resolve().parents[2]
DEFAULT = REPO / "studies" / "cn-llm-vendors-2024"
MINI = REPO / "tests" / "data" / "mini"
REPORT = "evidence/report-2024.yaml"


@pytest.fixture
def study(tmp_path: Path) -> Path:
    """A copy of the default study (no run store: nothing measured)."""
    dest = tmp_path / "study"
    shutil.copytree(DEFAULT, dest, ignore=shutil.ignore_patterns("runs"))
    return dest


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    dest = tmp_path / "mini"
    shutil.copytree(MINI, dest)
    return dest


def _find(root: Path, subject: str, indicator: str) -> tuple[RecordRef, dict[str, Any], str]:
    cell = (subject, indicator)
    return next(r for r in list_records(root) if (r[1]["subject"], r[1]["indicator"]) == cell)


def _changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    """The removed and the added lines of a diff."""
    removed, added = [], []
    for line in difflib.ndiff(before.splitlines(), after.splitlines()):
        if line.startswith("- "):
            removed.append(line[2:])
        elif line.startswith("+ "):
            added.append(line[2:])
    return removed, added


def test_list_records_resolves_aliases_and_versions_by_content(study: Path) -> None:
    records = list_records(study)
    assert len(records) == len(load_study(study).evidence)
    ref, rec, version = _find(study, "baidu", "china_market")
    assert ref == RecordRef(REPORT, 4)
    # `source: *report` and `quote: *shortlist` come out as the anchored values, copied.
    assert rec["source"]["publisher"] == "DKLCloud"
    assert rec["quote"].startswith("通过遴选")
    assert version == record_version(rec) and len(version) == 64


def test_editing_one_block_record_changes_only_its_line(study: Path) -> None:
    before = (study / REPORT).read_text(encoding="utf-8")
    ref, rec, version = _find(study, "baidu", "P3.1")
    assert rec["value"] == 36
    new_ref, new_version = save_record(study, ref, {**rec, "value": 40}, version, "li", "recount")
    after = (study / REPORT).read_text(encoding="utf-8")
    assert _changed_lines(before, after) == (["    value: 36"], ["    value: 40"])
    assert new_ref == ref and new_version == record_version({**rec, "value": 40})
    # Comments and anchors/aliases are all still there, byte for byte.
    assert after.count("&report") == 1 and after.count("*report") == before.count("*report")
    assert [ln for ln in after.splitlines() if ln.lstrip().startswith("#")] == [
        ln for ln in before.splitlines() if ln.lstrip().startswith("#")
    ]


def test_editing_a_flow_record_keeps_its_flow_style_and_aliases(study: Path) -> None:
    before = (study / REPORT).read_text(encoding="utf-8")
    ref, rec, version = _find(study, "huawei", "full_stack")
    save_record(study, ref, {**rec, "analyst": "wang"}, version, "wang", "second opinion")
    removed, added = _changed_lines(before, (study / REPORT).read_text(encoding="utf-8"))
    assert len(removed) == len(added) == 1
    assert added[0] == removed[0].replace("analyst: quanheng-team", "analyst: wang")
    assert "source: *report, quote: *shortlist" in added[0]


def test_changing_an_aliased_source_copies_it_and_leaves_the_others(study: Path) -> None:
    ref, rec, version = _find(study, "tencent", "full_stack")
    source = {**rec["source"], "date": "2025-02"}
    save_record(study, ref, {**rec, "source": source}, version, "li", "newer edition")
    loaded = load_study(study)
    dates = {
        (r.subject, r.indicator): r.source.date
        for r in loaded.evidence
        if r.source.title and r.source.title.startswith("重磅")
    }
    assert dates[("tencent", "full_stack")] == "2025-02"
    assert dates[("tencent", "china_market")] == "2025-01-19"  # shares the anchor: untouched
    assert sum(1 for d in dates.values() if d == "2025-02") == 1


def test_changing_the_record_that_defines_the_anchor_moves_the_anchor(study: Path) -> None:
    before = (study / REPORT).read_text(encoding="utf-8")
    ref, rec, version = _find(study, "sensetime", "china_market")  # `source: &report`
    assert ref.index == 0
    source = {**rec["source"], "date": "2025-02"}
    save_record(study, ref, {**rec, "source": source}, version, "li", "newer edition")
    after = (study / REPORT).read_text(encoding="utf-8")
    removed, added = _changed_lines(before, after)
    assert '      date: "2025-02"' in added  # the copy keeps the quoting of its keys
    # The next record that used the anchor now holds it; every other line is as it was.
    assert len(removed) == len(added) == 3
    assert (
        "source: &report {title:" in added[-1]
        and after.count("*report") == before.count("*report") - 1
    )
    dates = [r.source.date for r in load_study(study).evidence if r.source.publisher == "DKLCloud"]
    assert dates.count("2025-02") == 1 and dates.count("2025-01-19") == len(dates) - 1


def test_edited_study_validates_and_its_score_changes(study: Path) -> None:
    card0 = score(load_study(study))
    i = card0.subjects.index("baidu")
    ref, rec, version = _find(study, "baidu", "P3.1")
    # P3.1 is scored within the cohort and Baidu's 36 models are its top: lower it to 1
    save_record(study, ref, {**rec, "value": 1}, version, "li", "recount")
    card1 = score(load_study(study))
    assert card0.to_dict()["subjects"][i]["raw"]["P3.1"] == 36
    assert card1.to_dict()["subjects"][i]["raw"]["P3.1"] == 1
    assert card1.column("P3.1")[i] < card0.column("P3.1")[i]
    assert card1.overall[i] != card0.overall[i]


HAND_WRAPPED = """\
format: quanheng/evidence@1
records:
# two records wrapped by hand: ruamel.yaml alone would join their lines
- {subject: s1, indicator: A1.1, value: 10, source: {title: T},
   quote: "10", analyst: a}
- subject: s2
  indicator: A1.1
  value: 20
  source: {title: T}
  quote: "20"   # checked twice
  analyst: a
- {subject: s3, indicator: A1.1, value: 30, source: {title: T},
   quote: "30", analyst: a}
"""


def test_a_layout_ruamel_cannot_reproduce_is_spliced(mini: Path) -> None:
    path = mini / "evidence" / "facts.yaml"
    text = path.read_text(encoding="utf-8").replace("  - {subject: s1, indicator: A1.1", "  #")
    text = text.replace("  - {subject: s2, indicator: A1.1", "  #")
    text = text.replace("  - {subject: s3, indicator: A1.1", "  #")
    path.write_text(text, encoding="utf-8")
    (mini / "evidence" / "wrapped.yaml").write_text(HAND_WRAPPED, encoding="utf-8")
    ref, rec, version = _find(mini, "s2", "A1.1")
    assert ref == RecordRef("evidence/wrapped.yaml", 1)
    save_record(mini, ref, {**rec, "value": 25}, version, "li", "recount")
    after = (mini / "evidence" / "wrapped.yaml").read_text(encoding="utf-8")
    assert _changed_lines(HAND_WRAPPED, after) == (["  value: 20"], ["  value: 25"])
    ref, rec, version = _find(mini, "s3", "A1.1")
    save_record(mini, ref, {**rec, "value": 35}, version, "li", "recount")
    removed, added = _changed_lines(after, (mini / "evidence" / "wrapped.yaml").read_text("utf-8"))
    assert removed == [
        "- {subject: s3, indicator: A1.1, value: 30, source: {title: T},",
        '   quote: "30", analyst: a}',
    ]
    assert added == [
        '- {subject: s3, indicator: A1.1, value: 35, source: {title: T}, quote: "30", analyst: a}'
    ]
    assert load_study(mini).cells[("s3", "A1.1")].value == 35


def test_csv_row_is_edited_in_place(mini: Path) -> None:
    path = mini / "evidence" / "exam.csv"
    before = path.read_text(encoding="utf-8")
    ref, rec, version = _find(mini, "s2", "A2.1")
    assert ref == RecordRef("evidence/exam.csv", 1)
    assert rec["value"] == 60.0 and rec["source"] == {"title": "Exam board", "date": "2024-01"}
    card0 = score(load_study(mini))
    save_record(mini, ref, {**rec, "value": 90, "quote": "scored 90"}, version, "li", "regraded")
    after = path.read_text(encoding="utf-8")
    assert _changed_lines(before, after) == (
        ['s2,A2.1,60,,,Exam board,2024-01,"scored 60",b,'],
        ["s2,A2.1,90,,,Exam board,2024-01,scored 90,b,"],
    )
    card1 = score(load_study(mini))
    i = card1.subjects.index("s2")
    k = card1.node_ids.index("A2.1")
    assert card0.raw[i, k] == 60 and card1.raw[i, k] == 90
    assert card1.scores[i, k] == pytest.approx(0.9)  # fixed 0..100


def test_csv_cannot_hold_a_field_without_a_column(mini: Path) -> None:
    ref, rec, version = _find(mini, "s2", "A2.1")
    before = (mini / "evidence" / "exam.csv").read_bytes()
    with pytest.raises(EvidenceError, match="no column 'unit'"):
        save_record(mini, ref, {**rec, "unit": "percent"}, version, "li", "unit")
    assert (mini / "evidence" / "exam.csv").read_bytes() == before


def test_add_and_delete_records(mini: Path) -> None:
    new = {
        "subject": "s2",
        "indicator": "A1.2",
        "value": 3,
        "source": {"title": "Audit 2024", "date": "2024-03"},
        "quote": "practised",
        "analyst": "c",
    }
    facts = "evidence/facts.yaml"
    ref, version = save_record(mini, None, new, None, "li", "new source", file=facts)
    assert ref == RecordRef("evidence/facts.yaml", 16)
    assert load_study(mini).cells[("s2", "A1.2")].value == 2.5  # median of 2 and 3
    text = (mini / "evidence" / "facts.yaml").read_text(encoding="utf-8")
    delete_record(mini, ref, version, "li", "duplicate")
    assert (mini / "evidence" / "facts.yaml").read_text(encoding="utf-8") != text
    assert load_study(mini).cells[("s2", "A1.2")].value == 2
    assert [e["action"] for e in read_audit(mini)] == ["add", "delete"]


def test_delete_keeps_the_comments_that_introduce_the_next_section(study: Path) -> None:
    before = (study / REPORT).read_text(encoding="utf-8")
    ref, _rec, version = _find(study, "tencent", "product_market")  # last gate before OpenAI
    delete_record(study, ref, version, "li", "test")
    after = (study / REPORT).read_text(encoding="utf-8")
    removed, added = _changed_lines(before, after)
    assert added == [] and len(removed) == 1 and "tencent, indicator: product_market" in removed[0]
    assert "# " + "-" * 64 + " gate: OpenAI" in after
    load_study(study)


def test_second_save_with_the_same_version_conflicts_and_loses_nothing(study: Path) -> None:
    ref, rec, version = _find(study, "baidu", "P2.3")
    first = {**rec, "value": 13}
    second = {**rec, "value": 14}
    save_record(study, ref, first, version, "li", "first tab")
    text = (study / REPORT).read_text(encoding="utf-8")
    with pytest.raises(EditConflict) as info:
        save_record(study, ref, second, version, "wang", "second tab")
    err = info.value
    assert err.mine == second and err.theirs == first
    assert err.mine_version == version and err.theirs_version == record_version(first)
    assert (study / REPORT).read_text(encoding="utf-8") == text  # the file holds the first
    assert [e["who"] for e in read_audit(study)] == ["li"]
    assert "changed by someone else" in str(err) and err.ref == ref


def test_concurrent_saves_of_one_version_let_exactly_one_through(study: Path) -> None:
    ref, rec, version = _find(study, "baidu", "P2.3")

    def attempt(value: int) -> str:
        try:
            save_record(study, ref, {**rec, "value": value}, version, f"tab{value}", "race")
        except EditConflict:
            return "conflict"
        return "saved"

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(attempt, [20, 21, 22, 23]))
    assert sorted(results) == ["conflict", "conflict", "conflict", "saved"]
    [entry] = read_audit(study)
    winner = entry["after"]["value"]
    assert results[winner - 20] == "saved"
    assert _find(study, "baidu", "P2.3")[1]["value"] == winner


def test_a_deleted_record_conflicts(study: Path) -> None:
    _ref, rec, version = _find(study, "openai", "china_market")
    last = list_records(study)[-1][0]
    with pytest.raises(EditConflict, match="was deleted"):
        save_record(study, RecordRef(last.file, last.index + 5), rec, version, "li", "stale editor")


def test_invalid_record_is_refused_with_its_field(study: Path) -> None:
    ref, rec, version = _find(study, "baidu", "P3.1")
    before = (study / REPORT).read_bytes()
    with pytest.raises(EvidenceError) as info:
        save_record(study, ref, {**rec, "subject": "baidoo"}, version, "li", "typo")
    assert "subject: evidence for unknown subject 'baidoo' (did you mean 'baidu'?)" in str(
        info.value
    )
    assert (study / REPORT).read_bytes() == before


def test_check_record_runs_the_validate_checks(study: Path) -> None:
    context = load_context(study)
    _ref, rec, _v = _find(study, "baidu", "P3.1")
    assert check_record(context, rec) == []
    fields = {
        p.field
        for p in check_record(
            context, {**rec, "quote": "", "source": {**rec["source"], "date": "2099-01"}}
        )
    }
    assert fields == {"quote", "source.date"}
    [gate] = check_record(context, {**rec, "indicator": "china_market"})
    assert gate.field == "value" and "needs true or false" in gate.message
    [leaf] = check_record(context, {**rec, "indicator": "P3"})
    assert leaf.field == "indicator" and "has children" in leaf.message
    [kind] = check_record(context, {**rec, "value": "many"})
    assert kind.field == "value" and "not text" in kind.message


def test_audit_holds_before_and_after(study: Path) -> None:
    ref, rec, version = _find(study, "baidu", "P3.1")
    save_record(study, ref, {**rec, "value": 37}, version, "li", "recount")
    [entry] = read_audit(study, subject="baidu", indicator="P3.1")
    assert entry["action"] == "edit" and entry["who"] == "li" and entry["reason"] == "recount"
    assert entry["before"]["value"] == 36 and entry["after"]["value"] == 37
    assert entry["file"] == REPORT and entry["index"] == ref.index
    assert read_audit(study, subject="tencent") == []


_SAVE = """
import sys
from pathlib import Path
from quanheng.curation import list_records, save_record
root = Path(sys.argv[1])
ref, rec, version = next(
    r for r in list_records(root) if (r[1]["subject"], r[1]["indicator"]) == ("baidu", "P3.1")
)
print("saving", flush=True)
save_record(root, ref, {**rec, "value": 99}, version, "killed", "atomicity test")
print("saved", flush=True)
"""


def _save_in_subprocess(study: Path, pause: str) -> subprocess.Popen[str]:
    env = {**os.environ, "QUANHENG_TEST_PAUSE_BEFORE_REPLACE": pause, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-c", _SAVE, str(study)], env=env, stdout=subprocess.PIPE, text=True
    )


def test_a_save_killed_before_the_replace_leaves_the_old_file(study: Path) -> None:
    before = (study / REPORT).read_bytes()
    proc = _save_in_subprocess(study, "60")
    deadline = time.monotonic() + 60
    while not list((study / "evidence").glob(".report-2024.yaml.*.tmp")):
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)
    # The temporary file is complete (written and fsynced) and the process sleeps: kill it.
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.stdout is not None
    proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    assert (study / REPORT).read_bytes() == before
    assert load_study(study).cells[("baidu", "P3.1")].value == 36  # the stray .tmp is not read
    assert read_audit(study) == []


def test_a_save_that_completes_writes_the_new_file(study: Path) -> None:
    proc = _save_in_subprocess(study, "0")
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0 and out.splitlines() == ["saving", "saved"]
    assert load_study(study).cells[("baidu", "P3.1")].value == 99
    assert not list((study / "evidence").glob("*.tmp"))
    assert json.loads((study / "audit.jsonl").read_text(encoding="utf-8"))["who"] == "killed"


def test_adding_to_a_file_the_study_does_not_read_is_refused(study: Path) -> None:
    (study / "study.yaml").write_text(
        (study / "study.yaml")
        .read_text(encoding="utf-8")
        .replace("evidence: [evidence]", "evidence: [evidence/report-2024.yaml]"),
        encoding="utf-8",
    )
    _ref, rec, _v = _find(study, "baidu", "P3.1")
    with pytest.raises(StudyError, match=r"does not read 'evidence/new\.yaml'"):
        save_record(study, None, rec, None, "li", "x", file="evidence/new.yaml")
