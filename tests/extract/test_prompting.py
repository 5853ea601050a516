"""The model's request: leaves with definitions and level descriptors, subjects, the passage."""

from __future__ import annotations

import quanheng
from quanheng.extract.prompting import PROMPT_FORMAT, build_messages, prompt_sha256


def test_messages_carry_what_the_model_needs() -> None:
    fw = quanheng.load_study("studies/cn-llm-vendors-2024").framework
    messages = build_messages(
        "百度生态已凝聚535万开发者。",
        [fw.leaf("E2.1"), fw.leaf("P4.1")],
        {"baidu": ["百度", "文心"]},
        [g for g in fw.gates if g.id == "china_market"],
    )
    system, user = messages[0]["content"], messages[1]["content"]
    assert PROMPT_FORMAT in system and '"proposals"' in system
    assert "- E2.1 开发者规模 / Developers [fact]" in user
    assert "unit: 名开发者 / developers" in user
    assert "level 5:" in user and "P4.1" in user  # a rubric's descriptors
    assert "china_market" in user and "[gate: true/false]" in user
    assert "- baidu: 百度, 文心" in user and "<<<\n百度生态已凝聚535万开发者。\n>>>" in user
    digest = prompt_sha256(messages)
    assert len(digest) == 64 and digest == prompt_sha256([dict(m) for m in messages])
    assert digest != prompt_sha256(build_messages("另一段", [fw.leaf("E2.1")], {}))
