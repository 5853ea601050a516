"""``quanheng import`` and ``quanheng export`` as a user runs them (issue #17).

Results of lm-eval, inspect_ai and OpenCompass (``tests/data/interop``) go into a fresh copy of
the default study; ``score --json`` then shows the measured leaf with n, interval and origin.
A conflict with quanheng's own measurement is made for real: a probe study measured against the
fake server (``tests/measure/fakeserver.py``) on a ``cn_knowledge`` task, then an import of the
same leaf.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from cli_run import run
from interop_files import (
    MODEL,
    fresh_study,
    inspect_log,
    lm_eval_ceval,
    lm_eval_gsm8k,
    opencompass_summary,
)

from tests.measure.fakeserver import FakeServer

HARNESS_FILES = [
    ("lm-eval", lm_eval_ceval, "P5.1", 0.7, 10),
    ("inspect", inspect_log, "P5.1", 0.6, 10),
    ("opencompass", opencompass_summary, "P5.2", 0.75, 8),
]


def _score_json(study: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    code, out, err = run(["score", str(study), "--json"], capsys)
    assert code == 0, err
    data: dict[str, object] = json.loads(out)
    return data


def _measured(data: dict[str, object], subject: str) -> dict[str, dict[str, object]]:
    subjects = data["subjects"]
    assert isinstance(subjects, list)
    return next(s["measured"] for s in subjects if s["id"] == subject)


@pytest.mark.parametrize(("harness", "file", "leaf", "value", "n"), HARNESS_FILES)
def test_an_import_shows_in_score_with_n_interval_and_origin_and_twice_is_a_no_op(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    harness: str,
    file: object,
    leaf: str,
    value: float,
    n: int,
) -> None:
    study = fresh_study(tmp_path)
    path: Path = file()  # type: ignore[operator]
    args = ["import", str(study), str(path), "--from", harness, "--subject", MODEL]
    code, out, err = run(args, capsys)
    assert (code, err) == (0, "")
    assert f"imported {path}" in out and f"{leaf} " in out and f"n = {n}" in out
    cell = _measured(_score_json(study, capsys), MODEL)[leaf]
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    assert (cell["value"], cell["n"]) == (value, n)
    assert cell["low"] < value <= cell["high"]  # type: ignore[operator]
    origin = cell["origin"]
    assert isinstance(origin, dict)
    assert (origin["harness"], origin["sha256"], origin["file"]) == (harness, sha, path.name)
    assert cell["provenance"] == [f"import:{sha[:12]}"]

    code, out, err = run(args, capsys)
    assert (code, err) == (0, "")
    assert f"{path}: already imported (sha256 {sha[:12]}, for {MODEL}); nothing changed" in out
    assert _measured(_score_json(study, capsys), MODEL)[leaf] == cell


def test_score_and_runs_name_imported_values_and_their_origin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    study = fresh_study(tmp_path)
    run(
        ["import", str(study), str(lm_eval_gsm8k()), "--from", "lm-eval", "--subject", MODEL],
        capsys,
    )
    code, out, _ = run(["score", str(study)], capsys)
    assert code == 0
    line = next(x for x in out.splitlines() if f"{MODEL} P5.2:" in x)
    assert "0.750 [" in line and "n=8" in line and "lm-eval 0.4.13 task gsm8k_offline" in line
    sha = hashlib.sha256(lm_eval_gsm8k().read_bytes()).hexdigest()
    code, out, _ = run(["runs", str(study)], capsys)
    assert code == 0 and "Imported results files (quanheng import)" in out
    assert f"import:{sha[:12]}" in out  # the provenance id score --json gives


PROBE_STUDY = """\
format: quanheng/study@1
id: probe-study
title: {{zh: 探针, en: Probe}}
framework: cn-llm-vendor-2024
unknown_gate: flag
evidence: []
subjects:
  - {{id: acme, name: {{zh: 甲, en: Acme}}}}
  - id: probe
    kind: model
    vendor: acme
    name: {{zh: 探针模型, en: Probe model}}
    endpoint: {{base_url: "{url}", model: probe, max_retries: 0, timeout_s: 10}}
measure:
  suites: [suites/probe]
"""

PROBE_SUITE = """\
format: quanheng/suite@1
id: probe
name: {zh: 探针, en: Probe}
description: {en: "Four questions the fake server answers B to."}
licence: "test data"
authors: tests
tasks:
  - id: cn_knowledge
    dataset: {format: quanheng, path: items.jsonl}
    template: {name: multiple_choice, args: {lang: en, shots: 0}}
    scorer: {name: choice}
    metrics: [cn_knowledge.accuracy]
