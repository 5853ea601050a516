"""What a slider move redraws: the ranking rows and the light landscape."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

import quanheng
from quanheng.text import Name
from quanheng.web.live import landscape_svg, ranking_rows, reason_in
from tests.web.support import DEFAULT_STUDY


@pytest.fixture(scope="module")
def scored() -> tuple[quanheng.Study, quanheng.Scorecard]:
    study = quanheng.load_study(DEFAULT_STUDY)
    return study, quanheng.score(study)


def test_rows_go_cohort_by_cohort_with_the_screened_out_last(
    scored: tuple[quanheng.Study, quanheng.Scorecard],
) -> None:
    study, card = scored
    groups = ranking_rows(card, "en", None, study)
    assert list(groups) == ["vendor", "model", "excluded"]
    ranks = [r.rank for r in groups["vendor"] if r.rank]
    assert ranks == sorted(ranks) == list(range(1, len(ranks) + 1))
    assert [r.subject for r in groups["excluded"]] == ["openai"]


def test_reasons_are_in_the_page_language(
    scored: tuple[quanheng.Study, quanheng.Scorecard],
) -> None:
    study, card = scored
    i = card.index("openai")
    assert reason_in(study, card, i, "en").startswith("fails: China market presence")
    assert reason_in(study, card, i, "zh").startswith("未通过：")
    unranked = next(s for s in card.subjects if card.status(s) == "unranked")
    assert reason_in(study, card, card.index(unranked), "zh").endswith("无任何指标证据")


def test_the_landscape_is_valid_svg_with_every_name_escaped(
    scored: tuple[quanheng.Study, quanheng.Scorecard],
) -> None:
    study, card = scored
    names = list(card.subject_names)
    names[card.index("baidu")] = Name(zh="<b>百度</b>", en="<script>x</script>")
    evil = card.model_copy(update={"subject_names": tuple(names)})
    svg = landscape_svg(study, evil, "en")
    root = ET.fromstring(svg)  # well-formed
    assert "<script>" not in svg and "&lt;script&gt;x&lt;/script&gt;" in svg
    bubbles = root.findall(".//{http://www.w3.org/2000/svg}g")
    vendors = {s.id for s in study.subjects if s.kind == "vendor"}
    ranked = {s for i, s in enumerate(card.subjects) if card.ranks[i] > 0} & vendors
    assert {b.get("data-subject") for b in bubbles} == ranked
