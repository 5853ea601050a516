"""Where an imported value came from: the file's hash and the harness's own account of the run.

The SHA-256 of the file's bytes is its identity: the same file imported again (under any name,
from any folder) is recognised and nothing changes. Only the file's name is kept, never its
directory, so a study carries no paths of the machine it was imported on.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

from quanheng.errors import ResultsFileError
from quanheng.interop.cells import CellValue
from quanheng.interop.parsed import ParsedFile
from quanheng.measure.measurement import IMPORT_PREFIX, ImportedFrom

__all__ = ["file_sha256", "import_id", "origin"]

_CHUNK = 1 << 20


def file_sha256(path: Path) -> str:
    """The hex SHA-256 of the file's bytes.

    Raises:
        ResultsFileError: the file is missing, a directory, or cannot be read.
    """
    if not path.is_file():
        what = "is a directory" if path.is_dir() else "file not found"
        raise ResultsFileError.single(str(path), None, what, "pass a harness's results file")
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    except OSError as exc:
        raise ResultsFileError.single(
            str(path), None, f"cannot read ({exc.strerror})", "check its permissions"
        ) from None
    return digest.hexdigest()


def import_id(sha256: str) -> str:
    """The provenance id of an imported file: ``import:`` and 12 hex digits of its hash."""
    return f"{IMPORT_PREFIX}{sha256[:12]}"


def origin(
    parsed: ParsedFile,
    path: Path,
    sha256: str,
    *,
    tasks: str,
    metric: str,
    cell: CellValue,
    preferred: bool,
    now: datetime | None = None,
) -> ImportedFrom:
    """The :class:`ImportedFrom` of one value read from ``path``."""
    moment = now or datetime.now(UTC)
    return ImportedFrom(
        harness=parsed.harness,
        harness_version=parsed.version,
        task=tasks,
        source_metric=metric,
        model=parsed.model,
        file=path.name,
        sha256=sha256,
        date=parsed.date,
        imported=moment.isoformat(timespec="seconds"),
        interval=cell.interval,
        se=cell.se,
        preferred=preferred,
    )
