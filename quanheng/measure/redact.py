"""Removing API keys from any text that may leave the process: errors, logs, the run store.

Why a module of its own. Error texts are built in the HTTP clients, stored by the run store,
logged by the sender and printed by the command line; each of those places must remove the
key, and the command line must not import the HTTP stack to do it. So the rule lives here,
with no heavy imports, and a process-wide set of the keys read so far
(:func:`remember_secret`) lets the last stops — the store's error columns and the CLI's error
line — scrub again without being handed the key.

What is removed, for every key at least :data:`MIN_SECRET` characters long:

* the whole key, and the forms a server or library is likely to echo it in: JSON string
  escaping and URL quoting (``Bearer <key>`` becomes ``Bearer [REDACTED]``);
* every run of text made of pieces of those forms at least :data:`MIN_FRAGMENT` characters
  long, wherever it starts in the key. A server that echoes half of the key, or an echo cut
  off by a length limit, still leaves nothing useful: an attacker learns at most
  ``MIN_FRAGMENT - 1`` consecutive characters, together with the fact that a fragment was
  there.

The order matters and is the callers' duty: scrub first, then shorten. Shortening first could
cut a key in two and leave a fragment too short for a whole-key match (issue #13: 45 of 46
characters of an echoed key survived a 500-character cut).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from urllib.parse import quote

__all__ = [
    "MIN_FRAGMENT",
    "MIN_SECRET",
    "REDACTED",
    "clip",
    "known_secrets",
    "remember_secret",
    "scrub",
    "scrub_known",
]

REDACTED = "[REDACTED]"
"""What every removed key or key fragment is replaced with."""

MIN_SECRET = 4
"""Values shorter than this are not scrubbed: replacing ``"a"`` everywhere would destroy the
message without protecting anything."""

MIN_FRAGMENT = 8
"""Any piece of a key this long or longer is removed wherever it appears."""

_known: set[str] = set()


def remember_secret(secret: str | None) -> None:
    """Add ``secret`` to the keys every later :func:`scrub_known` removes (process-wide).

    The runner calls this when it reads an endpoint's key, so the run store and the command
    line's error output scrub it even where no one passed them the key.
    """
    if secret and len(secret) >= MIN_SECRET:
        _known.add(secret)


def known_secrets() -> tuple[str, ...]:
    """The keys remembered so far (for tests and for passing on; never print them)."""
    return tuple(_known)


@functools.lru_cache(maxsize=64)
def _forms(secret: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """The echoable forms of ``secret`` (longest first) and their ``MIN_FRAGMENT``-grams."""
    forms = {secret, json.dumps(secret)[1:-1], quote(secret, safe=""), quote(secret)}
    ordered = tuple(sorted(forms, key=len, reverse=True))
    grams = frozenset(
        form[i : i + MIN_FRAGMENT] for form in ordered for i in range(len(form) - MIN_FRAGMENT + 1)
    )
    return ordered, grams


def scrub(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` with every key in ``secrets`` and every long enough piece of one redacted.

    Args:
        text: any message; scrub it whole, before shortening it (see the module docstring).
        secrets: the keys to remove; ``None``, empty and very short values are ignored.

    Returns:
        The text with each whole key, each echoed form of it and each run of key fragments of
        at least :data:`MIN_FRAGMENT` characters replaced by ``[REDACTED]``.
    """
    for secret in secrets:
        if not secret or len(secret) < MIN_SECRET:
            continue
        forms, grams = _forms(secret)
        for form in forms:
            text = text.replace(form, REDACTED)
        if grams and len(text) >= MIN_FRAGMENT:
            text = _drop_fragments(text, grams)
    return text


def scrub_known(text: str, secrets: Iterable[str | None] = ()) -> str:
    """:func:`scrub` with ``secrets`` and every key :func:`remember_secret` has seen."""
    extra = [s for s in secrets if s]
    return scrub(text, [*_known, *extra]) if _known or extra else text


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with ``…`` where it was cut.

    Only ever call it on scrubbed text: a cut can split a key.
    """
    return text if len(text) <= limit else text[:limit] + "…"


def _drop_fragments(text: str, grams: frozenset[str]) -> str:
    """Replace each maximal run of ``text`` covered by key ``MIN_FRAGMENT``-grams.

    Every substring of the key that is at least ``MIN_FRAGMENT`` long is covered by its own
    grams, so it is removed; two grams that overlap in the text but come from different places
    in the key are removed too — redacting a little more than needed is the safe side.
    """
    n = MIN_FRAGMENT
    covered_to = -1  # the text is covered by grams up to (not including) this index
    runs: list[tuple[int, int]] = []
    for i in range(len(text) - n + 1):
        if text[i : i + n] in grams:
            if runs and i <= covered_to:
                runs[-1] = (runs[-1][0], i + n)
            else:
                runs.append((i, i + n))
            covered_to = i + n
    if not runs:
        return text
    out: list[str] = []
    last = 0
    for start, end in runs:
        out.append(text[last:start])
        out.append(REDACTED)
        last = end
    out.append(text[last:])
    return "".join(out)
