"""Scrubbing keys from text: whole keys, their echoed forms and any long enough piece of one."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from quanheng.measure import redact
from quanheng.measure.redact import MIN_FRAGMENT, REDACTED, clip, scrub, scrub_known

KEY = "sk-live-7Hq2/Zp9+Wm4xKc8=Rt5Vb1nLd6Ys3Ge"


def _fragments(key: str, text: str) -> list[str]:
    """Every piece of ``key`` of MIN_FRAGMENT characters that is still in ``text``."""
    return [key[i : i + MIN_FRAGMENT] for i in range(len(key) - MIN_FRAGMENT + 1)
            if key[i : i + MIN_FRAGMENT] in text]  # fmt: skip


@pytest.mark.parametrize(
    "echo",
    [
        KEY,
        f"Authorization: Bearer {KEY}",
        quote(KEY, safe=""),
        quote(KEY),
        KEY[:20],  # the first half, as a server that shows "sk-live-7Hq2/Zp9+Wm4…"
        KEY[-12:],  # the last part
        KEY[5 : 5 + MIN_FRAGMENT],  # exactly the shortest piece that counts
        quote(KEY, safe="")[7:30],  # a piece of the URL-encoded form
    ],
)
def test_every_form_and_long_piece_of_the_key_is_removed(echo: str) -> None:
    cleaned = scrub(f"error: {echo} (end)", [KEY])
    assert REDACTED in cleaned
    assert _fragments(KEY, cleaned) == [] and _fragments(quote(KEY, safe=""), cleaned) == []
    assert cleaned.startswith("error: ") and cleaned.endswith(" (end)")


def test_a_key_cut_by_a_limit_leaves_nothing_when_scrubbed_first() -> None:
    """Issue #13: cutting first left 45 of 46 characters; scrubbing first leaves none."""
    for cut in range(len(KEY) + 1):
        text = "x" * 100 + KEY + "y" * 100
        cleaned = clip(scrub(text, [KEY]), 100 + cut)
        assert _fragments(KEY, cleaned) == [], cut
        # And a text that was already cut (by a server) is caught by its pieces.
        assert _fragments(KEY, scrub(text[: 100 + cut], [KEY])) == [], cut


def test_short_values_and_short_pieces_are_left_alone() -> None:
    assert scrub("abc", ["ab"]) == "abc"  # too short to be a key
    assert scrub("the sk-live word", [KEY]) == "the sk-live word"  # 7 characters of it
    assert scrub("no key here", [None, ""]) == "no key here"


def test_scrub_known_uses_the_keys_the_process_has_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(redact, "_known", set())
    assert scrub_known(f"body {KEY}") == f"body {KEY}"
    redact.remember_secret(KEY)
    redact.remember_secret("ab")  # too short: ignored
    assert redact.known_secrets() == (KEY,)
    assert scrub_known(f"body {KEY[3:30]}") == f"body {REDACTED}"


def test_clip_marks_the_cut() -> None:
    assert clip("abcdef", 3) == "abc…" and clip("abc", 3) == "abc"
