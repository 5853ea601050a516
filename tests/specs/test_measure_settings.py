"""A study's measure settings (quanheng.specs.measure_settings.MeasureSettings)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from quanheng.specs.measure_settings import DEFAULT_SUITES, MeasureSettings


def test_defaults() -> None:
    settings = MeasureSettings()
    assert settings.suites == DEFAULT_SUITES
    assert DEFAULT_SUITES == ("cn-knowledge", "math", "code", "safety", "open-qa", "efficiency")
    assert (settings.limit, settings.repeats, settings.judge) == (None, 1, None)
    assert settings.store == "runs/runs.sqlite"


def test_limit_for_takes_the_smallest_that_applies() -> None:
    settings = MeasureSettings(limit=10, limits={"math": 3, "code": 50})
    assert settings.limit_for("cn-knowledge", None) == 10  # the study's limit
    assert settings.limit_for("cn-knowledge", 20) == 10
    assert settings.limit_for("cn-knowledge", 4) == 4  # the task's own limit is smaller
    assert settings.limit_for("math", None) == 3  # the suite's override
    assert settings.limit_for("code", 20) == 20  # override 50 is larger than the task's 20


def test_no_limit_at_all_runs_everything() -> None:
    assert MeasureSettings().limit_for("math", None) is None
    assert MeasureSettings().limit_for("efficiency", 20) == 20


@pytest.mark.parametrize("field", [{"limit": 0}, {"repeats": 0}, {"suits": ["math"]}])
def test_invalid_settings(field: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        MeasureSettings.model_validate(field)
