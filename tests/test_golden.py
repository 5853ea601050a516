"""The default study's scorecards, analyses and Markdown reports, byte for byte.

The files in ``tests/golden/data`` were written by the code before the core redesign; a change
that alters any of them changes what a user sees, and must regenerate them on purpose
(``python tests/golden/outputs.py tests/golden/data``, then review the diff).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from golden.outputs import write_outputs

GOLDEN = Path(__file__).parent / "golden" / "data"


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return {p.name: p for p in write_outputs(tmp_path_factory.mktemp("golden"))}


def test_every_golden_file_is_produced(written: dict[str, Path]) -> None:
    assert sorted(written) == sorted(p.name for p in GOLDEN.iterdir())


@pytest.mark.parametrize("name", sorted(p.name for p in GOLDEN.iterdir()))
def test_output_is_byte_identical(written: dict[str, Path], name: str) -> None:
    expected = (GOLDEN / name).read_bytes()
    got = written[name].read_bytes()
    assert got == expected, f"{name} differs from the golden output"
