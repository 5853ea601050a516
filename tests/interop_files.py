"""The import fixtures (``tests/data/interop``, see its README) and a fresh copy of the default
study to import them into. The fixtures' names carry the time the harness ran, so they are
found by pattern: ``benchmarks/peers/make_interop_fixtures.py`` may write them again."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "interop"
DEFAULT_STUDY = ROOT / "studies" / "cn-llm-vendors-2024"
MODEL = "qwen2.5-coder-0.5b"  # the default study's model subject


def _one(pattern: str) -> Path:
    found = sorted(DATA.glob(pattern))
    assert len(found) == 1, (pattern, found)
    return found[0]


def lm_eval_ceval() -> Path:
    """lm-eval results with per-sample results beside it: exact_match 0.7 over 10 samples."""
    return _one("lm-eval/ceval/results_*.json")


def lm_eval_gsm8k() -> Path:
    """lm-eval results without samples: exact_match 0.75, n 8, with stderr."""
    return _one("lm-eval/gsm8k/results_*.json")


def lm_eval_group() -> Path:
    """lm-eval results of a group (0.667 over 12) and its two member tasks, with samples."""
    return _one("lm-eval/group/results_*.json")


def inspect_log() -> Path:
    """An inspect_ai .eval log: accuracy 0.6 over 10 samples."""
    return _one("inspect/*.eval")


def opencompass_summary() -> Path:
    """An OpenCompass summary CSV with results/fake-chat/*.json beside it."""
    return _one("opencompass/*/summary/summary_*.csv")


def opencompass_dataset(name: str) -> Path:
    return _one(f"opencompass/*/results/fake-chat/{name}.json")


def fresh_study(tmp_path: Path) -> Path:
    """A copy of the default study without any run store."""
    target = tmp_path / "study"
    shutil.copytree(DEFAULT_STUDY, target, ignore=shutil.ignore_patterns("runs", "out"))
    return target
