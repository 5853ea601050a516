"""Leaf keywords, counted nouns and counters; subject aliases."""

from __future__ import annotations

import quanheng
from quanheng.extract.keywords import leaf_terms, subject_aliases


def test_leaf_terms_from_the_framework_and_the_curated_list() -> None:
    study = quanheng.load_study("studies/cn-llm-vendors-2024")
    terms = leaf_terms(study.framework)
    assert "P5.1" not in terms  # measured leaves are measured, never read from documents
    e21 = terms["E2.1"]
    assert "开发者规模" in e21.keywords and "开发者" in e21.nouns and e21.counter == "名"
    assert terms["P2.3"].counter == "家" and terms["P1.3"].counter == "条"
    assert terms["P4.1"].nouns == () and "深度学习框架" in terms["P4.1"].keywords


def test_aliases_longest_first() -> None:
    study = quanheng.load_study("studies/cn-llm-vendors-2024")
    aliases = subject_aliases(study)
    assert {"百度", "Baidu", "baidu", "文心", "飞桨"} <= set(aliases["baidu"])
    assert aliases["alibaba"].index("阿里巴巴") < aliases["alibaba"].index("阿里")
    assert aliases["qwen2.5-coder-0.5b"][0] == "通义千问 Qwen2.5-Coder-0.5B-Instruct（本地）"
