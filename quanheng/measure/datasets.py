"""Datasets: local files turned into :class:`Item` records, lazily and with file:line errors.

Nothing is ever downloaded: every loader reads a copy the user already has (or a built-in suite
file). Loaders are generators so a 100k-row file costs one row of memory at a time, and every
row that cannot become an item raises one :class:`~quanheng.errors.MeasureInputError` line —
``file:line: what is wrong — what to do``. :func:`check_dataset` reads the whole file and reports
every bad row at once, for ``validate`` commands.

Formats (``DatasetSpec.format``):

* ``quanheng`` — our own JSONL, one :class:`Item` per line (the built-in suites use it).
* ``jsonl`` / ``csv`` — any file plus a field mapping (user's column → our field); the fields
  ``id`` and ``target`` are taken out of the mapped record, everything else stays in ``fields``.
* ``ceval`` / ``cmmlu`` — CSV with ``id?, question, A, B, C, D, answer[, explanation]``.
* ``mmlu`` — CSV without header ``question, A, B, C, D, answer`` or JSONL with a ``choices`` list.
* ``gsm8k`` — JSONL ``question``, ``answer`` whose last line is ``#### 42``.
* ``humaneval`` — JSONL ``task_id, prompt, canonical_solution, test, entry_point``.
"""

from __future__ import annotations

import csv
import itertools
import json
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from quanheng.errors import MeasureInputError, Problem

__all__ = [
    "DATASET_FORMATS",
    "DatasetSpec",
    "Item",
    "check_dataset",
    "choice_letters",
    "iter_dataset",
    "load_ceval",
    "load_cmmlu",
    "load_csv",
    "load_gsm8k",
    "load_humaneval",
    "load_items",
    "load_jsonl",
    "load_mmlu",
]

LETTERS = "ABCDEFGHIJ"


def choice_letters(n: int) -> str:
    """The option letters for ``n`` choices (``ABCD`` for four)."""
    return LETTERS[:n]


class Item(BaseModel):
    """One question of a dataset, independent of how it is prompted or scored.

    Attributes:
        id: stable identifier; run records are keyed by it, so it must not change between runs.
        fields: the inputs a template needs (``question``, ``choices``, ``prompt``, ``test``…).
        target: the reference answer as text (a letter, a number, ``refuse``/``comply``) or
            ``None`` where the scorer needs no single target (code tests, judge rubrics).
        metadata: where the item came from (``source``, ``line``) and labels such as subject.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1)
    fields: dict[str, Any] = Field(default_factory=dict)
    target: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)

    def replace(self, **changes: Any) -> Item:
        """A modified copy (the item itself never changes)."""
        return self.model_copy(update=changes)


class DatasetSpec(BaseModel):
    """How to read a dataset, recorded with every result so it can be read the same way again.

    Attributes:
        format: one of :data:`DATASET_FORMATS`.
        path: the file; relative paths are resolved against the suite directory.
        fields: field mapping, user's column → our field (``jsonl``/``csv`` and overrides).
        id_prefix: prefix for generated ids when the file has none.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: str = "quanheng"
    path: str
    fields: dict[str, str] = Field(default_factory=dict)
    id_prefix: str | None = None


_Row = Item | Problem
_FIX_UTF8 = "save the file as UTF-8"


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _raise_first(rows: Iterator[_Row]) -> Iterator[Item]:
    for row in rows:
        if isinstance(row, Problem):
            raise MeasureInputError(row)
        yield row


def _json_lines(path: Path) -> Iterator[tuple[int, Any] | Problem]:
    name = _display(path)
    try:
        handle = path.open(encoding="utf-8-sig")
    except OSError as exc:
        yield Problem(name, None, f"cannot open dataset ({exc.strerror})", "check the path")
        return
    with handle:
        try:
            for line_no, raw in enumerate(handle, start=1):
                if not raw.strip():
                    continue
                try:
                    yield line_no, json.loads(raw)
                except json.JSONDecodeError as exc:
                    yield Problem(
                        name, line_no, f"not valid JSON ({exc.msg})", "write one JSON object a line"
                    )
        except UnicodeDecodeError as exc:
            yield Problem(name, None, f"not UTF-8 text ({exc.reason})", _FIX_UTF8)


def _csv_rows(path: Path) -> Iterator[tuple[int, list[str]] | Problem]:
    name = _display(path)
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        yield Problem(name, None, f"cannot open dataset ({exc.strerror})", "check the path")
        return
    with handle:
        reader = csv.reader(handle)
        start = 1
        try:
            for record in reader:
                line = start
                start = reader.line_num + 1
                if any(cell.strip() for cell in record):
                    yield line, record
        except csv.Error as exc:
            yield Problem(name, reader.line_num, f"CSV does not parse ({exc})", "fix the quoting")
        except UnicodeDecodeError as exc:
            yield Problem(name, None, f"not UTF-8 text ({exc.reason})", _FIX_UTF8)


