"""Token counts in the CLI's tables never show an unmeasured 0."""

from __future__ import annotations

import pytest

from quanheng.cli._format import tokens_in_out


@pytest.mark.parametrize(
    ("known", "unknown", "output", "text"),
    [
        (120, 0, 40, "120/40"),  # every answer reported its prompt tokens
        (0, 3, 40, "?/40"),  # none did (a llama.cpp stream)
        (120, 2, 40, "120+?/40"),  # some did: a lower bound
        (0, 0, 0, "0/0"),  # nothing answered yet
    ],
)
def test_unreported_prompt_tokens_show_as_unknown(
    known: int, unknown: int, output: int, text: str
) -> None:
    assert tokens_in_out(known, unknown, output, "/") == text
