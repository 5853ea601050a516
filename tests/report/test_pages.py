"""The printed reports have no page faults: no overprinted or off-page text, no missing glyphs,
no near-empty pages (quanheng.report.pagecheck), on the default study (both languages, and once
through Chromium), a many-subject study with long names and a study whose names use every
script the report fonts draw.

Kept cheap for CI: few draws (the simulation is not what these pages test, only that its columns
and charts are there), 20 long-name subjects (enough to overflow a table or a page if the layout
is wrong), one language for the synthetic studies, each report written once per module."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from quanheng.demo import default_study_path
from quanheng.report.api import report_study
from quanheng.report.pagecheck import check_pdf, format_faults
from quanheng.report.pdf import find_chromium

pytest.importorskip("weasyprint")

DRAWS = 40
"""Enough for every simulated column and chart to appear; what is checked is their layout."""
LONG_SUBJECTS = 12
"""Enough rows for the ranking and comparison tables to break across pages."""
SPARSE = 0.4
"""Share of the synthetic studies' cells left without evidence: fewer evidence pages to print
and check, and more missing cells, radars with gaps and "no data" labels to lay out."""

LONG = (
    "International Consolidated Artificial Intelligence Research and Cloud Infrastructure "
    "Holdings Group"
)
ZH_LONG = "北京智源人工智能研究院大模型与云计算基础设施控股集团有限公司"
SCRIPTS = (
    # (zh name, en name): Latin with diacritics, Greek, Cyrillic, Han (simplified and
    # traditional), kana, Hangul, Armenian, Georgian, Hebrew, full-width forms and symbols
    ("深度求索", "Ångström Ñandú Łódź Œuvre"),
    ("雲端運算", "Ελληνική Τεχνητή Νοημοσύνη"),
    ("智谱华章", "Искусственный интеллект Яндекс"),
    ("日本語カタカナ", "ひらがな・カタカナ株式会社"),
    ("한국어", "네이버 하이퍼클로바"),
    ("亚美尼亚", "Հայերեն Արհեստական"),
    ("格鲁吉亚", "ქართული ინტელექტი"),
    ("希伯来", "בינה מלאכותית"),
    ("全角ＡＢＣ", "Symbols ±×÷ → ≤ ≥ € £ ¥ © ®"),
)


def load_synth() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "pages_synth", Path(__file__).with_name("synth.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _engines() -> list[str]:
    engines = ["weasyprint"]
    try:
        import playwright  # noqa: F401

        if find_chromium() is not None:
            engines.append("chromium")
    except ImportError:
        pass
    return engines


def _rename(study_dir: Path, names: list[tuple[str, str]]) -> None:
    path = study_dir / "study.yaml"
    study = yaml.safe_load(path.read_text(encoding="utf-8"))
    for subject, (zh, en) in zip(study["subjects"], names, strict=False):
        subject["name"] = {"zh": zh, "en": en}
    path.write_text(yaml.safe_dump(study, allow_unicode=True, sort_keys=False), "utf-8")


def _assert_clean(out: Path) -> None:
    pdfs = sorted(out.glob("*.pdf"))
    assert pdfs
    report = []
    for pdf in pdfs:
        faults = check_pdf(pdf)
        if faults:
            report.append(f"{pdf.name}:\n{format_faults(faults)}")
    assert not report, "\n".join(report)


@pytest.fixture(scope="module")
def default_weasyprint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("default")
    report_study(default_study_path(), out, formats=["pdf"], draws=DRAWS, pdf_engine="weasyprint")
    return out


def test_default_study_pages(default_weasyprint: Path) -> None:
    assert {p.name.rsplit(".", 2)[-2] for p in default_weasyprint.glob("*.pdf")} == {"zh", "en"}
    _assert_clean(default_weasyprint)


@pytest.mark.skipif("chromium" not in _engines(), reason="no Chromium for the PDF")
def test_default_study_pages_chromium(tmp_path: Path) -> None:
    report_study(
        default_study_path(),
        tmp_path,
        langs=["zh"],  # the CJK pages: the harder of the two for a second engine
        formats=["pdf"],
        draws=DRAWS,
        pdf_engine="chromium",
    )
    _assert_clean(tmp_path)


@pytest.fixture(scope="module")
def long_names_faults(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    root = tmp_path_factory.mktemp("long")
    study = load_synth().make_study(root / "study", LONG_SUBJECTS, missing=SPARSE)
    _rename(
        study,
        [(f"{ZH_LONG}{k + 1}", f"{LONG} {k + 1:02d}") for k in range(LONG_SUBJECTS)],
    )
    report_study(
        study, root / "out", langs=["en"], formats=["pdf"], draws=DRAWS, pdf_engine="weasyprint"
    )
    pdfs = sorted((root / "out").glob("*.pdf"))
    assert pdfs
    return [f"{pdf.name}: {fault}" for pdf in pdfs for fault in check_pdf(pdf)]


def test_long_names_many_subjects(long_names_faults: list[str]) -> None:
    faults = [f for f in long_names_faults if ": near-empty:" not in f]
    assert not faults, "\n".join(faults)


def test_long_names_no_near_empty_page(long_names_faults: list[str]) -> None:
    faults = [f for f in long_names_faults if ": near-empty:" in f]
    assert not faults, "\n".join(faults)


def test_every_script(tmp_path: Path) -> None:
    study = load_synth().make_study(tmp_path / "study", len(SCRIPTS), n_excluded=1, missing=SPARSE)
    _rename(study, list(SCRIPTS))
    report_study(  # the English names hold the scripts; the Chinese pages are the default's
        study, tmp_path / "out", langs=["en"], formats=["pdf"], draws=0, pdf_engine="weasyprint"
    )
    _assert_clean(tmp_path / "out")
