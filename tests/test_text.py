"""Bilingual text (quanheng.text): Text falls back between languages; Name needs both."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from quanheng.text import Name, Text


def test_get_falls_back_to_the_other_language() -> None:
    assert Text(en="only English").get("zh") == "only English"
    assert Text(zh="只有中文").get("en") == "只有中文"
    both = Text(zh="中", en="middle")
    assert (both.get("zh"), both.get("en")) == ("中", "middle")


def test_text_needs_one_language() -> None:
    with pytest.raises(ValidationError, match="give the text in at least one language"):
        Text()
    with pytest.raises(ValidationError, match="give the text in at least one language"):
        Text(zh="", en="")


def test_name_needs_both_languages() -> None:
    with pytest.raises(ValidationError, match="zh\n  Field required"):
        Name.model_validate({"en": "One"})
    assert Name(zh="一", en="One").get("zh") == "一"
