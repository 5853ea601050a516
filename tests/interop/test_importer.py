"""``import_results`` into a copy of the default study: stored once, read by collect and score."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from interop_files import (
    MODEL,
    fresh_study,
    inspect_log,
    lm_eval_ceval,
    lm_eval_group,
    lm_eval_gsm8k,
    opencompass_summary,
)

import quanheng
from quanheng.errors import ResultsFileError
from quanheng.interop.importer import import_results
from quanheng.measure.pipeline import collect
from quanheng.study import Study


@pytest.fixture
def study(tmp_path: Path) -> Study:
    return quanheng.load_study(fresh_study(tmp_path))


def _imports(study: Study) -> int:
    store = study.path / "runs" / "runs.sqlite"
    if not store.exists():
        return 0
    with sqlite3.connect(store) as db:
        return int(db.execute("SELECT COUNT(*) FROM imports").fetchone()[0])


@pytest.mark.parametrize(
    ("harness", "file", "leaf", "value", "n", "interval"),
    [
        ("lm-eval", lm_eval_ceval, "P5.1", 0.7, 10, "bootstrap"),
        ("lm-eval", lm_eval_gsm8k, "P5.2", 0.75, 8, "stderr"),
        ("inspect", inspect_log, "P5.1", 0.6, 10, "bootstrap"),
        ("opencompass", opencompass_summary, "P5.2", 0.75, 8, "bootstrap"),
    ],
)
def test_each_harness_becomes_a_measured_leaf(
    study: Study, harness: str, file: object, leaf: str, value: float, n: int, interval: str
) -> None:
    path = file()  # type: ignore[operator]
    result = import_results(study, [path], harness, MODEL)  # type: ignore[arg-type]
    assert result.stored == 1 and not result.files[0].already
    card = quanheng.score(study, measurements=collect(study))
    cell = card.measured_cells(MODEL)[leaf]
    assert (cell["value"], cell["n"], cell["interval"]) == (value, n, interval)
    assert cell["low"] < value < cell["high"] or cell["high"] == 1.0
    assert cell["origin"]["harness"] == harness and cell["origin"]["file"] == path.name
    assert cell["provenance"] == [f"import:{result.files[0].sha256[:12]}"]


def test_a_group_is_one_value_with_its_members_samples(study: Study) -> None:
    result = import_results(study, [lm_eval_group()], "lm-eval", MODEL)
    (cell,) = result.files[0].cells
    assert cell.imported is not None
    assert (cell.metric, cell.value, cell.n, cell.imported.interval) == (
        "cn_knowledge.accuracy",
        pytest.approx(2 / 3),
        12,
        "bootstrap",
    )
    assert cell.imported.task == "cmmlu_offline_group"  # the members are pooled into it


def test_the_same_bytes_again_change_nothing(study: Study, tmp_path: Path) -> None:
    import_results(study, [lm_eval_ceval()], "lm-eval", MODEL)
    before = collect(study)
    copy = tmp_path / "renamed.json"
    shutil.copy(lm_eval_ceval(), copy)  # same bytes under another name
    again = import_results(study, [lm_eval_ceval(), copy], "lm-eval", MODEL)
    assert [f.already for f in again.files] == [True, True] and again.stored == 0
    assert collect(study) == before and _imports(study) == 1


def test_a_bad_file_among_good_ones_stores_none_of_them(study: Study, tmp_path: Path) -> None:
    import_results(study, [lm_eval_gsm8k()], "lm-eval", MODEL)
    bad = tmp_path / "results_bad.json"
    bad.write_text("{oops", encoding="utf-8")
    with pytest.raises(ResultsFileError) as info:
        import_results(study, [lm_eval_ceval(), bad], "lm-eval", MODEL)
    assert [str(bad) in line for line in info.value.lines()] == [True]
    assert _imports(study) == 1  # the earlier import is kept, the good new file not stored


def test_an_unknown_subject_names_the_known_ones(study: Study) -> None:
    with pytest.raises(ResultsFileError) as info:
        import_results(study, [lm_eval_ceval()], "lm-eval", "qwen2.5-coder-0.5")
    (line,) = info.value.lines()
    assert line.startswith("--subject:") and "did you mean 'qwen2.5-coder-0.5b'?" in line
    assert _imports(study) == 0


def _renamed_task(tmp_path: Path, task: str) -> Path:
    data = json.loads(lm_eval_gsm8k().read_text(encoding="utf-8"))
    data["results"] = {task: data["results"]["gsm8k_offline"]}
    path = tmp_path / "results_renamed.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_an_unmapped_task_needs_a_map_file(study: Study, tmp_path: Path) -> None:
    path = _renamed_task(tmp_path, "my_exam")
    with pytest.raises(ResultsFileError) as info:
        import_results(study, [path], "lm-eval", MODEL)
    (line,) = info.value.lines()
    assert "task my_exam: no mapping" in line and "--map" in line
    rules = tmp_path / "map.yaml"
    rules.write_text(
        "format: quanheng/import-map@1\ntasks:\n  - {match: my_exam, metric: math.accuracy}\n",
        encoding="utf-8",
    )
    result = import_results(study, [path], "lm-eval", MODEL, mapping_file=rules)
    assert [c.metric for c in result.files[0].cells] == ["math.accuracy"]


def test_a_metric_no_leaf_uses_is_refused_with_the_ones_that_are(
    study: Study, tmp_path: Path
) -> None:
    path = _renamed_task(tmp_path, "mmlu")  # → en_knowledge.accuracy: no leaf of the framework
    with pytest.raises(ResultsFileError) as info:
        import_results(study, [path], "lm-eval", MODEL)
    (line,) = info.value.lines()
    assert "en_knowledge.accuracy: no measured leaf of cn-llm-vendor-2024 uses it" in line
    assert "cn_knowledge.accuracy" in line  # the metrics it could be mapped to


def test_two_imports_of_one_leaf_conflict_newest_first_unless_one_is_preferred(
    study: Study,
) -> None:
    first = datetime(2026, 12, 1, tzinfo=UTC)
    import_results(study, [lm_eval_ceval()], "lm-eval", MODEL, now=first)
    result = import_results(
        study,
        [inspect_log()],
        "inspect",
        MODEL,
        collect=collect,
        now=datetime(2026, 12, 2, tzinfo=UTC),
    )
    shown, other = result.conflicts[(MODEL, "P5.1")]
    assert (shown.value, other.value) == (0.6, 0.7)  # the newer import is shown
    cell = quanheng.score(study, measurements=collect(study)).measured_cells(MODEL)["P5.1"]
    assert cell["value"] == 0.6 and [c["value"] for c in cell["conflicts"]] == [0.7]
    assert cell["conflicts"][0]["origin"]["harness"] == "lm-eval"


def test_prefer_imported_wins_whatever_the_date(study: Study) -> None:
    import_results(
        study,
        [lm_eval_ceval()],
        "lm-eval",
        MODEL,
        prefer=True,
        now=datetime(2026, 1, 1, tzinfo=UTC),
    )
    result = import_results(study, [inspect_log()], "inspect", MODEL, collect=collect)
    shown, _ = result.conflicts[(MODEL, "P5.1")]
    assert shown.imported is not None and shown.imported.preferred and shown.value == 0.7
