"""``quanheng review``: list, accept, edit (--set, $EDITOR), reject; bad input: one line, exit 2."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from cli_run import run

from quanheng.cli.commands.review import interactive
from quanheng.curation import load_proposals, read_audit, write_proposals

MINI = Path(__file__).parent.parent / "data" / "mini"


@pytest.fixture
def study(tmp_path: Path) -> Path:
    dest = tmp_path / "mini"
    shutil.copytree(MINI, dest)
    return dest


def _record(subject: str, value: float, **extra: Any) -> dict[str, Any]:
    return {
        "subject": subject,
        "indicator": "A1.1",
        "value": value,
        "source": {"title": "Annual report", "date": "2024-03"},
        "quote": f"{subject} runs {value:g} sites",
        "analyst": "bot",
        **extra,
    }


def _queue(study: Path) -> list[str]:
    origin = {"tool": "extract", "document": "docs/annual.pdf", "offsets": [0, 10]}
    added = write_proposals(
        study,
        [
            (_record("s1", 11), {**origin, "offsets": [0, 10]}),
            (_record("s2", 22), {**origin, "offsets": [20, 30]}),
            (_record("s3", 33, quote=""), {**origin, "offsets": [40, 50]}),
        ],
        "annual",
    )
    return [p.id for p in added]


def test_lists_proposals_when_not_on_a_terminal(
    study: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = _queue(study)
    code, out, _ = run(["review", str(study)], capsys)
    assert code == 0
    lines = out.splitlines()
    assert [ln.split()[0] for ln in lines] == ids
    assert "proposed" in lines[0] and "s1  A1.1  11" in lines[0] and "docs/annual.pdf" in lines[0]
    code, out, _ = run(["review", str(study), "--status", "accepted"], capsys)
    assert code == 0 and out.strip() == "no proposals with status accepted"
    code, out, _ = run(["review", str(study), "--lang", "zh"], capsys)
    assert code == 0 and out.splitlines()[0].startswith(f"{ids[0]}  待审")
    code, out, _ = run(["review", str(study), "--accept", ids[0], "--lang", "zh"], capsys)
    assert code == 0 and out.strip() == f"已采纳：{ids[0]} s1 A1.1 = 11"


def test_accept_reject_and_edit_with_set(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b, c = _queue(study)
    code, out, err = run(["review", str(study), "--accept", a, "--who", "li"], capsys)
    assert (code, err) == (0, "") and out.strip() == f"accepted: {a} s1 A1.1 = 11"
    code, out, _ = run(["review", str(study), "--reject", b, "--reason", "wrong year"], capsys)
    assert code == 0 and out.startswith(f"rejected: {b}")
    code, out, _ = run(
        ["review", str(study), "--edit", c, "--set", "quote=s3 runs 33 sites", "--set",
         "value=34", "--set", "source.date=2024-04", "--who", "wang"],
        capsys,
    )  # fmt: skip
    assert code == 0 and out.strip() == f"accepted (edited): {c} s3 A1.1 = 34"
    code, out, _ = run(["score", str(study), "--json"], capsys)
    card = json.loads(out)
    raw = {s["id"]: s["raw"]["A1.1"] for s in card["subjects"]}
    assert raw["s1"] == pytest.approx((10 + 11) / 2) and raw["s3"] == pytest.approx((30 + 34) / 2)
    assert raw["s2"] == 20  # rejected: never scored
    assert [(e["action"], e["who"]) for e in read_audit(study)] == [
        ("accept", "li"),
        ("reject", _who()),
        ("accept", "wang"),
    ]
    assert read_audit(study)[2]["after"]["source"] == {"title": "Annual report", "date": "2024-04"}
    code, _, _ = run(["validate", str(study)], capsys)
    assert code == 0


def _who() -> str:
    import getpass

    return getpass.getuser()


def test_bad_input_is_one_line_exit_2(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b, c = _queue(study)
    cases = [
        (["--accept", "0000000000000000"], "no proposal has id '0000000000000000'"),
        (["--reject", a], "rejecting a proposal needs a reason"),
        (["--accept", c], f"proposal {c}: quote:"),
        (["--edit", b, "--set", "value=many"], "value: value must be a number"),
        (["--edit", b, "--set", "valu"], "'valu' is not FIELD=VALUE"),
        (["--set", "value=1"], "--set edits the record of --edit ID"),
        (["--status", "done"], "'done' is not a proposal status"),
    ]
    for args, message in cases:
        code, _, err = run(["review", str(study), *args], capsys)
        assert code == 2, args
        assert len(err.strip().splitlines()) == 1 and message in err, (args, err)
    assert [p.status for p in load_proposals(study)] == ["proposed"] * 3


def test_edit_in_editor(
    study: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _a, _b, c = _queue(study)
    script = tmp_path / "fake_editor.py"
    script.write_text(
        "import sys, pathlib\n"
        "p = pathlib.Path(sys.argv[1])\n"
        "p.write_text(p.read_text(encoding='utf-8').replace(\"quote: ''\", 'quote: fixed'),"
        " encoding='utf-8')\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.delenv("VISUAL", raising=False)
    code, out, err = run(["review", str(study), "--edit", c], capsys)
    assert (code, err) == (0, "") and out.startswith(f"accepted (edited): {c}")
    [done] = load_proposals(study, "accepted")
    assert done.decision is not None and done.decision["edited"] is True


def test_interactive_loop(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b, c = _queue(study)
    answers = iter(["a", "r", "duplicate of the 2023 figure", "a", "e", "q"])
    asked: list[str] = []

    def ask(prompt: str) -> str:
        asked.append(prompt)
        return next(answers)

    def fix(record: dict[str, Any]) -> dict[str, Any]:
        return {**record, "quote": "fixed quote"}

    interactive(study, "li", ask=ask, edit=fix)
    out, err = capsys.readouterr()
    assert "  subject:   s1" in out and "  origin:    extract docs/annual.pdf [0:10]" in out
    assert f"proposal {c}: quote:" in err  # 'a' on the invalid one: asked again, then edited
    status = {p.id: p.status for p in load_proposals(study)}
    assert status == {a: "accepted", b: "rejected", c: "accepted"}
    assert asked.count("reason: ") == 1
