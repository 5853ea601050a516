"""Evidence: one sourced, quoted record per (subject, indicator or gate, analyst).

Every fact and every analyst score in a study is an :class:`EvidenceRecord` with a source and a
verbatim quote. Several records for one cell (several analysts, or several sources) are
consolidated into a :class:`Cell`: the median value, the spread kept as uncertainty, and the
records kept for provenance.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from quanheng._files import (
    LocatedDict,
    LocatedList,
    display_path,
    problems_from_validation,
    read_csv,
    read_yaml,
)
from quanheng.errors import EvidenceError, Problem
from quanheng.text import Text

__all__ = [
    "EVIDENCE_FORMAT",
    "Cell",
    "EvidenceRecord",
    "Source",
    "consolidate",
    "load_evidence",
]

EVIDENCE_FORMAT = "quanheng/evidence@1"
CSV_COLUMNS = (
    "subject",
    "indicator",
    "value",
    "low",
    "high",
    "unit",
    "source_title",
    "source_url",
    "source_document",
    "source_date",
    "source_publisher",
    "quote",
    "analyst",
    "note",
)
CSV_REQUIRED = ("subject", "indicator", "value", "quote", "analyst")

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_LOOSE_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})(?:[-/.](\d{1,2}))?(?:[ T].*)?$")
# Nowhere on earth is it later than UTC+14: a date is "in the future" only past today there.
_EARLIEST_ZONE = dt.timezone(dt.timedelta(hours=14))


def today() -> dt.date:
    """Today's date where it is latest on earth (UTC+14): no source can be dated after it."""
    return dt.datetime.now(_EARLIEST_ZONE).date()


def check_date(value: str) -> str:
    """A source date as written: ``YYYY-MM-DD``, or ``YYYY-MM`` / ``YYYY`` when only that is known.

    Raises:
        PydanticCustomError: ``date_format`` for anything else ("last week", "2024/5/1"), with
            the ISO form when the text is a date written another way; ``date_future`` for a date
            after today.
    """
    match = _DATE.match(value)
    if match is None:
        loose = _LOOSE_DATE.match(value)
        hint = ""
        if loose is not None:
            y, m, d = loose.groups()
            hint = f"{y}-{int(m):02d}" + (f"-{int(d):02d}" if d else "")
        raise PydanticCustomError(
            "date_format",
            "{given} is not a date",
            {"given": repr(value), "hint": hint},
        )
    year, month, day = match.groups()
    try:
        first = dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise PydanticCustomError(
            "date_format",
            "{given} is not a date of the calendar",
            {"given": repr(value), "hint": ""},
        ) from None
    if first > today():
        raise PydanticCustomError(
            "date_future", "{given} is in the future", {"given": repr(value), "hint": ""}
        )
    return value


