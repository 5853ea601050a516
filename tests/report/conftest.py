"""Shared fixtures: the mini study scored, with a known analysis, and a crowded synthetic one."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

import quanheng
from quanheng.report import ReportAnalysis, ReportData, TornadoBar, build_report
from quanheng.text import Name

MINI = Path(__file__).parent.parent / "data" / "mini"


def load_synth() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "report_synth", Path(__file__).with_name("synth.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def known_analysis() -> ReportAnalysis:
    return ReportAnalysis(
        draws=100,
        seed=3,
        intervals={
            "s1": {"overall": (0.7, 0.85), "A": (0.55, 0.75), "B": (0.9, 1.0)},
            "s2": {"overall": (0.45, 0.6)},
        },
        p_best={"s1": 0.8, "s2": 0.15, "s3": 0.05},
        rank_acceptability={
            "s1": (0.8, 0.15, 0.05),
            "s2": (0.15, 0.6, 0.25),
            "s3": (0.05, 0.25, 0.7),
        },
        tornado_target=Name(zh="一 总分", en="One's overall"),
        tornado_base=0.79,
        tornado=(
            TornadoBar(
                parameter="A", label=Name(zh="甲 权重", en="Alpha weight"), low=0.75, high=0.8
            ),
            TornadoBar(
                parameter="B", label=Name(zh="乙 权重", en="Beta weight"), low=0.7, high=0.9
            ),
        ),
    )


@pytest.fixture(scope="session")
def mini_data() -> ReportData:
    study = quanheng.load_study(MINI)
    return build_report(study, quanheng.score(study), known_analysis())


@pytest.fixture(scope="session")
def crowded_data(tmp_path_factory: pytest.TempPathFactory) -> ReportData:
    root = load_synth().make_study(tmp_path_factory.mktemp("synth") / "s", 30, n_excluded=2)
    study = quanheng.load_study(root)
    return build_report(study, quanheng.score(study))


@pytest.fixture(scope="session")
def mini_path() -> Path:
    return MINI


@pytest.fixture(scope="session")
def report_analysis() -> ReportAnalysis:
    return known_analysis()
