"""The audit log: one JSON line per change, appended whole, filtered by cell."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quanheng.curation import append_audit, read_audit
from quanheng.errors import InputError


def test_entries_are_whole_lines_with_every_key(tmp_path: Path) -> None:
    rec = {"subject": "baidu", "indicator": "P1.1", "value": 3}
    written = append_audit(tmp_path, {"who": "li", "action": "add", "after": rec, "file": "e.yaml"})
    append_audit(tmp_path, {"who": "wang", "action": "delete", "before": {**rec, "subject": "x"}})
    lines = (tmp_path / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and json.loads(lines[0]) == written
    assert set(written) == {
        "when",
        "who",
        "action",
        "file",
        "index",
        "proposal_id",
        "before",
        "after",
        "reason",
    }
    assert written["when"].endswith("+00:00")
    assert [e["who"] for e in read_audit(tmp_path, subject="baidu")] == ["li"]
    assert [e["who"] for e in read_audit(tmp_path, subject="x", indicator="P1.1")] == ["wang"]
    assert read_audit(tmp_path, indicator="P9") == []


def test_a_torn_last_line_is_skipped(tmp_path: Path) -> None:
    append_audit(tmp_path, {"who": "li", "action": "edit"})
    with (tmp_path / "audit.jsonl").open("a", encoding="utf-8") as handle:
        handle.write('{"who": "cut off')
    assert [e["who"] for e in read_audit(tmp_path)] == ["li"]


def test_bad_entries_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not one of add, edit"):
        append_audit(tmp_path, {"who": "li", "action": "rename"})
    with pytest.raises(InputError, match="needs `who`"):
        append_audit(tmp_path, {"who": "", "action": "add"})
    assert read_audit(tmp_path) == []
