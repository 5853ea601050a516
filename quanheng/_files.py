"""Reading YAML and CSV while remembering where every value came from.

Validation must point at ``file:line``, so the YAML loader returns dicts and lists that know the
line of each key and item (:class:`LocatedDict`, :class:`LocatedList`), and the CSV reader returns
each row with its line. :func:`line_of` turns a pydantic error location into the best line.
"""

from __future__ import annotations

import csv
import difflib
import io
import os
import re
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from quanheng.errors import InputError, Problem

__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "LocatedDict",
    "LocatedList",
    "did_you_mean",
    "display_path",
    "line_of",
    "mask_credentials",
    "nearest",
    "read_csv",
    "read_text",
    "read_yaml",
]

MAX_FILE_BYTES = 16 * 1024 * 1024
"""Largest YAML or CSV file quanheng reads (16 MiB).

A study's files are written by people; the biggest real evidence file is a few hundred KiB. The
YAML loader keeps a node per value plus its line, about 100 times the file's size, so a 50 MB
file took minutes and gigabytes before failing later anyway. Refusing by ``stat`` before reading
keeps memory small whatever is pointed at.
"""

MAX_DEPTH = 64
"""Deepest nesting of mappings and sequences a YAML file may have.

The deepest real file (a framework tree) nests about 12 levels. The composer and the
constructor recurse once per level, so a few hundred levels end in a ``RecursionError``; the
bounded composer refuses the file at the first node past this depth, before building the rest.
"""


class LocatedDict(dict[Any, Any]):
    """A mapping from YAML that knows its own line and the line of each key."""

    line: int
    key_lines: dict[Any, int]


class LocatedList(list[Any]):
    """A sequence from YAML that knows its own line and the line of each item."""

    line: int
    item_lines: list[int]


class _TooDeep(yaml.MarkedYAMLError):
    """The document nests deeper than :data:`MAX_DEPTH` (raised while composing)."""


