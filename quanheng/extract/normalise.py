"""Text normalisation for matching quotes: one folded form, with a map back to the original.

A quote a model (or a person) copies from a document rarely matches byte for byte: full-width
digits and punctuation (``１２``, ``，``) against half-width ones, a line break or two spaces
where the document had one, markdown emphasis (``**``, ``\\*\\*``) left around words by a
crawler. Verbatim here means *verbatim after folding*, and the fold is the same for document
and quote:

* NFKC per character (full-width → half-width, compatibility forms → their base);
* markdown residue dropped: ``*``, `````, and the backslash of an escape such as ``\\*``;
* whitespace: a run between two ASCII letters or digits becomes one space (``GPT 4`` keeps
  its word break), every other run disappears (Chinese text has no word spaces, so ``5,500 亿``
  and ``5,500亿`` are the same text).

:class:`Normalised` keeps, for each folded character, the offset of the original character it
came from, so a match in the folded text is reported as offsets into the original.
"""

from __future__ import annotations

import bisect
import unicodedata
from dataclasses import dataclass

__all__ = ["Normalised", "fold", "normalise"]

_DROPPED = frozenset("*`")
_ESCAPABLE = frozenset("*_`#[]()\\-+.!<>|{}~")


@dataclass(frozen=True)
class Normalised:
    """The folded text and, per folded character, the original offset it came from.

    Attributes:
        text: the folded text.
        origin: ``origin[i]`` is the offset in the original text of folded character ``i``.
        original_length: length of the original text.
    """

    text: str
    origin: tuple[int, ...]
    original_length: int

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Original ``[start, end)`` offsets covering folded ``[start, end)`` (``end > start``)."""
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"span [{start}, {end}) is outside the folded text")
        return self.origin[start], self.origin[end - 1] + 1

    def folded_offset(self, original: int) -> int:
        """The first folded character at or after original offset ``original``."""
        return bisect.bisect_left(self.origin, original)


def _is_word(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def normalise(text: str) -> Normalised:
    """Fold ``text`` (see the module docstring) and keep the map back to it."""
    out: list[str] = []
    origin: list[int] = []
    pending_space = False  # a whitespace run was seen after the last kept character
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n and text[i + 1] in _ESCAPABLE:
            i += 1  # an escape: keep what it escapes (dropped below if it is residue)
            continue
        folded = unicodedata.normalize("NFKC", ch)
        if folded.isspace() or not folded:
            pending_space = True
            i += 1
            continue
        for part in folded:
            if part in _DROPPED:
                continue
            if part.isspace():
                pending_space = True
                continue
            if pending_space and out and _is_word(out[-1]) and _is_word(part):
                out.append(" ")
                origin.append(i)
            pending_space = False
            out.append(part)
            origin.append(i)
        i += 1
    return Normalised("".join(out), tuple(origin), n)


def fold(text: str) -> str:
    """Only the folded text of :func:`normalise`."""
    return normalise(text).text
