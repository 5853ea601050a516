"""Quote verification: a proposed quote must occur in the document, and where it occurs.

A model can paraphrase, merge two sentences or invent a sentence that sounds like the source;
none of that may reach an evidence file. A quote passes only if its folded form
(:func:`~quanheng.extract.normalise.fold`) occurs in the document's folded text, and then it is
located by offsets into the document's own text, so a reviewer can find it and the record keeps
the document's exact characters.
"""

from __future__ import annotations

from quanheng.extract.normalise import Normalised, fold

__all__ = ["MIN_QUOTE_CHARS", "locate_quote"]

MIN_QUOTE_CHARS = 4
"""Shortest folded quote accepted: ``"5"`` or ``"百度"`` occurs everywhere and proves nothing."""


def locate_quote(
    document: Normalised, quote: str, *, near: int | None = None
) -> tuple[int, int] | None:
    """Original ``[start, end)`` offsets of ``quote`` in the document, or ``None``.

    Args:
        document: the document's folded text with its offset map.
        quote: the quote as proposed.
        near: a folded offset (the passage the quote was proposed from); of several
            occurrences the one nearest to it is returned, else the first.

    Returns:
        ``None`` when the folded quote is shorter than :data:`MIN_QUOTE_CHARS` or does not
        occur verbatim in the folded document.
    """
    needle = fold(quote)
    if len(needle) < MIN_QUOTE_CHARS:
        return None
    hits: list[int] = []
    at = document.text.find(needle)
    while at != -1:
        hits.append(at)
        at = document.text.find(needle, at + 1)
    if not hits:
        return None
    start = hits[0] if near is None else min(hits, key=lambda h: abs(h - near))
    return document.original_span(start, start + len(needle))
