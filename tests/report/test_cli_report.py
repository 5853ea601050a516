"""``quanheng report`` as a user types it, and the package's public surface."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

import pytest

import quanheng.report
from quanheng.cli import main


def test_report_command_writes_html_and_markdown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mini_path: Path
) -> None:
    with pytest.raises(SystemExit) as info:
        main(
            [
                "report",
                str(mini_path),
                "--lang",
                "en",
                "--format",
                "html,md",
                "--out",
                str(tmp_path),
                "--draws",
                "200",
            ]
        )
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "mini-study.default.report.en.html" in out
    html = (tmp_path / "mini-study.default.report.en.html").read_text(encoding="utf-8")
    assert "Rank probabilities" in html and "analysis" in html
    assert not (tmp_path / "mini-study.default.report.zh.html").exists()


def test_report_command_rejects_unknown_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mini_path: Path
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["report", str(mini_path), "--format", "docx", "--out", str(tmp_path), "--draws", "0"])
    assert info.value.code == 2
    assert "--format: unknown format(s) docx" in capsys.readouterr().err


def test_all_lists_exactly_the_public_names() -> None:
    """The package imports its parts on first use (matplotlib is slow to import): every name
    in ``__all__`` resolves to its module's object, and nothing else public is defined."""
    names = quanheng.report.__all__
    assert list(names) == sorted(names)
    for name in names:
        value = getattr(quanheng.report, name)
        module = importlib.import_module(quanheng.report._WHERE[name])
        assert value is getattr(module, name)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        quanheng.report.nope  # noqa: B018
    public = {
        name
        for name, value in vars(quanheng.report).items()
        if not name.startswith("_") and not isinstance(value, ModuleType)
    }
    assert public <= {"annotations", "TYPE_CHECKING"}  # typing helpers only


def test_report_command_rejects_unknown_pdf_engine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mini_path: Path
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["report", str(mini_path), "--pdf-engine", "prince", "--out", str(tmp_path)])
    assert info.value.code == 2
    assert "--pdf-engine: 'prince' is not one of 'auto', 'chromium', 'weasyprint'" in (
        capsys.readouterr().err
    )


def test_report_into_a_file_is_one_line_before_any_work(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    mini_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """It used to analyse, draw and print everything, then end in a FileExistsError traceback."""
    import quanheng.report.api as api

    def no_analysis(*args: object, **kwargs: object) -> None:
        raise AssertionError("the output directory must be checked before the analysis")

    monkeypatch.setattr(api, "analyse", no_analysis)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "taken").write_text("mine", encoding="utf-8")
    with pytest.raises(SystemExit) as info:
        main(["report", str(mini_path), "--out", "taken", "--draws", "50"])
    assert info.value.code == 2
    assert capsys.readouterr().err.splitlines() == [
        "--out: taken is a file, not a directory — give --out a directory (it is created)"
    ]
    assert (tmp_path / "taken").read_text(encoding="utf-8") == "mine"
