"""CSV evidence rows edited in place: one row's lines change, every other byte stays.

The rows are found the way :func:`quanheng._files.read_csv` finds them (a header, then every row
that is not blank), with the physical lines each row spans, so a quoted cell holding a line
break is one row. A record maps to a row by the columns of :data:`quanheng.evidence.CSV_COLUMNS`
(``range`` → ``low``/``high``, ``source.title`` → ``source_title`` …); a value the file has no
column for, or a ``{zh, en}`` text a cell cannot hold, is refused with the fix.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from typing import Any

from quanheng.errors import EvidenceError, Problem
from quanheng.evidence import CSV_COLUMNS, _csv_value

BOM = "\ufeff"
_SOURCE_KEYS = ("title", "url", "document", "date", "publisher")


@dataclass(frozen=True)
class CsvFile:
    """A CSV evidence file split into its header and its data rows, with their line spans."""

    bom: bool
    lines: list[str]
    header: list[str]
    rows: list[tuple[int, int, list[str]]]
    """``(start, stop, cells)`` per data row: the row is ``lines[start:stop]``."""

    def eol(self) -> str:
        """The file's line ending (``\\r\\n`` when its first line has one)."""
        return "\r\n" if self.lines and self.lines[0].endswith("\r\n") else "\n"

    def text(self) -> str:
        """The file as text, BOM and all."""
        return (BOM if self.bom else "") + "".join(self.lines)


def parse(text: str) -> CsvFile:
    """Split CSV text into header and rows with the physical lines of each."""
    bom = text.startswith(BOM)
    if bom:
        text = text[1:]
    lines = io.StringIO(text, newline="").readlines()
    reader = csv.reader(iter(lines))
    header: list[str] | None = None
    rows: list[tuple[int, int, list[str]]] = []
    before = 0
    for cells in reader:
        after = reader.line_num
        if header is None:
            header = [h.strip() for h in cells]
        elif any(c.strip() for c in cells):
            rows.append((before, after, cells))
        before = after
    return CsvFile(bom=bom, lines=lines, header=header or [], rows=rows)


def row_record(header: list[str], cells: list[str]) -> dict[str, Any]:
    """A CSV row as an evidence record mapping (the shape of a YAML record)."""
    row = {h: c.strip() for h, c in zip(header, cells, strict=False)}
    record: dict[str, Any] = {
        "subject": row.get("subject", ""),
        "indicator": row.get("indicator", ""),
        "value": _csv_value(row.get("value", "")),
    }
    low, high = row.get("low") or None, row.get("high") or None
    if low is not None or high is not None:
        record["range"] = [_number(low), _number(high)]
    if row.get("unit"):
        record["unit"] = row["unit"]
    record["source"] = {k: row[f"source_{k}"] for k in _SOURCE_KEYS if row.get(f"source_{k}")}
    for key in ("quote", "analyst"):
        record[key] = row.get(key, "")
    if row.get("note"):
        record["note"] = row["note"]
    return record


def _number(text: str | None) -> float | str | None:
    if text is None:
        return None
    try:
        return float(text.replace(",", "").replace("_", ""))
    except ValueError:
        return text


def record_cells(file: str, header: list[str], record: dict[str, Any]) -> list[str]:
    """The cells of ``record`` in the header's column order.

    Raises:
        EvidenceError: the record has a field the file has no column for, or a value a CSV
            cell cannot hold.
    """
    cells: dict[str, str] = {}
    for key, value in record.items():
        if value is None:
            continue
        if key == "range":
            if not isinstance(value, list | tuple) or len(value) != 2:
                raise _refuse(file, "range", "range must be [low, high]", "give two numbers")
            cells["low"], cells["high"] = (
                _cell(file, "range", value[0]),
                _cell(file, "range", value[1]),
            )
        elif key == "source":
            if not isinstance(value, dict):
                raise _refuse(file, "source", "source must be a mapping", "give title, url …")
            for sub, v in value.items():
                if v is not None:
                    cells[f"source_{sub}"] = _cell(file, f"source.{sub}", v)
        else:
            cells[key] = _cell(file, key, value)
    unknown = [c for c in cells if c not in CSV_COLUMNS]
    if unknown:
        raise _refuse(
            file,
            unknown[0],
            f"unknown field {unknown[0]!r}",
            f"CSV evidence takes the columns {', '.join(CSV_COLUMNS)}",
        )
    missing = [c for c in cells if c not in header and cells[c] != ""]
    if missing:
        raise _refuse(
            file,
            missing[0],
            f"the file has no column {missing[0]!r}",
            f"add the column {missing[0]!r} to the file's header, or keep the record in YAML",
        )
    return [cells.get(h, "") for h in header]


def _cell(file: str, field: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value) and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, str):
        return value
    raise _refuse(
        file,
        field,
        f"a CSV cell cannot hold {type(value).__name__} {value!r}",
        "write plain text (a {zh, en} text needs a YAML evidence file)",
    )


def _refuse(file: str, field: str, message: str, fix: str) -> EvidenceError:
    return EvidenceError([Problem(file, None, f"{field}: {message}", fix)])


def render_row(cells: list[str], eol: str) -> str:
    """One CSV row as text, quoted where needed, ending in ``eol``."""
    out = io.StringIO()
    csv.writer(out, lineterminator=eol).writerow(cells)
    return out.getvalue()
