"""Shared fixtures of the analysis tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

MINI = Path(__file__).resolve().parents[1] / "data" / "mini"


@pytest.fixture
def two_analysts(tmp_path: Path) -> Path:
    """The mini study with a second analyst, b, on the rubric leaf A1.2 (s1: 2, s2: 3)."""
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    (root / "evidence" / "second.yaml").write_text(
        "format: quanheng/evidence@1\n"
        "records:\n"
        "  - {subject: s1, indicator: A1.2, value: 2, source: {title: T}, quote: q, analyst: b}\n"
        "  - {subject: s2, indicator: A1.2, value: 3, source: {title: T}, quote: q, analyst: b}\n",
        encoding="utf-8",
    )
    return root
