"""Dataset loaders: standard layouts, field mapping, laziness and file:line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quanheng.errors import MeasureInputError
from quanheng.measure.datasets import (
    DatasetSpec,
    check_dataset,
    iter_dataset,
    load_ceval,
    load_cmmlu,
    load_csv,
    load_gsm8k,
    load_humaneval,
    load_items,
    load_jsonl,
    load_mmlu,
)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_ceval_csv(tmp_path: Path) -> None:
    f = _write(
        tmp_path / "law_dev.csv",
        "id,question,A,B,C,D,answer,explanation\n0,成年年龄是？,16,18,20,22,B,民法典规定\n",
    )
    (item,) = load_ceval(f)
    assert item.id == "law_dev-0"
    assert item.fields["choices"] == ["16", "18", "20", "22"]
    assert item.target == "B"
    assert item.fields["explanation"] == "民法典规定"


def test_cmmlu_csv_with_unnamed_index_column(tmp_path: Path) -> None:
    f = _write(tmp_path / "x.csv", ",Question,A,B,C,D,Answer\n0,问?,a,b,c,d,D\n1,问2?,a,b,c,d,A\n")
    items = list(load_cmmlu(f))
    assert [i.target for i in items] == ["D", "A"]
    assert items[1].id == "x-1"


def test_mmlu_csv_without_header_and_jsonl(tmp_path: Path) -> None:
    f = _write(tmp_path / "m.csv", "What is 2+2?,3,4,5,6,B\n")
    (item,) = load_mmlu(f)
    assert item.target == "B" and item.fields["question"] == "What is 2+2?"
    j = _write(
        tmp_path / "m.jsonl",
        json.dumps({"question": "Q?", "choices": ["w", "x", "y", "z"], "answer": 2}) + "\n",
    )
    (item,) = load_mmlu(j)
    assert item.target == "C"


def test_gsm8k_final_answer(tmp_path: Path) -> None:
    f = _write(
        tmp_path / "g.jsonl",
        json.dumps({"question": "Q", "answer": "3 + 4 = 7\n#### 1,007"}) + "\n",
    )
    (item,) = load_gsm8k(f)
    assert item.target == "1007"
    assert item.fields["solution"].endswith("#### 1,007")


def test_humaneval(tmp_path: Path) -> None:
    row = {
        "task_id": "HumanEval/0",
        "prompt": "def f(x):\n",
        "canonical_solution": "    return x\n",
        "test": "def check(c):\n    assert c(1) == 1\n",
        "entry_point": "f",
    }
    f = _write(tmp_path / "h.jsonl", json.dumps(row) + "\n")
    (item,) = load_humaneval(f)
    assert item.id == "HumanEval/0" and item.fields["entry_point"] == "f"


def test_generic_mapping(tmp_path: Path) -> None:
    f = _write(tmp_path / "d.jsonl", json.dumps({"q": "hi", "gold": "42", "key": "k1"}) + "\n")
    (item,) = load_jsonl(f, {"q": "question", "gold": "target", "key": "id"})
    assert (item.id, item.target, item.fields) == ("k1", "42", {"question": "hi"})
    c = _write(tmp_path / "d.csv", "prompt,label\nhello,yes\n")
    (row,) = load_csv(c, {"label": "target"})
    assert row.target == "yes" and row.fields == {"prompt": "hello"} and row.id == "d-1"


def test_bad_row_gives_file_and_line(tmp_path: Path) -> None:
    f = _write(tmp_path / "bad.csv", "question,A,B,C,D,answer\nq,a,b,c,d,A\nq2,a,b,c,d,E\n")
    with pytest.raises(MeasureInputError) as err:
        list(load_ceval(f))
    (line,) = err.value.lines()
    assert "bad.csv:3:" in line and "'E'" in line and " — " in line


def test_bad_json_and_missing_gsm8k_marker(tmp_path: Path) -> None:
    f = _write(tmp_path / "g.jsonl", '{"question": "q", "answer": "7"}\n{not json\n')
    with pytest.raises(MeasureInputError) as err:
        check_dataset(DatasetSpec(format="gsm8k", path=str(f)))
    lines = err.value.lines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{f}:1:") or ":1:" in lines[0]
    assert ":2:" in lines[1] and "JSON" in lines[1]


def test_duplicate_ids_reported(tmp_path: Path) -> None:
    row = json.dumps({"id": "a", "fields": {}, "target": None})
    f = _write(tmp_path / "i.jsonl", f"{row}\n{row}\n")
    with pytest.raises(MeasureInputError, match="repeats"):
        check_dataset(DatasetSpec(path=str(f)))


def test_unknown_format() -> None:
    with pytest.raises(MeasureInputError, match="unknown dataset format"):
        list(iter_dataset(DatasetSpec(format="parquet", path="x")))


def test_lazy_and_limit(tmp_path: Path) -> None:
    f = tmp_path / "big.jsonl"
    with f.open("w", encoding="utf-8") as fh:
        for i in range(100_000):
            fh.write(json.dumps({"id": f"i{i}", "fields": {"q": i}}) + "\n")
        fh.write("{broken\n")
    it = load_items(f)
    first = next(it)  # reading one item does not parse (or fail on) the rest
    assert first.id == "i0"
    assert [i.id for i in load_items(f, limit=3)] == ["i0", "i1", "i2"]


def test_item_is_frozen() -> None:
    from pydantic import ValidationError

    from quanheng.measure.datasets import Item

    item = Item(id="x", target="A")
    with pytest.raises(ValidationError):
        item.id = "y"  # type: ignore[misc]
    assert item.replace(target="B").target == "B" and item.target == "A"
