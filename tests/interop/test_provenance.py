"""File identity and origin of imported values (quanheng.interop.provenance)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from interop_files import lm_eval_ceval

from quanheng.errors import ResultsFileError
from quanheng.interop.cells import CellValue
from quanheng.interop.lm_eval import parse_lm_eval
from quanheng.interop.provenance import file_sha256, import_id, origin


def test_the_hash_is_of_the_bytes_whatever_the_name(tmp_path: Path) -> None:
    data = lm_eval_ceval().read_bytes()
    renamed = tmp_path / "elsewhere.json"
    renamed.write_bytes(data)
    assert file_sha256(lm_eval_ceval()) == file_sha256(renamed) == hashlib.sha256(data).hexdigest()
    assert import_id("ab" * 32) == "import:" + "ab" * 6


@pytest.mark.parametrize("kind", ["missing", "directory"])
def test_no_file_no_hash(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "x"
    if kind == "directory":
        path.mkdir()
    with pytest.raises(ResultsFileError, match="directory" if kind == "directory" else "not found"):
        file_sha256(path)


def test_the_origin_keeps_the_file_name_but_not_its_folder() -> None:
    path = lm_eval_ceval()
    cell = CellValue(0.7, 0.5, 0.9, 10, 0.15, "bootstrap", ("ceval_offline",))
    now = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
    got = origin(
        parse_lm_eval(path),
        path,
        "f" * 64,
        tasks="ceval_offline",
        metric="exact_match,letter",
        cell=cell,
        preferred=True,
        now=now,
    )
    assert (got.harness, got.harness_version, got.file, got.imported) == (
        "lm-eval",
        "0.4.13",
        path.name,
        "2026-12-04T12:00:00+00:00",
    )
    assert (got.interval, got.se, got.preferred, got.model) == (
        "bootstrap",
        0.15,
        True,
        "fake-chat",
    )
