"""Editing a study's evidence files in place: one record changes, the rest of the file does not.

A record is addressed by :class:`RecordRef` — its file (relative to the study) and its position
among the file's records (YAML) or data rows (CSV) — and carries a *version*, the SHA-256 of its
canonical JSON. An editor reads records with their versions (:func:`list_records`) and saves
with the version it read (:func:`save_record`): if the record on disk is not that version any
more, someone else saved in between, and the save raises :class:`~quanheng.errors.EditConflict`
holding both records instead of overwriting theirs (optimistic concurrency; the re-read, compare
and write happen under the study's lock, so no third writer slips in between).

YAML is written with ruamel.yaml round-trip and spliced so only the edited record's lines
change: comments, key order, anchors and aliases (``&report`` / ``*report``) and the flow style
of every other record stay as written. CSV rows are rewritten in place, one row's lines. Every
write is atomic (temporary file, fsync, ``os.replace``) and leaves one entry in
``STUDY/audit.jsonl`` with the record before and after.

Every saved record is first checked exactly as ``quanheng validate`` checks it
(:func:`check_record`), so a save never makes a valid study invalid.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from quanheng._files import display_path, problems_from_validation, read_yaml
from quanheng.curation import _csvfile, _yamlfile
from quanheng.curation._io import atomic_write, canonical_json, plain, sha256_hex, study_lock
from quanheng.curation.audit import append_audit
from quanheng.errors import EditConflict, EvidenceError, InputError, Problem, StudyError
from quanheng.evidence import CSV_COLUMNS, EVIDENCE_FORMAT, EvidenceRecord
from quanheng.framework import load_framework
from quanheng.study import Study, StudyFile, evidence_problems

__all__ = [
    "FieldProblem",
    "RecordRef",
    "check_record",
    "delete_record",
    "list_records",
    "load_context",
    "record_version",
    "save_record",
]

_SUFFIXES = (".yaml", ".yml", ".csv")
_LOADER_KEYS = ("file", "line")


@dataclass(frozen=True)
class RecordRef:
    """Where a record sits: its file relative to the study directory, and its position there.

    ``index`` counts the file's records from 0 (YAML ``records:`` items; CSV data rows, blank
    rows not counted).
    """

    file: str
    index: int


@dataclass(frozen=True)
class FieldProblem:
    """One thing ``validate`` would say about a record, with the field it is about."""

    field: str
    message: str


def record_version(record: dict[str, Any]) -> str:
    """The record's version: SHA-256 of its canonical JSON (sorted keys, non-ASCII kept)."""
    return sha256_hex(canonical_json(record))


# --------------------------------------------------------------------------- reading


def evidence_files(study_dir: Path) -> list[Path]:
    """The evidence files the study reads, in the order it reads them."""
    root = Path(study_dir)
    data = read_yaml(root / "study.yaml", StudyError)
    refs = data.get("evidence", ["evidence"]) if isinstance(data, dict) else ["evidence"]
    if isinstance(refs, str):
        refs = [refs]
    out: list[Path] = []
    for ref in refs or []:
        path = root / str(ref)
        if path.is_dir():
            out.extend(sorted(p for p in path.iterdir() if p.suffix.lower() in _SUFFIXES))
        elif path.is_file():
            out.append(path)
    return out


def covers(study_dir: Path, file: str) -> bool:
    """Whether the study's ``evidence:`` list reads ``file`` (relative to the study)."""
    root = Path(study_dir).resolve()
    target = (root / file).resolve()
    data = read_yaml(root / "study.yaml", StudyError)
    refs = data.get("evidence", ["evidence"]) if isinstance(data, dict) else ["evidence"]
    if isinstance(refs, str):
        refs = [refs]
    for ref in refs or []:
        path = (root / str(ref)).resolve()
        if path == target:
            return True
        if target.parent == path and target.suffix.lower() in _SUFFIXES:
            return True
    return False


def list_records(study_dir: Path) -> list[tuple[RecordRef, dict[str, Any], str]]:
    """Every evidence record of the study: ``(ref, record, version)``, in the study's order.

    The record is a plain mapping (aliases resolved, dates as text) in the shape of a YAML
    record, whatever file it comes from; a CSV row is mapped to that shape.
    """
    root = Path(study_dir)
    out: list[tuple[RecordRef, dict[str, Any], str]] = []
    for path in evidence_files(root):
        rel = path.relative_to(root).as_posix()
        for index, record in enumerate(_read_records(path)):
            out.append((RecordRef(rel, index), record, record_version(record)))
    return out


def _read_records(path: Path) -> list[dict[str, Any]]:
    text = _read(path)
    if path.suffix.lower() == ".csv":
        parsed = _csvfile.parse(text)
        return [_csvfile.row_record(parsed.header, cells) for _, _, cells in parsed.rows]
    data = _load_yaml(path, text)
    records = data.get("records") if isinstance(data, dict) else None
    if not isinstance(records, list):
        return []
    return [plain(item) if isinstance(item, dict) else {} for item in records]


