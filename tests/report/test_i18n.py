"""The report's fixed phrases and number formats."""

from __future__ import annotations

import math
import string

import pytest

from quanheng.report.i18n import LANGS, STRINGS, fmt_interval, fmt_pct, fmt_score, t


def test_every_phrase_exists_in_both_languages_with_the_same_fields() -> None:
    assert LANGS == ("zh", "en")
    for key, (zh, en) in STRINGS.items():
        assert zh and en, key
        fields = [
            {name for _, name, _, _ in string.Formatter().parse(text) if name} for text in (zh, en)
        ]
        assert fields[0] == fields[1], key  # a field filled in one language is filled in both


def test_t_picks_the_language_and_fills_the_fields() -> None:
    assert t("ranking", "zh") == "排名"
    assert t("ranking", "en") == "Ranking"
    assert t("page", "zh", n=3) == "第 3 页"
    assert t("rank_k", "en", k=2) == "rank 2"
    assert t("cohort_note", "en", n=2, total=5).startswith("2 of 5 leaves")
    with pytest.raises(KeyError):
        t("no-such-phrase", "en")


def test_missing_numbers_are_an_em_dash_never_zero() -> None:
    assert [fmt_score(None), fmt_score(math.nan), fmt_pct(None), fmt_pct(math.nan)] == ["—"] * 4
    assert fmt_interval(0.1, None) == fmt_interval(math.nan, 0.2) == "—"


def test_number_formats_round_to_the_digits_asked_for() -> None:
    assert (fmt_score(0.12345), fmt_score(0.5, 1), fmt_score(0.0)) == ("0.123", "0.5", "0.000")
    assert (fmt_pct(0.125), fmt_pct(0.125, 1), fmt_pct(1.0)) == ("12%", "12.5%", "100%")
    assert fmt_interval(0.1, 0.98765) == "[0.100, 0.988]"
    assert fmt_interval(0.25, 0.5, 1) == "[0.2, 0.5]"  # 0.25 rounds half to even
