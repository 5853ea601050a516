"""The CLI commands, run in-process as a user would type them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml
from cli_run import run

MINI = Path(__file__).parent.parent / "data" / "mini"


def test_score_prints_ranking_and_screened_out(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["score", str(MINI)], capsys)
    assert code == 0
    lines = out.splitlines()
    one = next(line for line in lines if "│ One " in line)
    assert "0.790" in one and "100%" in one
    assert "Outsider (out): fails market" in out
    assert "“out does not sell here”" in out


def test_score_json_is_the_scorecard(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["score", str(MINI), "--profile", "beta-heavy", "--json"], capsys)
    assert code == 0
    card = json.loads(out)
    assert card["profile"] == "beta-heavy"
    by_id = {s["id"]: s for s in card["subjects"]}
    # beta-heavy: A 0.25, B 0.75 → s1 = .25 * .65 + .75 * 1.0
    assert by_id["s1"]["overall"] == pytest.approx(0.25 * 0.65 + 0.75)
    assert by_id["out"]["status"] == "excluded" and by_id["out"]["rank"] is None
    assert by_id["m1"]["overall"] is None and by_id["m1"]["coverage"] == 0.0


def test_score_geometric_and_worst(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(["score", str(MINI), "--json", "--missing", "worst"], capsys)
    s3 = next(s for s in json.loads(out)["subjects"] if s["id"] == "s3")
    # worst: A1.2 and B1.2 count as 0 → A1 = .5, A = .5*.5 + .5*.45, B = 0
    assert s3["scores"]["A"] == pytest.approx(0.475)
    assert s3["coverage"] == pytest.approx(0.65)
    _, out, _ = run(["score", str(MINI), "--json", "--aggregation", "geometric"], capsys)
    assert json.loads(out)["settings"]["aggregation"] == "geometric"


def test_unknown_profile_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["score", str(MINI), "--profile", "nope"], capsys)
    assert code == 2
    assert err.strip().endswith("profile 'nope' is not defined — use one of: default, beta-heavy")


def test_bad_option_value_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["score", str(MINI), "--missing", "zero"], capsys)
    assert code == 2
    assert err.strip() == (
        "--missing: 'zero' is not one of 'drop', 'worst', 'median' — see quanheng score --help"
    )


def test_missing_study_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["score", str(tmp_path / "none")], capsys)
    assert code == 2
    assert "no study.yaml here — give a study directory that contains study.yaml" in err


def test_show_prints_tree_with_weights(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["show", str(MINI / "framework.yaml")], capsys)
    assert code == 0
    assert "A  Alpha  w=0.6" in out
    assert "B1.1  Price  w=0.5  fact log_minmax ↓" in out
    code, out, _ = run(["show", str(MINI), "--lang", "zh"], capsys)
    assert "A  甲  权重=0.6" in out


def test_schema_validates_the_files_it_describes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["schema"], capsys)
    assert code == 0
    schemas = json.loads(out)
    assert set(schemas) == {
        "quanheng/framework@1",
        "quanheng/study@1",
        "quanheng/evidence@1",
    }
    for fmt, path in [
        ("quanheng/framework@1", MINI / "framework.yaml"),
        ("quanheng/study@1", MINI / "study.yaml"),
        ("quanheng/evidence@1", MINI / "evidence" / "facts.yaml"),
    ]:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data = json.loads(json.dumps(data, default=str))  # YAML dates → strings
        jsonschema.validate(data, schemas[fmt])
    bad = yaml.safe_load((MINI / "study.yaml").read_text(encoding="utf-8"))
    bad["subjects"][0]["colour"] = "red"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schemas["quanheng/study@1"])


def test_schema_single_and_unknown(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["schema", "study"], capsys)
    assert code == 0 and json.loads(out)["$id"] == "urn:quanheng/study@1"
    code, _, err = run(["schema", "nonsense"], capsys)
    assert code == 2 and "unknown format 'nonsense'" in err


def test_validate_framework_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["validate", str(MINI / "framework.yaml")], capsys)
    assert code == 0
    assert out.strip() == "ok: framework mini 1.0: 1 gate, 2 dimensions, 5 leaves"


def test_validate_evidence_file_points_to_study(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["validate", str(MINI / "evidence" / "facts.yaml")], capsys)
    assert code == 2
    assert "run `quanheng validate` on the study directory" in err


def test_flag_policy_ranks_failed_subjects_with_a_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "s"
    shutil.copytree(MINI, root)
    study = root / "study.yaml"
    study.write_text(
        study.read_text(encoding="utf-8").replace(
            "framework: framework.yaml", "framework: framework.yaml\ngate_policy: flag"
        ),
        encoding="utf-8",
    )
    _, out, _ = run(["score", str(root), "--json"], capsys)
    outsider = next(s for s in json.loads(out)["subjects"] if s["id"] == "out")
    assert outsider["status"] == "flagged"
    assert outsider["rank"] is not None
    assert outsider["reason"] == "fails market"


def test_the_cli_starts_without_the_heavy_stacks(tmp_path: Path) -> None:
    """`quanheng --help`, `validate`, `show` and `runs` stay quick: charts (matplotlib), the
    HTTP stacks (aiohttp, httpx) and pandas are imported by the commands that use them."""
    import subprocess
    import sys

    probe = (
        "import sys; from quanheng.cli import main\n"
        "try:\n    main(['show', sys.argv[1]])\nexcept SystemExit:\n    pass\n"
        "heavy = ('matplotlib', 'aiohttp', 'httpx', 'pandas', 'weasyprint', 'scipy')\n"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(MINI)],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout[-2000:]
