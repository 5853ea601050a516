"""End to end against a REAL local model (SmolLM2-135M served by llama.cpp on 127.0.0.1).

The model is small and may propose nothing useful; what must hold is the accounting — every
proposal either survives or is dropped by exactly one check — and that every survivor passed
the checks: its quote is in the document and its value is what the quote says. Skips only when
the server or the weights are not installed, naming the command that installs them.
"""

from __future__ import annotations

from pathlib import Path

import quanheng
from quanheng.extract.consistency import check_value
from quanheng.extract.documents import read_document
from quanheng.extract.keywords import leaf_terms
from quanheng.extract.pipeline import extract
from quanheng.extract.quotes import locate_quote
from tests.measure.local_weights import SMOL, need_server

STUDY = """\
format: quanheng/study@1
id: extract-local
title: {zh: 本地抽取, en: Local extraction}
framework: cn-llm-vendor-2024
evidence: [evidence]
subjects:
  - {id: baidu, name: {zh: 百度, en: Baidu}}
  - id: smol
    kind: model
    vendor: baidu
    name: {zh: 小模型, en: Smol}
    local_model: smollm2-135m
"""


def test_a_real_model_end_to_end(tmp_path: Path) -> None:
    need_server(SMOL)
    (tmp_path / "s" / "evidence").mkdir(parents=True)
    (tmp_path / "s" / "study.yaml").write_text(STUDY, encoding="utf-8")
    doc_path = tmp_path / "brief.md"
    doc_path.write_text("百度文心生态已凝聚 535 万开发者。\n", encoding="utf-8")
    study = quanheng.load_study(tmp_path / "s")

    result = extract(
        study, [doc_path], leaves="E2.1", with_subject="smol", use_rules=False, max_tokens=48
    )
    assert result.answers is not None and result.answers.failed == 0
    assert result.answers.sent == result.passages[1] == 1
    assert sum(result.proposed.values()) == len(result.survivors) + sum(result.dropped.values())
    doc, terms = read_document(doc_path), leaf_terms(study.framework)
    for survivor in result.survivors:
        record = survivor.record
        assert locate_quote(doc.normal, record["quote"]) is not None
        gate = record["indicator"] in study.framework.gate_ids
        assert check_value(record, terms.get(record["indicator"]), gate=gate) is None
        assert survivor.origin["model"] == "smollm2-135m"

    again = extract(
        study, [doc_path], leaves="E2.1", with_subject="smol", use_rules=False, max_tokens=48
    )
    assert again.answers is not None and (again.answers.sent, again.answers.reused) == (0, 1)
    assert again.survivors == result.survivors
