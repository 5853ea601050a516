"""Token counts in the CLI's tables never show an unmeasured 0, nor ``?``/``+`` arithmetic."""

from __future__ import annotations

import pytest

from quanheng.cli._format import counted, tokens_in_out


@pytest.mark.parametrize(
    ("known", "unknown", "output", "en", "zh"),
    [
        (120, 0, 40, "120 in / 40 out", "输入 120 / 输出 40"),  # every answer reported them
        (0, 3, 23, "unknown in / 23 out", "输入未知 / 输出 23"),  # none did (a llama.cpp stream)
        (120, 2, 40, "at least 120 in / 40 out", "输入至少 120 / 输出 40"),  # some did
        (0, 0, 0, "0 in / 0 out", "输入 0 / 输出 0"),  # nothing answered yet
    ],
)
def test_unreported_prompt_tokens_say_unknown_once(
    known: int, unknown: int, output: int, en: str, zh: str
) -> None:
    assert tokens_in_out(known, unknown, output, "en") == en
    assert tokens_in_out(known, unknown, output, "zh") == zh


def test_counted_phrases_are_singular_for_one() -> None:
    assert counted("n_requests", 1, "en") == "1 request"
    assert counted("n_requests", 2, "en") == "2 requests"
    assert counted("n_requests", 0, "en") == "0 requests"
    assert counted("n_errors", 1, "en") == "1 error"
    assert counted("n_requests", 1, "zh") == "1 个请求"
    assert counted("n_requests", 2, "zh") == "2 个请求"
    assert counted("r_hidden", 1, "en") == "1 re-run that found every answer stored is not listed"
    assert counted("r_hidden", 3, "en") == "3 re-runs that found every answer stored are not listed"