def _mapped(record: Mapping[str, Any], mapping: Mapping[str, str]) -> dict[str, Any]:
    return {mapping.get(k, k): v for k, v in record.items()}


def _generic(
    records: Iterator[tuple[int, dict[str, Any]] | Problem],
    path: Path,
    mapping: Mapping[str, str],
    id_prefix: str | None,
) -> Iterator[_Row]:
    name = _display(path)
    prefix = id_prefix if id_prefix is not None else f"{path.stem}-"
    for n, rec in enumerate(records, start=1):
        if isinstance(rec, Problem):
            yield rec
            continue
        line, raw = rec
        fields = _mapped(raw, mapping)
        item_id = fields.pop("id", None)
        target = fields.pop("target", None)
        yield Item(
            id=str(item_id) if item_id not in (None, "") else f"{prefix}{n}",
            fields=fields,
            target=None if target is None else str(target).strip(),
            metadata={"source": name, "line": line},
        )


def _dict_records(path: Path) -> Iterator[tuple[int, dict[str, Any]] | Problem]:
    name = _display(path)
    for rec in _json_lines(path):
        if isinstance(rec, Problem):
            yield rec
        elif not isinstance(rec[1], dict):
            yield Problem(name, rec[0], "line is not a JSON object", "write one object per line")
        else:
            yield rec[0], rec[1]


def _csv_dicts(path: Path) -> Iterator[tuple[int, dict[str, Any]] | Problem]:
    name = _display(path)
    header: list[str] | None = None
    for rec in _csv_rows(path):
        if isinstance(rec, Problem):
            yield rec
            continue
        line, cells = rec
        if header is None:
            header = [h.strip() for h in cells]
            continue
        if len(cells) != len(header):
            yield Problem(
                name,
                line,
                f"row has {len(cells)} cells but the header has {len(header)}",
                "quote cells that contain commas and give every column",
            )
            continue
        yield line, {h: c.strip() for h, c in zip(header, cells, strict=True)}


def _rows_jsonl(path: Path, mapping: Mapping[str, str], id_prefix: str | None) -> Iterator[_Row]:
    return _generic(_dict_records(path), path, mapping, id_prefix)


def _rows_csv(path: Path, mapping: Mapping[str, str], id_prefix: str | None) -> Iterator[_Row]:
    return _generic(_csv_dicts(path), path, mapping, id_prefix)


def _rows_quanheng(path: Path, mapping: Mapping[str, str], id_prefix: str | None) -> Iterator[_Row]:
    name = _display(path)
    for rec in _dict_records(path):
        if isinstance(rec, Problem):
            yield rec
            continue
        line, raw = rec
        try:
            item = Item.model_validate(raw)
        except ValidationError as exc:
            err = exc.errors(include_url=False)[0]
            where = ".".join(str(p) for p in err["loc"]) or "(item)"
            yield Problem(name, line, f"{where}: {err['msg']}", "fix the item (see Item fields)")
            continue
        fields = _mapped(item.fields, mapping) if mapping else item.fields
        yield item.replace(fields=fields, metadata={"source": name, "line": line, **item.metadata})


def _choice_item(
    name: str,
    line: int,
    item_id: str,
    question: str,
    choices: list[str],
    answer: str,
    extra: dict[str, Any],
) -> _Row:
    letters = choice_letters(len(choices))
    answer = answer.strip().upper()
    if answer.isdigit() and int(answer) < len(choices):
        answer = letters[int(answer)]
    if not question.strip():
        return Problem(name, line, "question is empty", "fill in the question or drop the row")
    if answer not in letters or not answer:
        return Problem(
            name,
            line,
            f"answer {answer!r} is not one of {', '.join(letters)}",
            "write the correct option's letter (or its 0-based index)",
        )
    return Item(
        id=item_id,
        fields={"question": question.strip(), "choices": [c.strip() for c in choices], **extra},
        target=answer,
        metadata={"source": name, "line": line},
    )


def _rows_ceval(path: Path, mapping: Mapping[str, str], id_prefix: str | None) -> Iterator[_Row]:
    name = _display(path)
    prefix = id_prefix if id_prefix is not None else f"{path.stem}-"
    wanted = ("question", "a", "b", "c", "d", "answer")
    for n, rec in enumerate(_csv_dicts(path), start=1):
        if isinstance(rec, Problem):
            yield rec
            continue
        line, raw = rec
        row = {mapping.get(k, k).strip().lower(): v for k, v in raw.items()}
        missing = [c for c in wanted if c not in row]
        if missing:
            yield Problem(
                name,
                line,
                f"columns {', '.join(missing)} are missing (C-Eval/CMMLU layout)",
                "give the header id,question,A,B,C,D,answer[,explanation] or map your columns",
            )
            return
        rid = row.get("id") or row.get("") or ""
        extra = {"explanation": row["explanation"]} if row.get("explanation") else {}
        yield _choice_item(
            name,
            line,
            f"{prefix}{rid}" if rid else f"{prefix}{n}",
            row["question"],
            [row["a"], row["b"], row["c"], row["d"]],
            row["answer"],
            extra,
        )