class Source(BaseModel):
    """Where a record comes from: a title plus a URL or a document reference."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str | None = None
    url: str | None = None
    document: str | None = None
    date: str | None = None
    publisher: str | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # `date: 2024` reads as a number in YAML
        if isinstance(value, dt.date):
            value = value.isoformat()
        if isinstance(value, str):
            return check_date(value.strip())
        return value

    @model_validator(mode="after")
    def _identifiable(self) -> Source:
        if not (self.title or self.document):
            raise ValueError("a source needs a title or a document reference")
        return self


class EvidenceRecord(BaseModel):
    """One sourced value for one cell (subject × leaf, or subject × gate)."""

    # A range bound of .inf or .nan would pass the ordering checks and poison every interval.
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    subject: str
    indicator: str
    value: bool | float
    range: tuple[float, float] | None = None
    unit: str | Text | None = None
    source: Source
    quote: str = Field(min_length=1)
    analyst: str = Field(min_length=1)
    note: str | Text | None = None
    """Free text, or ``{zh, en}`` so each report reads it in its own language."""
    file: str = ""
    line: int | None = None

    @field_validator("value", mode="before")
    @classmethod
    def _finite(cls, value: Any) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError("value must be a finite number")
        if isinstance(value, str):
            raise ValueError("value must be a number or true/false, not text")
        return value

    @model_validator(mode="after")
    def _range_holds(self) -> EvidenceRecord:
        if self.range is not None:
            low, high = self.range
            if low > high:
                raise ValueError(f"range [{low:g}, {high:g}]: low is above high")
            if isinstance(self.value, bool):
                raise ValueError("a true/false value cannot have a range")
            if not low <= self.value <= high:
                raise ValueError(f"range [{low:g}, {high:g}]: value {self.value:g} lies outside it")
        return self

    @property
    def ref(self) -> str:
        """``file:line`` of the record, for people."""
        return f"{self.file}:{self.line}" if self.line is not None else self.file

    @property
    def digest(self) -> str:
        """Content hash of what the record says (not where it sits), for reproducibility."""
        payload = self.model_dump(mode="json", exclude={"file", "line"})
        text = json.dumps(payload, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class Cell(BaseModel):
    """The consolidated evidence of one (subject, indicator) cell."""

    model_config = ConfigDict(frozen=True)

    subject: str
    indicator: str
    value: float
    low: float
    high: float
    spread: float
    status: Literal["agreed", "disputed"] = "agreed"
    records: tuple[EvidenceRecord, ...]

    @property
    def analysts(self) -> tuple[str, ...]:
        """Distinct analysts behind the cell."""
        return tuple(sorted({r.analyst for r in self.records}))


def consolidate(records: Iterable[EvidenceRecord]) -> dict[tuple[str, str], Cell]:
    """Group records by cell: median value, [min, max] over values and ranges, spread.

    A true/false cell whose records split evenly is ``disputed`` (its value is 0.5); callers
    treat a disputed gate as not passed.
    """
    groups: dict[tuple[str, str], list[EvidenceRecord]] = {}
    for rec in records:
        groups.setdefault((rec.subject, rec.indicator), []).append(rec)
    out: dict[tuple[str, str], Cell] = {}
    for key, recs in groups.items():
        values = sorted(float(r.value) for r in recs)
        n = len(values)
        median = values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2
        lows = [r.range[0] if r.range else float(r.value) for r in recs]
        highs = [r.range[1] if r.range else float(r.value) for r in recs]
        boolean = all(isinstance(r.value, bool) for r in recs)
        disputed = boolean and median == 0.5
        out[key] = Cell(
            subject=key[0],
            indicator=key[1],
            value=median,
            low=min(lows),
            high=max(highs),
            spread=values[-1] - values[0],
            status="disputed" if disputed else "agreed",
            records=tuple(recs),
        )
    return out


# --------------------------------------------------------------------------- loading


def load_evidence(paths: Sequence[Path]) -> tuple[tuple[EvidenceRecord, ...], list[Problem]]:
    """Read evidence files (YAML or CSV) and directories of them, sorted by name.

    Returns the records that parsed and one problem per record or file that did not, so a study
    can report every problem at once.
    """
    records: list[EvidenceRecord] = []
    problems: list[Problem] = []
    for path in _expand(paths, problems):
        try:
            if path.suffix.lower() == ".csv":
                got, bad = _from_csv(path)
            else:
                got, bad = _from_yaml(path)
        except EvidenceError as exc:
            problems.extend(exc.problems)
            continue
        records.extend(got)
        problems.extend(bad)
    return tuple(records), problems


def _expand(paths: Sequence[Path], problems: list[Problem]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(
                p for p in path.iterdir() if p.suffix.lower() in (".yaml", ".yml", ".csv")
            )
        elif path.exists():
            yield path
        else:
            problems.append(
                Problem(display_path(path), None, "evidence path not found", "check `evidence:`")
            )


def _from_yaml(path: Path) -> tuple[list[EvidenceRecord], list[Problem]]:
    file = display_path(path)
    data = read_yaml(path, EvidenceError)
    if not isinstance(data, LocatedDict) or data.get("format") != EVIDENCE_FORMAT:
        found = data.get("format") if isinstance(data, dict) else type(data).__name__
        line = data.key_lines.get("format", data.line) if isinstance(data, LocatedDict) else None
        raise EvidenceError.single(
            file,
            line,
            f"format is {found!r}, expected {EVIDENCE_FORMAT!r}",
            f"start the file with `format: {EVIDENCE_FORMAT}` and a `records:` list",
        )
    unknown = sorted(set(data) - {"format", "records"})
    problems = [
        Problem(file, data.key_lines[k], f"unknown top-level field {k!r}", "remove it")
        for k in unknown
    ]
    raw = data.get("records")
    if raw is None and "records" in data:
        return [], problems  # `records:` with every example still commented out: no records yet
    if not isinstance(raw, LocatedList):
        problems.append(
            Problem(
                file,
                data.key_lines.get("records", data.line),
                "records must be a list",
                "write `records:` followed by `- subject: ...` items",
            )
        )
        return [], problems
    records: list[EvidenceRecord] = []
    for i, item in enumerate(raw):
        line = raw.item_lines[i]
        if not isinstance(item, dict):
            problems.append(Problem(file, line, "a record must be a mapping", "see docs"))
            continue
        try:
            records.append(EvidenceRecord.model_validate({**item, "file": file, "line": line}))
        except ValidationError as exc:
            problems.extend(problems_from_validation(exc, raw, file, prefix=(i,)))
    return records, problems


def _from_csv(path: Path) -> tuple[list[EvidenceRecord], list[Problem]]:
    file = display_path(path)
    rows = read_csv(path, EvidenceError)
    problems: list[Problem] = []
    if rows:
        header = set(rows[0][1])
        missing = [c for c in CSV_REQUIRED if c not in header]
        unknown = sorted(header - set(CSV_COLUMNS))
        if missing or unknown:
            what = "; ".join(
                part
                for part in (
                    f"missing column(s) {', '.join(missing)}" if missing else "",
                    f"unknown column(s) {', '.join(unknown)}" if unknown else "",
                )
                if part
            )
            raise EvidenceError.single(file, 1, what, f"use the columns {', '.join(CSV_COLUMNS)}")
    records: list[EvidenceRecord] = []
    for line, row in rows:
        try:
            item = _csv_item(row)
            records.append(EvidenceRecord.model_validate({**item, "file": file, "line": line}))
        except ValueError as exc:
            problems.extend(_csv_problems(exc, file, line))
    return records, problems


def _csv_item(row: dict[str, str]) -> dict[str, Any]:
    def opt(name: str) -> str | None:
        return row.get(name) or None

    item: dict[str, Any] = {
        "subject": row["subject"],
        "indicator": row["indicator"],
        "value": _csv_value(row["value"]),
        "unit": opt("unit"),
        "quote": row["quote"],
        "analyst": row["analyst"],
        "note": opt("note"),
        "source": {
            k: v
            for k in ("title", "url", "document", "date", "publisher")
            if (v := opt(f"source_{k}")) is not None
        },
    }
    low, high = opt("low"), opt("high")
    if low is not None or high is not None:
        if low is None or high is None:
            raise ValueError("range: give both low and high, or neither")
        item["range"] = (_csv_number(low, "low"), _csv_number(high, "high"))
    return item


def _csv_value(text: str) -> bool | float | str:
    lowered = text.strip().lower()
    if lowered in ("true", "yes", "pass"):
        return True
    if lowered in ("false", "no", "fail"):
        return False
    try:
        return float(text.replace(",", "").replace("_", ""))
    except ValueError:
        return text


def _csv_number(text: str, field: str) -> float:
    try:
        return float(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise ValueError(f"{field}: {text!r} is not a number") from None


def _csv_problems(exc: ValueError, file: str, line: int) -> list[Problem]:
    if isinstance(exc, ValidationError):
        return problems_from_validation(exc, None, file, line=line)
    return [Problem(file, line, str(exc), "correct the cell")]
