"""The printed reports have no page faults: no overprinted or off-page text, no missing glyphs,
no near-empty pages (quanheng.report.pagecheck), on the default study, a 50-subject study with
long names and a study whose names use every script the report fonts draw."""

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

DRAWS = 200

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


@pytest.mark.parametrize("engine", _engines())
def test_default_study_pages(tmp_path: Path, engine: str) -> None:
    report_study(
        default_study_path(),
        tmp_path,
        formats=["pdf"],
        draws=DRAWS,
        pdf_engine=engine,  # type: ignore[arg-type]
    )
    _assert_clean(tmp_path)


def test_long_names_fifty_subjects(tmp_path: Path) -> None:
    study = load_synth().make_study(tmp_path / "study", 50)
    _rename(
        study,
        [(f"{ZH_LONG}{k + 1}", f"{LONG} {k + 1:02d}") for k in range(50)],
    )
    report_study(
        study, tmp_path / "out", langs=["en"], formats=["pdf"], draws=DRAWS, pdf_engine="weasyprint"
    )
    _assert_clean(tmp_path / "out")


def test_every_script(tmp_path: Path) -> None:
    study = load_synth().make_study(tmp_path / "study", len(SCRIPTS), n_excluded=1)
    _rename(study, list(SCRIPTS))
    report_study(study, tmp_path / "out", formats=["pdf"], draws=DRAWS, pdf_engine="weasyprint")
    _assert_clean(tmp_path / "out")
