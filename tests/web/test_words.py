"""The workbench's words: both languages for every key, the report's words behind them."""

from __future__ import annotations

import re

from quanheng.web.words import WORDS, say


def test_every_key_has_both_languages_with_the_same_fields() -> None:
    for key, (zh, en) in WORDS.items():
        assert zh and en, key
        assert set(re.findall(r"{(\w+)}", zh)) == set(re.findall(r"{(\w+)}", en)), key
        assert re.search(r"[\u4e00-\u9fff]", zh) or key == "language", key


def test_say_falls_back_to_the_report_words() -> None:
    assert say("landscape", "zh") == "竞争力格局"
    assert say("live_note", "en", draws=2000).endswith("2000 simulation draws.")
    assert say("language", "zh") == "English" and say("language", "en") == "中文"
