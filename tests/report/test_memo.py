"""The decision memo: its facts are the recommendation's, its Chinese is Chinese, it is one page,
and a profile's report opens with it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import quanheng
from quanheng.analysis import Recommendation, recommend
from quanheng.cli import main
from quanheng.report.i18n import fmt_pct
from quanheng.report.memo import (
    MEMO_COLLECT,
    WORDS,
    MemoData,
    build_memo,
    compose,
    render_memo_html,
    render_memo_markdown,
    write_memo,
)
from quanheng.study import Study

ROOT = Path(__file__).resolve().parent.parent.parent
STUDY = ROOT / "studies" / "cn-llm-vendors-2024"
PROFILES = ("customer-service", "code-assistant", "regulated-finance")


@pytest.fixture(scope="module")
def study() -> Study:
    return quanheng.load_study(STUDY)


@pytest.fixture(scope="module")
def memos(study: Study) -> dict[str, tuple[Recommendation, MemoData]]:
    out = {}
    for prof in PROFILES:
        rec = recommend(study, quanheng.score(study, prof), draws=1000, seed=1)
        out[prof] = (rec, build_memo(study, rec))
    return out


def test_words_have_both_languages() -> None:
    for key, (zh, en) in WORDS.items():
        assert zh and en, key
        assert set(re.findall(r"{(\w+)}", zh)) == set(re.findall(r"{(\w+)}", en)), key


@pytest.mark.parametrize("prof", PROFILES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_memo_states_the_recommendation(
    memos: dict[str, tuple[Recommendation, MemoData]], prof: str, lang: str
) -> None:
    rec, memo = memos[prof]
    view = compose(memo, lang)  # type: ignore[arg-type]
    assert view.leader == rec.picks[0].subject
    assert view.provisional == rec.provisional
    assert [p.subject for p in view.picks] == [p.subject for p in rec.picks]
    for pv, p in zip(view.picks, rec.picks, strict=True):
        assert (pv.p_best, pv.coverage) == (fmt_pct(p.p_best), fmt_pct(p.coverage))
        assert pv.rank == p.rank
    leader = memo.subject(rec.picks[0].subject, lang)  # type: ignore[arg-type]
    first = view.summary[0]
    assert leader in first and fmt_pct(rec.picks[0].p_best) in first
    assert fmt_pct(rec.picks[0].coverage) in first  # P(best) never without its coverage
    assert view.pilots == [p.get(lang) for p in memo.pilots]  # type: ignore[arg-type]
    assert len(view.pilots) == len(rec.pilots)
    assert [c.leaf for c in view.collect] == [c.leaf for c in rec.collect[:MEMO_COLLECT]]
    html = render_memo_html(memo, lang)  # type: ignore[arg-type]
    for c in view.collect:
        assert c.leaf in html
    if rec.provisional:  # said first: the alert and the evidence to collect before the picks
        alert = WORDS["insufficient"][0 if lang == "zh" else 1]
        picks = WORDS["picks_provisional"][0 if lang == "zh" else 1]
        assert html.index(alert) < html.index(WORDS["collect"][0 if lang == "zh" else 1])
        assert html.index(alert) < html.index(picks)
    md = render_memo_markdown(memo, lang)  # type: ignore[arg-type]
    assert md.startswith("# ")


def test_default_study_is_insufficient_for_customer_service(
    memos: dict[str, tuple[Recommendation, MemoData]],
) -> None:
    rec, memo = memos["customer-service"]
    assert rec.provisional
    view = compose(memo, "zh")
    assert "证据不足" in view.alert and "暂定" in view.alert
    assert view.picks_heading == "暂定排序"


def _latin_words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z][A-Za-z'’]+", text))


def test_chinese_memo_has_no_english(
    study: Study, memos: dict[str, tuple[Recommendation, MemoData]]
) -> None:
    """Outside the study's own text (names, ids, pilots, description), every word is Chinese."""
    allowed: set[str] = set()
    for prof in PROFILES:
        p = study.profile(prof)
        allowed |= _latin_words(p.id + " " + p.name.zh)
        allowed |= _latin_words(p.description.get("zh") if p.description else "")
        allowed |= {w for x in p.pilots for w in _latin_words(quanheng.text.local(x, "zh"))}
    for s in study.subjects:
        allowed |= _latin_words(s.id + " " + s.name.zh)
    for leaf in study.framework.leaves:
        allowed |= _latin_words(leaf.id + " " + leaf.name.zh)
    for g in study.framework.gates:
        allowed |= _latin_words(g.id + " " + g.name.zh)
    allowed |= _latin_words(study.id)
    for _rec, memo in memos.values():
        view = compose(memo, "zh")
        texts = [view.title, view.meta, view.alert, view.picks_heading, *view.summary]
        texts += [x for p in view.picks for x in (p.strengths, p.cautions)]
        texts += [*view.deciding, *view.risks, *(c.text for c in view.collect)]
        texts += [re.sub(r"{\w+}", " ", WORDS[k][0]) for k in WORDS]  # its placeholders aside
        stray = set().union(*(_latin_words(x) for x in texts)) - allowed
        assert not stray, stray
        # the rendered page too: its own words, headings and labels (tags and styles aside)
        html = render_memo_html(memo, "zh")
        body = re.sub(r"<style>.*?</style>|<[^>]+>", " ", html, flags=re.S)
        assert not _latin_words(body) - allowed, _latin_words(body) - allowed


