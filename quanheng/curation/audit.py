"""The study's audit log, ``STUDY/audit.jsonl``: who changed which record, when, why, from what.

One JSON object per line::

    {"when": "2026-12-04T18:30:00+00:00", "who": "li", "action": "edit",
     "file": "evidence/report-2024.yaml", "index": 27, "proposal_id": null,
     "before": {...record...}, "after": {...record...}, "reason": "typo in the quote"}

``action`` is one of :data:`ACTIONS`. Each entry is written with a single ``write`` on a file
opened for appending, then fsynced, so concurrent writers never interleave inside a line and a
kill loses at most the entry being written — never one already there. A torn last line (the
machine lost power mid-write) is skipped when reading.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from quanheng.curation._io import utc_now
from quanheng.errors import InputError

__all__ = ["ACTIONS", "AUDIT_FILE", "append_audit", "read_audit"]

AUDIT_FILE = "audit.jsonl"
ACTIONS = ("add", "edit", "delete", "accept", "reject", "profile")


def append_audit(study_dir: Path, entry: Mapping[str, Any]) -> dict[str, Any]:
    """Append one entry to ``STUDY/audit.jsonl`` (created if absent); returns what was written.

    ``when`` is filled with the current UTC time when missing; the other keys of the format are
    filled with ``None`` so every line has the same shape.

    Raises:
        InputError: ``action`` is not one of :data:`ACTIONS`, or ``who`` is empty.
    """
    full: dict[str, Any] = {
        "when": entry.get("when") or utc_now(),
        "who": entry.get("who"),
        "action": entry.get("action"),
        "file": entry.get("file"),
        "index": entry.get("index"),
        "proposal_id": entry.get("proposal_id"),
        "before": entry.get("before"),
        "after": entry.get("after"),
        "reason": entry.get("reason") or "",
    }
    full.update({k: v for k, v in entry.items() if k not in full})
    path = Path(study_dir) / AUDIT_FILE
    if full["action"] not in ACTIONS:
        raise InputError.single(
            str(path),
            None,
            f"audit action {full['action']!r} is not one of {', '.join(ACTIONS)}",
            "use one of those",
        )
    if not str(full["who"] or "").strip():
        raise InputError.single(
            str(path), None, "an audit entry needs `who`", "say who made the change (--who NAME)"
        )
    line = (json.dumps(full, ensure_ascii=False, default=str) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    try:
        written = os.write(fd, line)
        while written < len(line):  # a regular file takes it in one go; be exact regardless
            written += os.write(fd, line[written:])
        os.fsync(fd)
    finally:
        os.close(fd)
    return full


def read_audit(
    study_dir: Path, subject: str | None = None, indicator: str | None = None
) -> list[dict[str, Any]]:
    """The audit entries, oldest first; with ``subject``/``indicator``, only those about that cell.

    An entry is about a cell when its ``before`` or its ``after`` record has that subject (and
    indicator). A line that is not JSON (torn by a crash) is skipped.
    """
    path = Path(study_dir) / AUDIT_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    out: list[dict[str, Any]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if not isinstance(entry, dict):
            continue
        if (subject is None and indicator is None) or _about(entry, subject, indicator):
            out.append(entry)
    return out


def _about(entry: dict[str, Any], subject: str | None, indicator: str | None) -> bool:
    for side in ("before", "after"):
        record = entry.get(side)
        if not isinstance(record, dict):
            continue
        if subject is not None and record.get("subject") != subject:
            continue
        if indicator is not None and record.get("indicator") != indicator:
            continue
        return True
    return False
