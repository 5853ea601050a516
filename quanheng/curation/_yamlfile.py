"""Round-trip YAML for files people wrote: change one item, keep every other byte.

ruamel.yaml's round-trip mode keeps comments, key order, anchors/aliases and flow style, but
re-flows what it cannot remember (a flow mapping broken over lines, an unusual indent). So an
edit is written as a *splice*: the whole document is dumped once with the change, and only the
lines of the changed item are taken from that dump; every other line is the original text. The
spliced text is parsed again and compared with what was meant; if they differ (an odd layout
the splice cannot handle) the full dump is used instead, which is always right, only less
faithful to the layout.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString, ScalarString

from quanheng.curation._io import canonical_json, plain

# (mapping, sequence, offset) layouts tried in turn: the first whose dump of the unchanged
# document reproduces the file is used for the change.
_LAYOUTS = ((2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 6, 4), (4, 4, 0), (2, 4, 0))


def make_yaml(layout: tuple[int, int, int] = _LAYOUTS[0]) -> YAML:
    """A round-trip YAML instance that never re-wraps long lines."""
    yaml = YAML(typ="rt")
    yaml.width = 1_000_000
    yaml.preserve_quotes = True
    yaml.allow_duplicate_keys = False
    mapping, sequence, offset = layout
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


def load(text: str) -> Any:
    """Parse ``text`` in round-trip mode."""
    return make_yaml().load(text)


def dump(data: Any, layout: tuple[int, int, int]) -> str:
    """``data`` as YAML text in ``layout``."""
    out = io.StringIO()
    make_yaml(layout).dump(data, out)
    return out.getvalue()


def layout_of(text: str, data: Any) -> tuple[int, int, int]:
    """The indentation layout that reproduces ``text`` (the first tried when none does)."""
    for layout in _LAYOUTS:
        if dump(data, layout) == text:
            return layout
    return _LAYOUTS[0]


def update_map(node: CommentedMap, new: dict[str, Any]) -> None:
    """Make ``node`` say ``new``, touching only the keys whose value changed.

    An unchanged value keeps its node: its alias, anchor, quoting and comments. A changed value
    that is shared (it carries an anchor, so aliases elsewhere point at the same object) is
    replaced by a fresh copy, never mutated, so the other records keep what they said. A
    changed mapping of its own is updated key by key, recursively.
    """
    for key in [k for k in node if k not in new]:
        del node[key]
    flow = bool(node.fa.flow_style())
    for key, value in new.items():
        if key in node:
            old = node[key]
            if canonical_json(plain(old)) == canonical_json(value):
                continue
            if isinstance(old, CommentedMap) and isinstance(value, dict) and not _anchored(old):
                update_map(old, value)
                continue
            node[key] = _fresh(value, old, flow)
        else:
            node[key] = _fresh(value, None, flow)


def _anchored(node: Any) -> bool:
    anchor = getattr(node, "anchor", None)
    return anchor is not None and anchor.value is not None


def _fresh(value: Any, old: Any, flow: bool) -> Any:
    """A new node for ``value``, in the quoting style of the value it replaces."""
    if isinstance(value, str):
        if isinstance(old, ScalarString) and not _anchored(old):
            cls: Callable[[str], Any] = type(old)
            if not isinstance(old, LiteralScalarString) or not flow:
                return cls(value)
        if "\n" in value and not flow:
            return LiteralScalarString(value)
        return value
    if isinstance(value, dict):
        out = CommentedMap()
        for k, v in value.items():
            out[k] = _fresh(v, None, flow)
        if flow:
            out.fa.set_flow_style()
        return out
    if isinstance(value, list | tuple):
        seq = CommentedSeq(_fresh(v, None, flow) for v in value)
        if flow or all(not isinstance(v, dict | list) for v in value):
            seq.fa.set_flow_style()  # a range [low, high] reads best on one line
        return seq
    return value


def item_spans(
    seq: CommentedSeq, total_lines: int, end: int | None = None
) -> list[tuple[int, int]]:
    """``[start, stop)`` line spans of each item of a block sequence (0-based lines).

    An item runs from its own line to the next item's line (comments between them travel with
    the item above, as ruamel attaches them), the last one to ``end`` or the end of the text.
    """
    starts = [seq.lc.item(i)[0] for i in range(len(seq))]
    stops = [*starts[1:], total_lines if end is None else end]
    return list(zip(starts, stops, strict=True))


def splice(original: str, new_text: str, key: str, index: int, op: str) -> str | None:
    """``original`` with item ``index`` of the top-level sequence ``key`` replaced by the dump's.

    ``op`` is ``edit`` (replace the item's lines), ``add`` (append the dump's last item) or
    ``delete`` (drop the item's lines but keep the comments that end its span: they belong to
    the item below). Returns ``None`` when the layout is not one a splice can handle.
    """
    old_lines = original.splitlines(keepends=True)
    new_lines = new_text.splitlines(keepends=True)
    try:
        old_data = load(original)
        new_data = load(new_text)
        old_seq = old_data[key]
        new_seq = new_data[key]
    except Exception:
        return None
    if not isinstance(old_seq, CommentedSeq) or old_seq.fa.flow_style() or len(old_seq) == 0:
        return None
    if not isinstance(new_seq, CommentedSeq) or new_seq.fa.flow_style():
        return None
    old_end = _end_of(old_data, key, len(old_lines))
    new_end = _end_of(new_data, key, len(new_lines))
    old_spans = item_spans(old_seq, len(old_lines), old_end)
    if op == "delete":
        start, stop = old_spans[index]
        col = old_seq.lc.item(index)[1]
        keep = stop
        while keep > start and _is_trailer(old_lines[keep - 1], col):
            keep -= 1
        if keep == start:
            return None
        return "".join(old_lines[:start] + old_lines[keep:])
    new_spans = item_spans(new_seq, len(new_lines), new_end)
    if op == "add":
        start, stop = new_spans[-1]
        tail = old_lines[: old_spans[-1][1]]
        if tail and not tail[-1].endswith("\n"):
            tail[-1] += "\n"
        return "".join(tail + new_lines[start:stop] + old_lines[old_spans[-1][1] :])
    start, stop = old_spans[index]
    nstart, nstop = new_spans[index]
    return "".join(old_lines[:start] + new_lines[nstart:nstop] + old_lines[stop:])


def _end_of(data: Any, key: str, total: int) -> int:
    """The line where the top-level value of ``key`` ends: the next key's line, or the end."""
    keys = list(data)
    position = keys.index(key)
    if position + 1 < len(keys):
        return int(data.lc.key(keys[position + 1])[0])
    return total


def _is_trailer(line: str, col: int) -> bool:
    """A blank line or a comment no deeper than the item's dash: it introduces what follows."""
    stripped = line.strip()
    if not stripped:
        return True
    indent = len(line) - len(line.lstrip(" "))
    return stripped.startswith("#") and indent <= max(col - 2, 0) + 2


def write_text(
    original: str,
    data: Any,
    key: str,
    index: int,
    op: str,
    expect: Any,
    layout: tuple[int, int, int],
) -> str:
    """The new text of a file whose ``data`` has been changed at ``key[index]`` by ``op``.

    ``expect`` is the plain data the result must parse to; the splice is used when it does, the
    full dump otherwise.
    """
    full = dump(data, layout)
    spliced = splice(original, full, key, index, op) if original else None
    if spliced is not None:
        try:
            if canonical_json(plain(load(spliced))) == canonical_json(expect):
                return spliced
        except Exception:
            pass
    return full
