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
from dataclasses import dataclass, field
from typing import Any, TypeGuard

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString, ScalarString

from quanheng.curation._io import canonical_json, plain

# (mapping, sequence, offset) layouts tried in turn: the first whose dump of the unchanged
# document reproduces the file is used for the change.
_LAYOUTS = ((2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 6, 4), (4, 4, 0), (2, 4, 0))
DEFAULT_LAYOUT = _LAYOUTS[0]


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
            if isinstance(old, CommentedMap) and isinstance(value, dict):
                if _anchored(old):  # shared: change a copy, keeping its keys' quoting
                    old = _unshared_copy(old)
                    node[key] = old
                update_map(old, value)
                continue
            node[key] = _fresh(value, old, flow)
        else:
            node[key] = _fresh(value, None, flow)


def _unshared_copy(node: Any) -> Any:
    """A copy of ``node`` with no anchor anywhere in it, scalars keeping their quoting style."""
    if isinstance(node, CommentedMap):
        out = CommentedMap()
        for k, v in node.items():
            out[k] = _unshared_copy(v)
        if node.fa.flow_style():
            out.fa.set_flow_style()
        return out
    if isinstance(node, CommentedSeq):
        seq = CommentedSeq(_unshared_copy(v) for v in node)
        if node.fa.flow_style():
            seq.fa.set_flow_style()
        return seq
    if isinstance(node, ScalarString):
        return type(node)(str(node))
    return plain(node) if _anchored(node) else node


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


@dataclass
class Doc:
    """A YAML file read for one change to the top-level sequence ``key``.

    The line span and column of each item of ``key`` are noted before the data is changed;
    the layout is found when the change is written (:func:`render`).
    """

    text: str
    data: Any
    key: str
    spans: list[tuple[int, int]] = field(default_factory=list)
    cols: list[int] = field(default_factory=list)


def open_doc(text: str, data: Any, key: str) -> Doc:
    """Note the item spans of ``data[key]`` (``data`` parsed from ``text``, still unchanged)."""
    doc = Doc(text, data, key)
    seq = data.get(key) if isinstance(data, dict) else None
    if text and _block(seq) and len(seq) > 0:
        lines = text.count("\n") + (0 if text.endswith("\n") else 1)
        doc.spans = item_spans(seq, lines, _end_of(data, key, lines))
        doc.cols = [seq.lc.item(i)[1] for i in range(len(seq))]
    return doc


def _block(seq: Any) -> TypeGuard[CommentedSeq]:
    return isinstance(seq, CommentedSeq) and not seq.fa.flow_style()


def render(doc: Doc, index: int, op: str) -> str:
    """The file's new text after ``op`` (``edit``, ``add``, ``delete``) at ``key[index]``.

    An edit is the dump itself when, in one of the layouts tried, every line outside the
    edited item is the original's (one dump, no re-parse: the common case). Otherwise the
    changed item's lines are spliced into the original text, checked by parsing it back, and
    the full dump is the fallback.
    """
    if not doc.spans:
        return dump(doc.data, _LAYOUTS[0])
    old_lines = doc.text.splitlines(keepends=True)
    # The item's own column tells the sequence indent; the layouts that have it come first.
    col = doc.cols[min(index, len(doc.cols) - 1)]
    order = sorted(_LAYOUTS, key=lambda layout: layout[1] != col)
    full = None
    if op != "delete":
        # Everything before the item (before the last one, for an add) must come out the same.
        before = doc.spans[index][0] if op == "edit" else doc.spans[-1][0]
        for layout in order[:3]:
            candidate = dump(doc.data, layout)
            new_lines = candidate.splitlines(keepends=True)
            if new_lines[:before] != old_lines[:before]:
                continue
            full = candidate
            if op == "edit":
                tail = old_lines[doc.spans[index][1] :]
                if not tail or new_lines[len(new_lines) - len(tail) :] == tail:
                    return candidate
            break
    expect = canonical_json(plain(doc.data))
    if op == "delete":  # a text splice: no dump needed unless it fails
        spliced = _splice(doc, "", index, op)
        if spliced is not None and _parses_to(spliced, expect):
            return spliced
        return dump(doc.data, order[0])
    candidates = [full] if full is not None else []
    candidates += [dump(doc.data, layout) for layout in order[:2]]
    for candidate in candidates:
        spliced = _splice(doc, candidate, index, op)
        if spliced is not None and _parses_to(spliced, expect):
            return spliced
    return candidates[0]


def _parses_to(text: str, expect: str) -> bool:
    """Whether ``text`` parses to the data whose canonical JSON is ``expect``."""
    try:
        return canonical_json(plain(load(text))) == expect
    except Exception:
        return False


def _splice(doc: Doc, full: str, index: int, op: str) -> str | None:
    """``doc.text`` with the item's lines replaced by the dump's (``None``: cannot splice)."""
    old_lines = doc.text.splitlines(keepends=True)
    if op == "delete":
        start, stop = doc.spans[index]
        keep = stop
        while keep > start and _is_trailer(old_lines[keep - 1], doc.cols[index]):
            keep -= 1  # the blank lines and comments that introduce the next item stay
        if keep == start:
            return None
        return "".join(old_lines[:start] + old_lines[keep:])
    new_lines = full.splitlines(keepends=True)
    try:
        new_data = load(full)
    except Exception:
        return None
    new_seq = new_data.get(doc.key) if isinstance(new_data, dict) else None
    if not _block(new_seq):
        return None
    new_spans = item_spans(new_seq, len(new_lines), _end_of(new_data, doc.key, len(new_lines)))
    if op == "add":
        start, stop = new_spans[-1]
        last_start, at = doc.spans[-1]
        while at > last_start + 1 and _is_trailer(old_lines[at - 1], doc.cols[-1]):
            at -= 1  # before the blank lines and comments that introduce what follows
        head = old_lines[:at]
        if head and not head[-1].endswith("\n"):
            head[-1] += "\n"
        item = new_lines[start:stop]
        while item and not item[-1].strip():
            item.pop()
        return "".join(head + item + old_lines[at:])
    start, stop = doc.spans[index]
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
    """A blank line or a comment no deeper than the item: it introduces what follows."""
    stripped = line.strip()
    if not stripped:
        return True
    indent = len(line) - len(line.lstrip(" "))
    return stripped.startswith("#") and indent <= col
