"""The demo's Markdown summary (``quanheng.demo.summary_markdown``, from ``summary.md.j2``).

``data/cn-llm-vendors-2024.customer-service.summary.md`` was written by the hand-built summary
before it moved to a template, from the default study with the golden test's fixed
measurements; a change that alters it changes what ``quanheng demo`` writes, and must
regenerate it on purpose.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from golden.outputs import MEASURED, STUDY

import quanheng
from quanheng.demo import summary_markdown
from quanheng.measure.measurement import Measurement

PINNED = Path(__file__).parent / "data" / "cn-llm-vendors-2024.customer-service.summary.md"


def test_default_study_summary_is_byte_identical() -> None:
    study = quanheng.load_study(STUDY)
    measurements = [
        Measurement(subject=s, metric=m, value=v, low=lo, high=hi, n=n, runs=("run-golden",))
        for s, m, v, lo, hi, n in MEASURED
    ]
    card = quanheng.score(study, "customer-service", measurements=measurements)
    assert summary_markdown(study, card) == PINNED.read_text(encoding="utf-8")


def test_a_flagged_subject_is_ranked_with_its_reason(tmp_path: Path, mini_path: Path) -> None:
    root = tmp_path / "mini"
    shutil.copytree(mini_path, root)
    spec = root / "study.yaml"
    spec.write_text(spec.read_text(encoding="utf-8") + "gate_policy: flag\n", encoding="utf-8")
    study = quanheng.load_study(root)
    card = quanheng.score(study)
    lines = summary_markdown(study, card).splitlines()
    rows = [line for line in lines if line.startswith("| ") and line[2] in "0123456789—"]
    assert len(rows) == len(card.subjects)  # nobody screened out: every subject has a row
    outsider = next(row for row in rows if "| Outsider |" in row)
    assert outsider.endswith(f"| {card.gates[card.subjects.index('out')].reason} |")
    assert next(row for row in rows if "| Model one |" in row).endswith(
        "| — | — | — | 0% | no indicator evidence: unranked |"
    )
    assert "## Screened out" not in lines and lines[-1].startswith("Inputs: framework `")


def test_one_column_per_dimension_and_a_rule_as_wide(mini_path: Path) -> None:
    study = quanheng.load_study(mini_path)
    lines = summary_markdown(study, quanheng.score(study)).splitlines()
    k = lines.index("| rank | subject | overall | Alpha 甲 | Beta 乙 | coverage | flags |")
    assert lines[k + 1] == "|---:|---|---:|---:|---:|---:|---|"
    assert all(line.count(" | ") == 6 for line in lines[k + 2 : lines.index("## Screened out") - 1])
