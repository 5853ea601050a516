"""Evidence (quanheng.evidence): records, consolidation of several analysts, CSV and YAML files."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from quanheng.errors import Problem
from quanheng.evidence import EvidenceRecord, Source, consolidate, load_evidence


def record(**fields: Any) -> EvidenceRecord:
    base: dict[str, Any] = {
        "subject": "s",
        "indicator": "x",
        "value": 2.5,
        "source": {"title": "T"},
        "quote": "q",
        "analyst": "a",
    }
    return EvidenceRecord.model_validate({**base, **fields})


# ----------------------------------------------------------------------------- records


def test_ref_is_file_and_line() -> None:
    assert record(file="ev.yaml", line=7).ref == "ev.yaml:7"
    assert record(file="ev.yaml").ref == "ev.yaml"


def test_digest_hashes_what_the_record_says_not_where() -> None:
    # sha256 of the sorted-key JSON of every field but file and line, first 16 hex digits
    payload = {
        "analyst": "a",
        "indicator": "x",
        "note": None,
        "quote": "q",
        "range": None,
        "source": {"date": None, "document": None, "publisher": None, "title": "T", "url": None},
        "subject": "s",
        "unit": None,
        "value": 2.5,
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False)
    expected = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    assert record(file="a.yaml", line=3).digest == expected
    assert record(file="b.csv", line=9).digest == expected
    assert record(quote="another quote").digest != expected


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"range": (3.0, 1.0), "value": 2.0}, r"range \[3, 1\]: low is above high"),
        ({"range": (0.0, 1.0), "value": 2.0}, r"range \[0, 1\]: value 2 lies outside it"),
        ({"range": (0.0, 1.0), "value": True}, "a true/false value cannot have a range"),
        ({"value": "high"}, "value must be a number or true/false, not text"),
        ({"value": float("nan")}, "value must be a finite number"),
        ({"quote": ""}, "at least 1 character"),
        ({"source": {"url": "http://x"}}, "a source needs a title or a document reference"),
    ],
)
def test_invalid_records_are_refused(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        record(**fields)


def test_source_by_document_alone() -> None:
    assert Source(document="report p. 12").document == "report p. 12"


# ----------------------------------------------------------------------------- consolidation


def test_three_analysts_median_spread_and_bounds() -> None:
    recs = [
        record(value=1.0, analyst="a"),
        record(value=4.0, analyst="b"),
        record(value=2.0, analyst="c", range=(0.5, 3.0)),
    ]
    (cell,) = consolidate(recs).values()
    # sorted 1, 2, 4 → median 2 ; spread 4 − 1 = 3 ; low = min(1, 4, .5), high = max(1, 4, 3)
    assert (cell.subject, cell.indicator) == ("s", "x")
    assert (cell.value, cell.spread, cell.low, cell.high) == (2.0, 3.0, 0.5, 4.0)
    assert cell.status == "agreed"
    assert cell.analysts == ("a", "b", "c")
    assert cell.records == tuple(recs)


def test_even_count_median_is_the_mean_of_the_middle_two() -> None:
    cells = consolidate([record(value=40.0, analyst="b"), record(value=50.0, analyst="c")])
    cell = cells[("s", "x")]
    assert (cell.value, cell.spread) == (45.0, 10.0)


def test_cells_are_grouped_by_subject_and_indicator() -> None:
    cells = consolidate(
        [record(subject="s1"), record(subject="s2"), record(subject="s1", indicator="y")]
    )
    assert sorted(cells) == [("s1", "x"), ("s1", "y"), ("s2", "x")]


def test_true_false_split_evenly_is_disputed() -> None:
    cell = consolidate([record(value=True), record(value=False, analyst="b")])[("s", "x")]
    assert (cell.value, cell.status) == (0.5, "disputed")
    # two of three say true: the median is true (1), agreed
    cell = consolidate(
        [record(value=True), record(value=False, analyst="b"), record(value=True, analyst="c")]
    )[("s", "x")]
    assert (cell.value, cell.status, cell.spread) == (1.0, "agreed", 1.0)


def test_numbers_split_evenly_at_half_are_not_disputed() -> None:
    # disputed is for true/false only: 0 and 1 as numbers average to .5 and are agreed
    cell = consolidate([record(value=0.0), record(value=1.0, analyst="b")])[("s", "x")]
    assert (cell.value, cell.status) == (0.5, "agreed")


# ----------------------------------------------------------------------------- files

YAML = """\
format: quanheng/evidence@1
records:
  - {subject: s1, indicator: g, value: true, source: {title: T}, quote: "yes", analyst: a}
  - subject: s1
    indicator: x
    value: 3
    source: {document: doc}
    quote: "three"
    analyst: a