def _rows_mmlu(path: Path, mapping: Mapping[str, str], id_prefix: str | None) -> Iterator[_Row]:
    name = _display(path)
    prefix = id_prefix if id_prefix is not None else f"{path.stem}-"
    if path.suffix.lower() in (".jsonl", ".json"):
        for n, rec in enumerate(_dict_records(path), start=1):
            if isinstance(rec, Problem):
                yield rec
                continue
            line, raw = rec
            row = _mapped(raw, mapping)
            choices = row.get("choices")
            if not isinstance(choices, list) or len(choices) < 2:
                yield Problem(
                    name, line, "choices must be a list of 2 or more options", "fix the row"
                )
                continue
            extra = {"subject": row["subject"]} if row.get("subject") else {}
            yield _choice_item(
                name,
                line,
                str(row.get("id") or f"{prefix}{n}"),
                str(row.get("question", "")),
                [str(c) for c in choices],
                str(row.get("answer", "")),
                extra,
            )
        return
    for n, cells in enumerate(_csv_rows(path), start=1):
        if isinstance(cells, Problem):
            yield cells
            continue
        line, rowc = cells
        if len(rowc) < 4:
            yield Problem(
                name,
                line,
                f"row has {len(rowc)} cells; MMLU rows are question, options…, answer",
                "give at least question, two options and the answer letter",
            )
            continue
        yield _choice_item(name, line, f"{prefix}{n}", rowc[0], rowc[1:-1], rowc[-1], {})


_GSM_FINAL = re.compile(r"####\s*(.+?)\s*$")


def _rows_gsm8k(path: Path, mapping: Mapping[str, str], id_prefix: str | None) -> Iterator[_Row]:
    name = _display(path)
    prefix = id_prefix if id_prefix is not None else f"{path.stem}-"
    for n, rec in enumerate(_dict_records(path), start=1):
        if isinstance(rec, Problem):
            yield rec
            continue
        line, raw = rec
        row = _mapped(raw, mapping)
        question, answer = row.get("question"), row.get("answer")
        if not isinstance(question, str) or not isinstance(answer, str):
            yield Problem(
                name, line, "question and answer must both be strings", "fix the row (GSM8K)"
            )
            continue
        final = _GSM_FINAL.search(answer.strip())
        if final is None:
            yield Problem(
                name,
                line,
                "answer has no final line '#### <number>'",
                "end the answer with '#### 42' (GSM8K layout)",
            )
            continue
        yield Item(
            id=str(row.get("id") or f"{prefix}{n}"),
            fields={"question": question, "solution": answer},
            target=final.group(1).replace(",", "").strip(),
            metadata={"source": name, "line": line},
        )


_HUMANEVAL_KEYS = ("task_id", "prompt", "test", "entry_point")


def _rows_humaneval(
    path: Path, mapping: Mapping[str, str], id_prefix: str | None
) -> Iterator[_Row]:
    name = _display(path)
    for rec in _dict_records(path):
        if isinstance(rec, Problem):
            yield rec
            continue
        line, raw = rec
        row = _mapped(raw, mapping)
        missing = [k for k in _HUMANEVAL_KEYS if not isinstance(row.get(k), str)]
        if missing:
            yield Problem(
                name,
                line,
                f"fields {', '.join(missing)} are missing or not strings",
                "give task_id, prompt, canonical_solution, test, entry_point (HumanEval layout)",
            )
            continue
        yield Item(
            id=f"{id_prefix or ''}{row['task_id']}",
            fields={
                "prompt": row["prompt"],
                "test": row["test"],
                "entry_point": row["entry_point"],
                "canonical_solution": row.get("canonical_solution") or "",
            },
            target=None,
            metadata={"source": name, "line": line},
        )


_Reader = Callable[[Path, Mapping[str, str], str | None], Iterator[_Row]]

_READERS: dict[str, _Reader] = {
    "quanheng": _rows_quanheng,
    "jsonl": _rows_jsonl,
    "csv": _rows_csv,
    "ceval": _rows_ceval,
    "cmmlu": _rows_ceval,
    "mmlu": _rows_mmlu,
    "gsm8k": _rows_gsm8k,
    "humaneval": _rows_humaneval,
}