"""


def _measured_probe(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """The probe study, measured: cn_knowledge.accuracy 0.75 over 4 items (P5.1)."""
    study = tmp_path / "probe"
    suite = study / "suites" / "probe"
    suite.mkdir(parents=True)
    (suite / "suite.yaml").write_text(textwrap.dedent(PROBE_SUITE), encoding="utf-8")
    items = [
        {
            "id": f"q{i}",
            "fields": {"question": f"question {i} <answer:B>", "choices": ["w", "x", "y", "z"]},
            "target": "C" if i == 3 else "B",
        }
        for i in range(4)
    ]
    (suite / "items.jsonl").write_text("".join(json.dumps(r) + "\n" for r in items))
    with FakeServer() as server:
        (study / "study.yaml").write_text(PROBE_STUDY.format(url=server.url), encoding="utf-8")
        code, _, err = run(["measure", str(study)], capsys)
    assert code == 0, err
    return study


def test_a_conflict_with_an_own_measurement_is_shown_and_the_own_run_wins(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    study = _measured_probe(tmp_path, capsys)
    own = _measured(_score_json(study, capsys), "probe")["P5.1"]
    assert own["value"] == 0.75 and "conflicts" not in own
    args = ["import", str(study), str(lm_eval_ceval()), "--from", "lm-eval", "--subject", "probe"]
    code, out, _ = run(args, capsys)
    assert code == 0
    assert "conflict: probe P5.1 has 2 measurements, not merged; shown: 0.750" in out
    assert "(quanheng's own run comes first)" in out and "also 0.700" in out
    cell = _measured(_score_json(study, capsys), "probe")["P5.1"]
    assert (cell["value"], cell["origin"], cell["n"]) == (0.75, "run", 4)
    (other,) = cell["conflicts"]  # type: ignore[misc]
    assert other["value"] == 0.7 and other["origin"]["harness"] == "lm-eval"

    # --prefer imported: the next import of the leaf wins over the own run
    args = ["import", str(study), str(inspect_log()), "--from", "inspect", "--subject", "probe"]
    code, out, _ = run([*args, "--prefer", "imported"], capsys)
    assert code == 0 and "(imported with --prefer imported)" in out
    cell = _measured(_score_json(study, capsys), "probe")["P5.1"]
    assert cell["value"] == 0.6 and cell["origin"]["preferred"] is True  # type: ignore[index]
    assert sorted(c["value"] for c in cell["conflicts"]) == [0.7, 0.75]  # type: ignore[union-attr]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_export_round_trips_and_matches_score_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    study = fresh_study(tmp_path)
    run(
        ["import", str(study), str(lm_eval_ceval()), "--from", "lm-eval", "--subject", MODEL],
        capsys,
    )
    out_file = tmp_path / f"export.{fmt}"
    code, out, err = run(["export", str(study), "--format", fmt, "--out", str(out_file)], capsys)
    assert (code, err) == (0, "") and f"wrote {out_file}" in out
    frame = {
        "jsonl": lambda p: pd.read_json(p, lines=True),
        "csv": pd.read_csv,
        "parquet": pd.read_parquet,
    }[fmt](out_file)
    card = _score_json(study, capsys)
    subjects = card["subjects"]
    assert isinstance(subjects, list)
    scores = frame[frame["record"] == "score"]
    for subject in subjects:
        mine = scores[scores["subject"] == subject["id"]].set_index("node")
        for node, value in subject["scores"].items():
            got = mine.loc[node, "score"]
            assert (pd.isna(got) and value is None) or got == pytest.approx(value)
        assert len(mine) == len(subject["scores"])
    measured = frame[frame["record"] == "measured"]
    row = measured[measured["subject"] == MODEL].iloc[0]
    cell = _measured(card, MODEL)["P5.1"]
    assert (row["node"], row["n"]) == ("P5.1", cell["n"])
    assert [row["value"], row["low"], row["high"]] == pytest.approx(
        [cell["value"], cell["low"], cell["high"]], abs=1e-12
    )
    assert row["sha256"] == cell["origin"]["sha256"]  # type: ignore[index]


def test_export_to_the_terminal_and_parquet_needs_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    study = fresh_study(tmp_path)
    code, out, _ = run(["export", str(study), "--format", "csv"], capsys)
    assert code == 0 and out.startswith("format,record,study,")
    code, out, err = run(["export", str(study), "--format", "parquet"], capsys)
    assert code == 2 and err.strip() == (
        "--out: Parquet is binary and is not written to the terminal — give --out FILE.parquet"
    )


def _bad(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


BAD_FILES = [
    ("lm-eval", "results_x.json", "<html>", "not JSON"),
    ("lm-eval", "results_y.json", '{"a": 1}', "not an lm-eval results file"),
    ("inspect", "x.eval", "{}", "not an inspect_ai log"),
    ("opencompass", "s.csv", "a,b\n1,2\n", "not an OpenCompass summary"),
    (
        "lm-eval",
        "results_z.json",
        json.dumps({"results": {"my_exam": {"acc,none": 0.5}}}),
        "nothing to import (task my_exam: no mapping)",
    ),
]


def test_a_bad_file_is_one_line_exit_2_and_nothing_stored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    study = fresh_study(tmp_path)
    good = ["import", str(study), str(lm_eval_gsm8k()), "--from", "lm-eval", "--subject", MODEL]
    assert run(good, capsys)[0] == 0
    for harness, name, text, message in BAD_FILES:
        bad = tmp_path / name
        bad.write_text(text, encoding="utf-8")
        args = ["import", str(study), str(bad), "--from", harness, "--subject", MODEL]
        code, out, err = run(args, capsys)
        (line,) = err.strip().splitlines()
        assert code == 2 and line.startswith(f"{bad}") and message in line and " — " in line
        assert "Traceback" not in out + err
    with sqlite3.connect(study / "runs" / "runs.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM imports").fetchone()[0] == 1  # the first one


def test_an_unknown_subject_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    study = fresh_study(tmp_path)
    args = ["import", str(study), str(lm_eval_ceval()), "--from", "lm-eval", "--subject", "baidoo"]
    code, _, err = run(args, capsys)
    assert code == 2
    assert err.strip().startswith("--subject: no subject 'baidoo' in study cn-llm-vendors-2024")
    assert "did you mean 'baidu'?" in err and not (study / "runs").exists()
