"""Small text formats shared by the CLI's tables: token counts and counted phrases."""

from __future__ import annotations

from quanheng.cli._words import WORDS, w
from quanheng.text import Lang

__all__ = ["counted", "tokens_in_out"]


def tokens_in_out(input_tokens: int, input_unknown: int, output_tokens: int, lang: Lang) -> str:
    """``120 in / 40 out`` (``输入 120 / 输出 40``), honest about prompt tokens nobody reported.

    Some servers (llama-cpp-python's streams, for one) send no usage, so a run's prompt tokens
    are unknown, not zero: the input side reads ``unknown in`` (``输入未知``) when no answer
    reported them and ``at least N in`` (``输入至少 N``) when only some did. Words, not
    ``?``/``+`` signs, so a cell never reads as arithmetic.
    """
    if input_unknown and not input_tokens:
        shown = w("tok_in_unknown", lang)
    elif input_unknown:
        shown = w("tok_in_some", lang, n=input_tokens)
    else:
        shown = w("tok_in", lang, n=input_tokens)
    return f"{shown} / {w('tok_out', lang, n=output_tokens)}"


def counted(key: str, n: int, lang: Lang, **fields: object) -> str:
    """The phrase ``key`` for the count ``n``: its ``key.one`` twin when ``n`` is 1.

    English needs the singular ("1 task run"); Chinese counts with measure words that do not
    change, so its two entries are the same sentence.
    """
    one = f"{key}.one"
    return w(one if n == 1 and one in WORDS else key, lang, n=n, **fields)