"""

CSV = """\
subject,indicator,value,low,high,source_title,quote,analyst
s1,x,"1,200",1000,1500,Board,twelve hundred,b
s2,x,pass,,,Board,passes,b
s3,x,abc,,,Board,bad,b
s4,x,5,4,,Board,half a range,b
"""


def test_yaml_records_with_their_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ev.yaml").write_text(YAML, encoding="utf-8")
    records, problems = load_evidence([tmp_path / "ev.yaml"])
    assert problems == []
    assert [(r.subject, r.indicator, r.value, r.ref) for r in records] == [
        ("s1", "g", True, "ev.yaml:3"),
        ("s1", "x", 3.0, "ev.yaml:4"),
    ]
    assert records[1].source.document == "doc"


def test_csv_records_values_ranges_and_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ev.csv").write_text(CSV, encoding="utf-8")
    records, problems = load_evidence([tmp_path / "ev.csv"])
    # row 2: "1,200" is 1200 with range 1000..1500 ; row 3: "pass" reads as true
    assert [(r.subject, r.value, r.range, r.ref) for r in records] == [
        ("s1", 1200.0, (1000.0, 1500.0), "ev.csv:2"),
        ("s2", True, None, "ev.csv:3"),
    ]
    assert records[0].source.title == "Board" and records[0].analyst == "b"
    assert [(p.line, p.message) for p in problems] == [
        (4, "value: value must be a number or true/false, not text (found 'abc')"),
        (5, "range: give both low and high, or neither"),
    ]


def test_csv_missing_and_unknown_columns_are_one_problem_on_line_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ev.csv").write_text("subject,indicator,value,colour\ns1,x,1,red\n", "utf-8")
    records, problems = load_evidence([tmp_path / "ev.csv"])
    assert records == ()
    assert problems == [
        Problem(
            "ev.csv",
            1,
            "missing column(s) quote, analyst; unknown column(s) colour",
            "use the columns subject, indicator, value, low, high, unit, source_title, "
            "source_url, source_document, source_date, source_publisher, quote, analyst, note",
        )
    ]


def test_directory_is_read_in_name_order_and_bad_files_are_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "evidence"
    folder.mkdir()
    (folder / "b.yaml").write_text(YAML, encoding="utf-8")
    (folder / "a.csv").write_text(CSV.split("s3,")[0], encoding="utf-8")  # rows s1, s2 only
    (folder / "c.yaml").write_text("format: quanheng/evidence@0\nrecords: []\n", "utf-8")
    (folder / "notes.txt").write_text("not evidence", encoding="utf-8")
    records, problems = load_evidence([folder, tmp_path / "missing.yaml"])
    assert [r.ref for r in records] == [
        "evidence/a.csv:2",
        "evidence/a.csv:3",
        "evidence/b.yaml:3",
        "evidence/b.yaml:4",
    ]
    assert [str(p) for p in problems] == [
        "evidence/c.yaml:1: format is 'quanheng/evidence@0', expected 'quanheng/evidence@1' — "
        "start the file with `format: quanheng/evidence@1` and a `records:` list",
        "missing.yaml: evidence path not found — check `evidence:`",
    ]


# ----------------------------------------------------------------------------- hostile files

MINI = Path(__file__).parent / "data" / "mini"
LIMIT = 16 * 1024 * 1024  # docs/formats.md: a YAML or CSV file is at most 16 MiB
RECORD = "  - {subject: s1, indicator: A1.1, value: 10, source: {title: T}, quote: q, analyst: a}\n"


def _validate(root: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``quanheng validate .`` in its own process, so a hang or a blow-up cannot take pytest."""
    script = (
        # VmHWM is this process's peak RSS since exec (ru_maxrss would carry pytest's over)
        "import re, sys\n"
        "from quanheng.cli import main\n"
        "try:\n"
        "    main(['validate', '.'])\n"
        "finally:\n"
        "    status = open('/proc/self/status').read()\n"
        "    peak = re.search(r'VmHWM:\\s+(\\d+)', status).group(1)\n"
        "    print('maxrss_kib', peak, file=sys.stderr)\n"
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _problem_lines(proc: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in proc.stderr.splitlines() if not line.startswith("maxrss_kib")]


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (os.mkfifo, "a named pipe (FIFO)"),
        (os.mkdir, "a directory"),
        (lambda path: os.symlink("/dev/null", path), "a device"),
    ],
    ids=["fifo", "directory", "device"],
)
def test_a_non_regular_evidence_file_is_refused_without_opening_it(
    make: Any, kind: str, tmp_path: Path
) -> None:
    """A FIFO named like evidence used to block `validate` forever on its read."""
    root = tmp_path / "study"
    shutil.copytree(MINI, root)
    make(str(root / "evidence" / "odd.yaml"))
    proc = _validate(root, timeout=30)
    assert proc.returncode == 2
    assert _problem_lines(proc) == [
        f"evidence/odd.yaml: is {kind}, not a regular file — point at a YAML or CSV file "
        "(or move this out of the study's files)"
    ]


def test_an_evidence_file_over_the_size_limit_is_refused_before_it_is_read(
    tmp_path: Path,
) -> None:
    """A 17 MiB file of valid records is refused by its size, in little time and memory.

    Read and parsed, it took minutes and gigabytes (the YAML loader keeps about 100 bytes per
    byte of input); refused by ``stat`` the process stays at what importing quanheng costs.
    """
    root = tmp_path / "study"
    shutil.copytree(MINI, root)
    row = RECORD
    with (root / "evidence" / "big.yaml").open("w", encoding="utf-8") as out:
        out.write("format: quanheng/evidence@1\nrecords:\n")
        out.write(row * (17 * 1024 * 1024 // len(row) + 1))
    started = time.monotonic()
    proc = _validate(root, timeout=60)
    assert time.monotonic() - started < 30
    assert proc.returncode == 2
    (line,) = _problem_lines(proc)
    assert line.startswith("evidence/big.yaml: is 17.0 MiB, over the 16 MiB limit")
    maxrss_mib = int(proc.stderr.rsplit("maxrss_kib", 1)[1]) / 1024
    assert maxrss_mib < 250  # the 17 MiB were never read, let alone parsed


def test_an_evidence_file_at_the_size_limit_is_read(tmp_path: Path) -> None:
    """The limit is on the file, not on a record: a file just under it still loads."""
    path = tmp_path / "padded.yaml"
    head = "format: quanheng/evidence@1\nrecords:\n" + RECORD
    pad = "#" * 1023 + "\n"
    with path.open("w", encoding="utf-8") as out:
        out.write(head)
        out.write(pad * ((LIMIT - len(head)) // len(pad)))
    assert path.stat().st_size <= LIMIT
    records, problems = load_evidence([path])
    assert problems == [] and len(records) == 1