def _pages(path: Path) -> int:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return len(pdf.pages)


def test_pdf_memo_is_one_page_for_every_profile(
    memos: dict[str, tuple[Recommendation, MemoData]], tmp_path: Path
) -> None:
    for _rec, memo in memos.values():
        written = write_memo(memo, tmp_path, langs=("zh", "en"), formats=("pdf",))
        assert len(written) == 2
        for path in written:
            assert _pages(path) == 1, path.name


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    code = exit_info.value.code
    return (code if isinstance(code, int) else 1), capsys.readouterr().out


def test_recommend_writes_a_one_page_chinese_pdf(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["recommend", str(STUDY), "--profile", "customer-service", "--draws", "500"]
    code, out = _run([*args, "--format", "pdf", "--lang", "zh", "--out", str(tmp_path)], capsys)
    assert code == 0
    pdf = tmp_path / "cn-llm-vendors-2024.customer-service.memo.zh.pdf"
    assert pdf.is_file() and str(pdf) in out
    assert _pages(pdf) == 1
    code, out = _run([*args, "--format", "md,html", "--lang", "en", "--out", str(tmp_path)], capsys)
    assert code == 0
    md = (tmp_path / "cn-llm-vendors-2024.customer-service.memo.en.md").read_text("utf-8")
    assert md.startswith("# Decision memo")
    code, _ = _run([*args, "--format", "docx"], capsys)
    assert code == 2


def test_recommend_console_speaks_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["recommend", str(STUDY), "--profile", "customer-service", "--draws", "500"]
    code, zh = _run([*args, "--lang", "zh"], capsys)
    assert code == 0
    assert "本用例证据不足" in zh and "建议试点" in zh and "百度" in zh
    for english in ("Which vendor", "Risks", "Suggested pilots", "insufficient evidence"):
        assert english not in zh
    code, en = _run(args, capsys)
    assert code == 0 and "Which vendor for" in en  # without --lang: as before
    code, _ = _run([*args, "--lang", "fr"], capsys)
    assert code == 2


def test_analyse_console_speaks_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["analyse", str(STUDY), "--profile", "customer-service", "--draws", "300"]
    code, zh = _run([*args, "--lang", "zh"], capsys)
    assert code == 0
    assert "得分与名次概率" in zh and "敏感性" in zh and "腾讯" in zh
    assert "Scores and rank probabilities" not in zh and "Sensitivity" not in zh


def test_report_for_a_profile_starts_with_the_memo(study: Study, tmp_path: Path) -> None:
    from quanheng.report.api import report_scorecard

    card = quanheng.score(study, "code-assistant")
    written = report_scorecard(
        study, card, tmp_path, langs=["zh"], formats=["md", "html"], draws=300, memo=True
    )
    md = next(p for p in written if p.suffix == ".md").read_text("utf-8")
    assert md.startswith("# 决策备忘录 · 编程助手")
    html = next(p for p in written if p.suffix == ".html").read_text("utf-8")
    assert html.index('id="memo"') < html.index("<header>")
    plain = report_scorecard(study, card, tmp_path / "plain", langs=["zh"], formats=["md"], draws=0)
    assert not plain[-1].read_text("utf-8").startswith("# 决策备忘录")