class _Loader(yaml.SafeLoader):
    """SafeLoader whose mappings and sequences carry 1-based line numbers, nesting bounded."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        """Compose one node, refusing it when it nests deeper than :data:`MAX_DEPTH`.

        Counting here, before the node's children are composed, stops a hostile file at the
        first level too many: nothing deeper is ever built, and no Python frame limit is met.
        """
        collection = self.check_event(yaml.MappingStartEvent, yaml.SequenceStartEvent)
        if collection and self._depth >= MAX_DEPTH:
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            raise _TooDeep(None, None, f"nested more than {MAX_DEPTH} levels deep", mark)
        self._depth += collection
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= collection


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LocatedDict:
    loader.flatten_mapping(node)
    out = LocatedDict()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool) or key is None:
            raise yaml.constructor.ConstructorError(
                None, None, f"unsupported mapping key {key!r}", key_node.start_mark
            )
        skey = str(key).lower() if isinstance(key, bool) else key
        if skey in out:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {skey!r}", key_node.start_mark
            )
        out[skey] = loader.construct_object(value_node, deep=True)
        out.key_lines[skey] = key_node.start_mark.line + 1
    return out


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LocatedList:
    out = LocatedList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.item_lines = [child.start_mark.line + 1 for child in node.value]
    return out


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode) -> str:
    # Dates stay strings: evidence dates are partial ("2023-12") as often as full.
    return str(loader.construct_scalar(node))


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*):[^/\s@]*@")

SECRET_FIELDS = frozenset({"api_key_env"})
"""Fields whose given value is never repeated in a message: what is found there is a pasted key."""


def mask_credentials(text: str) -> str:
    """``text`` with the password of every ``scheme://user:password@`` URL replaced by ``***``.

    Validation messages quote what they found, and a URL pasted with its password would then
    be printed in full on a shared terminal or a CI log; the user name and host stay, so the
    message still says which URL is meant.
    """
    return _URL_PASSWORD.sub(r"\g<head>:***@", text)


def nearest(word: str, known: Sequence[str], n: int = 3) -> list[str]:
    """The known ids closest to ``word`` (difflib's ratio ≥ 0.6), best first; case ignored."""
    by_lower: dict[str, str] = {}
    for k in known:
        by_lower.setdefault(k.lower(), k)
    close = difflib.get_close_matches(word.lower(), list(by_lower), n=n)
    return [by_lower[c] for c in close]


def did_you_mean(word: str, known: Sequence[str], n: int = 3) -> str:
    """`` (did you mean 'P4.4'?)`` for the nearest known ids, or ``""`` when none is near.

    Every "unknown id" message appends this, so a typo (``P44``, ``cn-llm-vendor-2042``) is one
    line that names what was meant.
    """
    close = nearest(word, known, n)
    if not close:
        return ""
    shown = [repr(c) for c in close]
    words = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"
    return f" (did you mean {words}?)"


def display_path(path: Path) -> str:
    """The path as users should see it in messages: relative to the working dir when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _kind(mode: int) -> str:
    """What a non-regular file is, in words a user recognises."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def read_text(path: Path, error: type[InputError], *, encoding: str = "utf-8") -> str:
    """The text of one regular file of at most :data:`MAX_FILE_BYTES`, or ``error``.

    The file is checked before it is read: ``stat`` refuses a FIFO, socket, device or directory
    (reading a FIFO blocks forever, a device may never end) and a file over the size limit, so
    neither time nor memory depend on what the path points at. It is then opened with
    ``O_NONBLOCK`` and checked again on the open descriptor, so a file swapped for a FIFO
    between the two cannot block either, and at most one byte over the limit is ever read.

    Raises:
        error: one line naming the file and what is wrong with it.
    """
    name = display_path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise error.single(name, None, "file not found", "check the path") from None
    except OSError as exc:
        raise error.single(name, None, f"cannot read ({exc.strerror})", "check it") from None
    _check_regular(name, info, error)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise error.single(name, None, f"cannot read ({exc.strerror})", "check it") from None
    with os.fdopen(fd, "rb") as handle:
        _check_regular(name, os.fstat(handle.fileno()), error)
        try:
            raw = handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise error.single(name, None, f"cannot read ({exc.strerror})", "check it") from None
    if len(raw) > MAX_FILE_BYTES:  # it grew after the stat
        raise _too_big(name, len(raw), error)
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise error.single(
            name, None, f"not UTF-8 text ({exc.reason})", "save the file as UTF-8"
        ) from None


def _check_regular(name: str, info: os.stat_result, error: type[InputError]) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise error.single(
            name,
            None,
            f"is {_kind(info.st_mode)}, not a regular file",
            "point at a YAML or CSV file (or move this out of the study's files)",
        )
    if info.st_size > MAX_FILE_BYTES:
        raise _too_big(name, info.st_size, error)


def _too_big(name: str, size: int, error: type[InputError]) -> InputError:
    return error.single(
        name,
        None,
        f"is {_size(size)}, over the {_size(MAX_FILE_BYTES)} limit for a study file",
        "split it into several files (an evidence directory is read file by file)",
    )


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MiB" if n % (1024 * 1024) else f"{n // (1024 * 1024)} MiB"


def read_yaml(path: Path, error: type[InputError]) -> Any:
    """Parse one YAML file; unreadable or unparseable files raise ``error`` with the line."""
    name = display_path(path)
    text = read_text(path, error)
    try:
        return yaml.load(io.StringIO(text), Loader=_Loader)
    except _TooDeep as exc:
        mark = exc.problem_mark
        raise error.single(
            name,
            mark.line + 1 if mark is not None else None,
            f"YAML is nested more than {MAX_DEPTH} levels deep",
            "flatten the structure; no quanheng format nests this deep",
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = exc.problem or exc.context or "invalid YAML"
        if "recursive" in what:
            raise error.single(
                name,
                line,
                "a YAML alias refers to a node that contains it (a cycle)",
                "replace the alias with its own content; a tree cannot contain itself",
            ) from None
        raise error.single(
            name, line, f"YAML does not parse: {what}", "fix the syntax at that line"
        ) from None
    except yaml.YAMLError as exc:
        raise error.single(name, None, f"YAML does not parse: {exc}", "fix the syntax") from None


def read_csv(path: Path, error: type[InputError]) -> list[tuple[int, dict[str, str]]]:
    """Read a CSV file with a header row: ``(line, row)`` pairs, values stripped."""
    name = display_path(path)
    text = read_text(path, error, encoding="utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, dict[str, str]]] = []
    header: list[str] | None = None
    try:
        for record in reader:
            line = reader.line_num
            if header is None:
                header = [h.strip() for h in record]
                continue
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                raise error.single(
                    name,
                    line,
                    f"row has {len(record)} cells but the header has {len(header)}",
                    "quote cells that contain commas and give every column",
                )
            rows.append((line, {h: c.strip() for h, c in zip(header, record, strict=True)}))
    except csv.Error as exc:
        raise error.single(
            name, reader.line_num, f"CSV does not parse: {exc}", "fix the quoting"
        ) from None
    return rows


def line_of(data: Any, loc: Sequence[str | int]) -> int | None:
    """The line of the deepest located value on ``loc`` (a pydantic error location).

    Location parts that are not in the data (union tags, for instance) are skipped, so the line
    is that of the nearest enclosing value that exists.
    """
    line: int | None = getattr(data, "line", None)
    current = data
    for part in loc:
        if isinstance(current, LocatedDict) and isinstance(part, str) and part in current:
            line = current.key_lines.get(part, line)
            current = current[part]
        elif isinstance(current, LocatedDict) and str(part) in current:
            line = current.key_lines.get(str(part), line)
            current = current[str(part)]
        elif isinstance(current, LocatedList) and isinstance(part, int) and part < len(current):
            line = current.item_lines[part]
            current = current[part]
    return line


def problems_from_validation(
    exc: Any,
    data: Any,
    file: str,
    *,
    prefix: tuple[str | int, ...] = (),
    line: int | None = None,
) -> list[Problem]:
    """Turn a pydantic ``ValidationError`` into one :class:`Problem` per error.

    Args:
        exc: the ValidationError.
        data: the located YAML the model was validated from (or None for CSV rows).
        file: file name for the messages.
        prefix: where the validated value sits inside ``data``.
        line: a fixed line for every problem (a CSV row), instead of looking it up.
    """
    errors = list(exc.errors(include_url=False))
    missing = [tuple(e["loc"]) for e in errors if e["type"] == "missing"]
    # A misspelt field is reported once, as the misspelling with the likely intended name.
    suggest: dict[tuple[str | int, ...], str] = {}
    for e in errors:
        loc = tuple(e["loc"])
        if e["type"] == "extra_forbidden" and loc and isinstance(loc[-1], str):
            siblings = [str(m[-1]) for m in missing if m[:-1] == loc[:-1]]
            close = difflib.get_close_matches(loc[-1], siblings, n=1)
            if close:
                suggest[loc] = close[0]
    covered = {(*loc[:-1], name) for loc, name in suggest.items()}
    out: list[Problem] = []
    for err in errors:
        loc = tuple(err["loc"])
        if err["type"] == "missing" and loc in covered:
            continue
        if loc in suggest:
            err = {**err, "suggest": suggest[loc]}
        where = line if line is not None else line_of(data, (*prefix, *loc))
        out.append(Problem(file, where, _describe(data, prefix, loc, err), _fix(err)))
    return out


def _field(data: Any, prefix: tuple[str | int, ...], loc: tuple[str | int, ...]) -> str:
    """A readable name for a location: the nearest enclosing id, then the remaining path."""
    parts = [p for k, p in enumerate(loc) if not _is_union_tag(loc, k)]
    if parts and parts[-1] == "id":
        return "id"
    current = data
    for part in prefix:
        current = _step(current, part)
    owner: str | None = None
    rest_from = 0
    for k, part in enumerate(parts):
        current = _step(current, part)
        if isinstance(current, dict) and isinstance(current.get("id"), str):
            owner, rest_from = current["id"], k + 1
    rest = ".".join(str(p) for p in parts[rest_from:])
    if owner is not None:
        return f"{owner!r} {rest}".rstrip() if rest else repr(owner)
    return rest or "record"


def _step(current: Any, part: str | int) -> Any:
    if isinstance(current, dict):
        return current.get(part, current.get(str(part)))
    if isinstance(current, list) and isinstance(part, int) and part < len(current):
        return current[part]
    return None


def _describe(
    data: Any, prefix: tuple[str | int, ...], loc: tuple[str | int, ...], err: Any
) -> str:
    field = _field(data, prefix, loc) if loc else ""
    msg = mask_credentials(_message(err))
    return f"{field}: {msg}" if field else msg


_UNION_TAGS = {"minmax", "log_minmax", "fixed", "rubric", "target"}


def _is_union_tag(loc: tuple[str | int, ...], k: int) -> bool:
    """Whether ``loc[k]`` is the tag pydantic inserts for a union member, not a field name.

    A normalisation's tag sits right after ``normalisation``; elsewhere the same word is a
    field (``target``'s own ``target``), which the message must name.
    """
    part = loc[k]
    if not isinstance(part, str):
        return False
    return part.startswith("function-") or (
        part in _UNION_TAGS and k > 0 and loc[k - 1] == "normalisation"
    )


def _message(err: Any) -> str:
    kind = err["type"]
    given = err.get("input")
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        hint = err.get("suggest")
        return f"unknown field (did you mean {hint!r}?)" if hint else "unknown field"
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return f"{given!r} is not one of {expected}"
    if kind == "finite_number":
        return f"{given!r} is not a finite number"
    if kind == "union_tag_invalid":
        expected = err.get("ctx", {}).get("expected_tags", "")
        return f"unknown type {err.get('ctx', {}).get('tag')!r} (expected one of {expected})"
    text = str(err["msg"])
    if text.startswith("Value error, "):
        text = text[len("Value error, ") :]
    loc = err.get("loc", ())
    if loc and loc[-1] in SECRET_FIELDS:
        return text  # what was found there is most likely the secret itself
    if given is not None and not isinstance(given, dict | list) and repr(given) not in text:
        return f"{text} (found {given!r})"
    return text


def _fix(err: Any) -> str:
    kind = err["type"]
    if kind == "missing":
        return "add it"
    if kind == "extra_forbidden":
        hint = err.get("suggest")
        if hint:
            return f"rename it to {hint!r}"
        return "remove it or check its spelling (see `quanheng schema`)"
    if kind == "finite_number":
        return "give a finite number (.nan and .inf cannot be weighed, ranked or averaged)"
    if kind == "date_format":
        hint = err.get("ctx", {}).get("hint")
        if hint:
            return f"write it as {hint} (YYYY-MM-DD, or YYYY-MM / YYYY when only that is known)"
        return "write the date as YYYY-MM-DD (or YYYY-MM / YYYY when only that is known)"
    if kind == "date_future":
        return "give the date the source was published: no source is dated after today"
    if kind in ("literal_error", "union_tag_invalid", "enum"):
        return "use one of the allowed values"
    return "correct the value (see `quanheng schema`)"