DATASET_FORMATS: tuple[str, ...] = tuple(sorted(_READERS))
"""The names :class:`DatasetSpec.format` accepts."""


def _reader(fmt: str) -> _Reader:
    try:
        return _READERS[fmt]
    except KeyError:
        raise MeasureInputError.single(
            "<dataset>",
            None,
            f"unknown dataset format {fmt!r}",
            f"use one of {', '.join(DATASET_FORMATS)}",
        ) from None


def _rows(spec: DatasetSpec, base: Path | None) -> Iterator[_Row]:
    path = Path(spec.path)
    if base is not None and not path.is_absolute():
        path = base / path
    return _reader(spec.format)(path, spec.fields, spec.id_prefix)


def iter_dataset(
    spec: DatasetSpec, *, base: Path | None = None, limit: int | None = None
) -> Iterator[Item]:
    """Items of a dataset, lazily; the first bad row raises :class:`MeasureInputError`.

    Args:
        spec: format, path and field mapping.
        base: directory that relative paths are resolved against (the suite directory).
        limit: stop after this many items (a demo slice).
    """
    items = _raise_first(_rows(spec, base))
    return itertools.islice(items, limit) if limit is not None else items


def check_dataset(spec: DatasetSpec, *, base: Path | None = None) -> int:
    """Read the whole dataset; raise one error listing every bad row, else return the count.

    Also reports duplicate ids, because run records are keyed by item id.
    """
    problems: list[Problem] = []
    seen: dict[str, int | None] = {}
    count = 0
    for row in _rows(spec, base):
        if isinstance(row, Problem):
            problems.append(row)
            continue
        count += 1
        line = row.metadata.get("line")
        if row.id in seen:
            problems.append(
                Problem(
                    str(row.metadata.get("source", spec.path)),
                    line if isinstance(line, int) else None,
                    f"id {row.id!r} repeats the id on line {seen[row.id]}",
                    "give every item a unique id",
                )
            )
        seen[row.id] = line if isinstance(line, int) else None
    if problems:
        raise MeasureInputError(problems)
    return count


def load_items(path: Path | str, *, limit: int | None = None) -> Iterator[Item]:
    """Items from quanheng's own JSONL (one :class:`Item` object a line)."""
    return iter_dataset(DatasetSpec(format="quanheng", path=str(path)), limit=limit)


def load_jsonl(
    path: Path | str,
    fields: Mapping[str, str] | None = None,
    *,
    id_prefix: str | None = None,
    limit: int | None = None,
) -> Iterator[Item]:
    """Items from any JSONL; ``fields`` maps the user's keys to ours (``id``/``target`` special)."""
    spec = DatasetSpec(
        format="jsonl", path=str(path), fields=dict(fields or {}), id_prefix=id_prefix
    )
    return iter_dataset(spec, limit=limit)


def load_csv(
    path: Path | str,
    fields: Mapping[str, str] | None = None,
    *,
    id_prefix: str | None = None,
    limit: int | None = None,
) -> Iterator[Item]:
    """Items from any CSV with a header row, mapped as in :func:`load_jsonl`."""
    spec = DatasetSpec(format="csv", path=str(path), fields=dict(fields or {}), id_prefix=id_prefix)
    return iter_dataset(spec, limit=limit)


def load_ceval(path: Path | str, *, limit: int | None = None) -> Iterator[Item]:
    """Multiple-choice items from a C-Eval CSV (``id,question,A,B,C,D,answer[,explanation]``)."""
    return iter_dataset(DatasetSpec(format="ceval", path=str(path)), limit=limit)


def load_cmmlu(path: Path | str, *, limit: int | None = None) -> Iterator[Item]:
    """Multiple-choice items from a CMMLU CSV (``,Question,A,B,C,D,Answer``; case-insensitive)."""
    return iter_dataset(DatasetSpec(format="cmmlu", path=str(path)), limit=limit)


def load_mmlu(path: Path | str, *, limit: int | None = None) -> Iterator[Item]:
    """Items from an MMLU-style CSV without header, or JSONL with ``choices`` and ``answer``."""
    return iter_dataset(DatasetSpec(format="mmlu", path=str(path)), limit=limit)


def load_gsm8k(path: Path | str, *, limit: int | None = None) -> Iterator[Item]:
    """Math items from GSM8K JSONL; the target is the number after ``####``."""
    return iter_dataset(DatasetSpec(format="gsm8k", path=str(path)), limit=limit)


def load_humaneval(path: Path | str, *, limit: int | None = None) -> Iterator[Item]:
    """Code items from HumanEval JSONL (``prompt``, ``test``, ``entry_point``…)."""
    return iter_dataset(DatasetSpec(format="humaneval", path=str(path)), limit=limit)
