"""Small text formats shared by the CLI's tables."""

from __future__ import annotations

__all__ = ["tokens_in_out"]


def tokens_in_out(input_tokens: int, input_unknown: int, output_tokens: int, sep: str) -> str:
    """``in{sep}out`` token counts, honest about prompt tokens nobody reported.

    Some servers (llama-cpp-python's streams, for one) send no usage, so a run's prompt tokens
    are unknown, not zero: the input side reads ``?`` when no answer reported it and ``N+?``
    when only some did.
    """
    if input_unknown and not input_tokens:
        shown = "?"
    elif input_unknown:
        shown = f"{input_tokens}+?"
    else:
        shown = str(input_tokens)
    return f"{shown}{sep}{output_tokens}"