def _read(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise EvidenceError.single(
            display_path(path), None, "file not found", "check the path"
        ) from None
    except UnicodeDecodeError:
        raise EvidenceError.single(
            display_path(path), None, "not UTF-8 text", "save the file as UTF-8"
        ) from None


def _load_yaml(path: Path, text: str) -> Any:
    try:
        return _yamlfile.load(text)
    except Exception as exc:
        raise EvidenceError.single(
            display_path(path),
            None,
            f"YAML does not parse: {str(exc).splitlines()[0] if str(exc) else exc!r}",
            "run `quanheng validate` on the study and fix the file first",
        ) from None


# --------------------------------------------------------------------------- checking


def load_context(study_dir: Path) -> Study:
    """The study's subjects and framework, without its evidence: what a record is checked against.

    Checking a record must not depend on every other record being valid (the edit may be the
    fix), so the evidence files are not read here.
    """
    root = Path(study_dir)
    file = display_path(root / "study.yaml")
    data = read_yaml(root / "study.yaml", StudyError)
    try:
        spec = StudyFile.model_validate(data)
    except ValidationError as exc:
        raise StudyError(problems_from_validation(exc, data, file)) from None
    framework = load_framework(spec.framework, base=root)
    return Study(path=root, spec=spec, framework=framework, evidence=())


def check_record(study: Study, record: dict[str, Any]) -> list[FieldProblem]:
    """What ``quanheng validate`` says about ``record`` in ``study``; empty when it is valid.

    The same code runs: the :class:`~quanheng.evidence.EvidenceRecord` model (fields, source,
    quote, date, range) and the study's checks (subject and indicator exist, the value suits
    the leaf or gate).
    """
    body = {k: v for k, v in record.items() if k not in _LOADER_KEYS}
    try:
        parsed = EvidenceRecord.model_validate({**body, "file": "<record>", "line": None})
    except ValidationError as exc:
        return [_field_problem(p) for p in problems_from_validation(exc, None, "<record>")]
    return [_study_problem(p) for p in evidence_problems(study, [parsed])]


def _field_problem(problem: Problem) -> FieldProblem:
    field, sep, rest = problem.message.partition(": ")
    if not sep or " " in field:
        field, rest = "record", problem.message
    return FieldProblem(field, f"{rest} — {problem.fix}")


def _study_problem(problem: Problem) -> FieldProblem:
    text = problem.message
    if "unknown subject" in text:
        field = "subject"
    elif "unknown indicator" in text or "has children" in text:
        field = "indicator"
    else:
        field = "value"
    return FieldProblem(field, f"{text} — {problem.fix}")


def raise_problems(file: str, problems: Sequence[FieldProblem]) -> None:
    """Raise one :class:`EvidenceError` line per field problem (nothing when there are none)."""
    if problems:
        raise EvidenceError([Problem(file, None, f"{p.field}: {p.message}", "") for p in problems])


# --------------------------------------------------------------------------- writing


def save_record(
    study_dir: Path,
    ref: RecordRef | None,
    record: dict[str, Any],
    expected_version: str | None,
    who: str,
    reason: str,
    file: str | None = None,
) -> tuple[RecordRef, str]:
    """Write ``record`` over the one at ``ref``, or add it to ``file`` when ``ref`` is None.

    ``expected_version`` is the version the editor read; ``None`` skips the comparison (an
    unconditional overwrite). A new file (``evidence/accepted.yaml``) is created with its
    ``format`` header; it must be one the study's ``evidence:`` list reads.

    Returns:
        The record's ref and its new version.

    Raises:
        EvidenceError: the record is not valid (one line per field), or a CSV file cannot hold it.
        EditConflict: the record on disk is not ``expected_version`` any more; nothing written.
    """
    root = Path(study_dir)
    target = ref.file if ref is not None else file
    if target is None:
        raise InputError.single(
            display_path(root), None, "save_record needs a ref or a file", "name the file"
        )
    body = _clean(record)
    raise_problems(target, check_record(load_context(root), body))
    with study_lock(root):
        new_ref, before = _write(root, ref, target, body, expected_version, "save")
        append_audit(
            root,
            {
                "who": who,
                "action": "add" if ref is None else "edit",
                "file": new_ref.file,
                "index": new_ref.index,
                "before": before,
                "after": body,
                "reason": reason,
            },
        )
    return new_ref, record_version(body)


def delete_record(
    study_dir: Path, ref: RecordRef, expected_version: str | None, who: str, reason: str
) -> None:
    """Remove the record at ``ref`` (the records after it move up by one).

    Raises:
        EditConflict: the record on disk is not ``expected_version``; nothing was deleted.
    """
    root = Path(study_dir)
    with study_lock(root):
        _, before = _write(root, ref, ref.file, None, expected_version, "delete")
        append_audit(
            root,
            {
                "who": who,
                "action": "delete",
                "file": ref.file,
                "index": ref.index,
                "before": before,
                "after": None,
                "reason": reason,
            },
        )


def add_unlocked(root: Path, file: str, record: dict[str, Any]) -> RecordRef:
    """Append a checked record to ``file`` under a lock the caller holds (no audit entry)."""
    new_ref, _ = _write(root, None, file, _clean(record), None, "save")
    return new_ref


def _clean(record: dict[str, Any]) -> dict[str, Any]:
    """The record as plain data, without the keys a loader adds (``file``, ``line``)."""
    body = plain(record)
    return {k: v for k, v in body.items() if k not in _LOADER_KEYS}


def _write(
    root: Path,
    ref: RecordRef | None,
    file: str,
    record: dict[str, Any] | None,
    expected: str | None,
    op: str,
) -> tuple[RecordRef, dict[str, Any] | None]:
    """Compare and write under the lock; returns the ref written and the record it replaced."""
    path = root / file
    if ref is None and not covers(root, file):
        raise StudyError.single(
            display_path(root / "study.yaml"),
            None,
            f"the study's `evidence:` list does not read {file!r}",
            f"add {file!r} (or its directory) to `evidence:` in study.yaml",
        )
    if path.suffix.lower() == ".csv":
        return _write_csv(root, path, ref, file, record, expected)
    return _write_yaml(path, ref, file, record, expected)


def _check_version(
    ref: RecordRef, file: str, current: dict[str, Any] | None, mine: Any, expected: str | None
) -> None:
    """Raise the conflict when the record is gone, or is not the version the editor read."""
    found = record_version(current) if current is not None else None
    if current is None or (expected is not None and found != expected):
        raise EditConflict(ref, mine, current, file=file, expected=expected, current=found)


def _write_yaml(
    path: Path,
    ref: RecordRef | None,
    file: str,
    record: dict[str, Any] | None,
    expected: str | None,
) -> tuple[RecordRef, dict[str, Any] | None]:
    exists = path.exists()
    if not exists and ref is not None:
        _check_version(ref, file, None, record, expected)
    original = _read(path) if exists else ""
    data = _load_yaml(path, original) if exists else CommentedMap({"format": EVIDENCE_FORMAT})
    if not isinstance(data, CommentedMap) or data.get("format") != EVIDENCE_FORMAT:
        raise EvidenceError.single(
            display_path(path),
            None,
            f"not an evidence file (format is not {EVIDENCE_FORMAT!r})",
            "run `quanheng validate` on the study and fix the file first",
        )
    if data.get("records") is None:
        data["records"] = CommentedSeq()
    records = data["records"]
    if not isinstance(records, CommentedSeq):
        raise EvidenceError.single(
            display_path(path), None, "records must be a list", "fix the file first"
        )
    layout = _yamlfile.layout_of(original, data) if exists else (2, 4, 2)
    before: dict[str, Any] | None = None
    if ref is None:
        assert record is not None
        records.append(_yamlfile._fresh(record, None, False))
        index, op = len(records) - 1, "add"
    else:
        index = ref.index
        current = plain(records[index]) if 0 <= index < len(records) else None
        _check_version(ref, file, current, record, expected)
        before = current
        if record is None:
            del records[index]
            op = "delete"
        else:
            item = records[index]
            if isinstance(item, CommentedMap) and not _yamlfile._anchored(item):
                _yamlfile.update_map(item, record)
            else:
                records[index] = _yamlfile._fresh(record, None, False)
            op = "edit"
    expect = plain(data)
    text = _yamlfile.write_text(original, data, "records", index, op, expect, layout)
    atomic_write(path, text.encode("utf-8"))
    return RecordRef(file, index), before


def _write_csv(
    root: Path,
    path: Path,
    ref: RecordRef | None,
    file: str,
    record: dict[str, Any] | None,
    expected: str | None,
) -> tuple[RecordRef, dict[str, Any] | None]:
    if path.exists():
        parsed = _csvfile.parse(_read(path))
    else:
        header = _csvfile.render_row(list(CSV_COLUMNS), "\n")
        parsed = _csvfile.parse(header)
    lines = list(parsed.lines)
    eol = parsed.eol()
    before: dict[str, Any] | None = None
    if ref is None:
        assert record is not None
        cells = _csvfile.record_cells(file, parsed.header, record)
        if lines and not lines[-1].endswith(("\n", "\r")):
            lines[-1] += eol
        lines.append(_csvfile.render_row(cells, eol))
        index = len(parsed.rows)
    else:
        index = ref.index
        current = (
            _csvfile.row_record(parsed.header, parsed.rows[index][2])
            if 0 <= index < len(parsed.rows)
            else None
        )
        _check_version(ref, file, current, record, expected)
        before = current
        start, stop, _ = parsed.rows[index]
        if record is None:
            lines[start:stop] = []
        else:
            cells = _csvfile.record_cells(file, parsed.header, record)
            ending = lines[stop - 1][len(lines[stop - 1].rstrip("\r\n")) :]
            row = _csvfile.render_row(cells, ending or eol)
            lines[start:stop] = [row if ending else row.rstrip("\r\n")]
    text = (_csvfile.BOM if parsed.bom else "") + "".join(lines)
    atomic_write(path, text.encode("utf-8"))
    return RecordRef(file, index), before


def iter_files(study_dir: Path) -> Iterator[str]:
    """The evidence files of the study, relative to it (what an editor offers to add to)."""
    root = Path(study_dir)
    for path in evidence_files(root):
        yield path.relative_to(root).as_posix()
