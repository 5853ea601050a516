"""The rule finder: figures followed by what a leaf counts, lists, the subject nearby."""

from __future__ import annotations

from pathlib import Path

import pytest

import quanheng
from quanheng.extract.documents import read_document
from quanheng.extract.keywords import leaf_terms, subject_aliases
from quanheng.extract.rules import find_candidates, select_passages

TEXT = """\
# 百度

百度文心一大特色是知识增强。目前文心大模型已经建设了 36 个大模型。
目前生态已凝聚535 万开发者，服务 20 万家企事业单位，覆盖电力、燃气、金融、航天等领域。

# 腾讯

腾讯在 2023 年发布了混元，已有 200 个场景。
这一段只谈天气，与任何厂商无关。
"""


@pytest.fixture(scope="module")
def found(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, str, float]]:
    path = tmp_path_factory.mktemp("rules") / "r.md"
    path.write_text(TEXT, encoding="utf-8")
    study = quanheng.load_study("studies/cn-llm-vendors-2024")
    doc = read_document(path)
    cands = find_candidates(doc, leaf_terms(study.framework), subject_aliases(study))
    assert all(c.finder == "rules" and c.quote in doc.normal.text for c in cands)
    return [(c.subject, c.indicator, c.value) for c in cands]


def test_figures_with_what_they_count(found: list[tuple[str, str, float]]) -> None:
    assert ("baidu", "P3.1", 36) in found
    assert ("baidu", "E2.1", 5_350_000) in found  # no subject in the clause: the one before
    assert ("baidu", "E2.2", 200_000) in found
    assert ("tencent", "P6.1", 200) in found


def test_lists_of_named_items(found: list[tuple[str, str, float]]) -> None:
    assert ("baidu", "S5.1", 4) in found


def test_nothing_else(found: list[tuple[str, str, float]]) -> None:
    assert len(found) == 5  # not 一大特色, not the year 2023


def test_passages_for_the_model(tmp_path: Path) -> None:
    path = tmp_path / "r.md"
    path.write_text(TEXT + "\n" * 2 + "天气晴。\n" * 200, encoding="utf-8")
    study = quanheng.load_study("studies/cn-llm-vendors-2024")
    doc = read_document(path)
    chosen = select_passages(doc, leaf_terms(study.framework), subject_aliases(study))
    assert len(doc.passages) > 1 and len(chosen) == 1
    passage, leaves, subjects = chosen[0]
    assert passage.index == 0 and set(subjects) == {"baidu", "tencent"}
    assert "P3.1" in leaves and len(leaves) <= 4


def test_a_shortlist_passes_each_gate(tmp_path: Path) -> None:
    path = tmp_path / "r.md"
    path.write_text(
        "通过遴选，报告选择了 3家厂商，分别为**\n商汤、百度、腾讯\\*\\*，另有说明。\n", "utf-8"
    )
    study = quanheng.load_study("studies/cn-llm-vendors-2024")
    doc = read_document(path)
    gates = study.framework.gate_ids
    cands = find_candidates(doc, leaf_terms(study.framework), subject_aliases(study), gates)
    assert {(c.subject, c.indicator, c.value) for c in cands} == {
        (s, g, True) for s in ("sensetime", "baidu", "tencent") for g in gates
    }
    assert {c.quote for c in cands} == {"通过遴选,报告选择了3家厂商,分别为商汤、百度、腾讯"}
    assert find_candidates(doc, leaf_terms(study.framework), subject_aliases(study)) == []
