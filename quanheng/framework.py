"""The evaluation framework: gates, the indicator tree, weights and normalisations.

A framework is a versioned data file (``format: quanheng/framework@1``), loaded into frozen
pydantic models and validated once, reporting every problem at once with its line. Scoring code
never sees the file: it works on :class:`CompiledTree`, the tree flattened into index arrays.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

from quanheng._files import (
    did_you_mean,
    display_path,
    line_of,
    problems_from_validation,
    read_yaml,
)
from quanheng.errors import FrameworkError, Problem
from quanheng.mcda.tree import CompiledTree, resolve_weights
from quanheng.specs.normalisation import LogFixed, LogMinMax, Normalisation, Rubric, Target
from quanheng.text import Name, Text

__all__ = [
    "FRAMEWORK_FORMAT",
    "Framework",
    "Gate",
    "Identifier",
    "Landscape",
    "Node",
    "Provenance",
    "builtin_frameworks",
    "compile_tree",
    "load_framework",
]

FRAMEWORK_FORMAT = "quanheng/framework@1"
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


def _check_id(value: str) -> str:
    if not ID_PATTERN.match(value):
        raise ValueError(
            f"id {value!r} may use only letters, digits, '.', '_' and '-', starting with a "
            "letter or digit"
        )
    return value


Identifier = Annotated[str, AfterValidator(_check_id)]
"""An id of a node, gate, subject or profile."""
WEIGHT_TOLERANCE = 1e-6

Kind = Literal["measured", "fact", "rubric"]
Direction = Literal["higher", "lower"]
MissingPolicy = Literal["drop", "worst", "median"]
Aggregation = Literal["arithmetic", "geometric"]


class _Frozen(BaseModel):
    # .nan or .inf in a weight or a bound would leave every subject unranked: refuse them here.
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class Gate(_Frozen):
    """An entry baseline: evidence says pass (true) or fail (false)."""

    id: Identifier
    name: Name
    description: Text | None = None


class Node(_Frozen):
    """A node of the indicator tree; a node without children is a leaf."""

    id: Identifier
    name: Name
    description: Text | None = None
    weight: float | None = None
    normalise_weights: bool = False
    children: tuple[Node, ...] = ()
    kind: Kind | None = None
    direction: Direction = "higher"
    unit: str | None = None
    metric: str | None = None
    normalisation: Normalisation | None = None

    @property
    def is_leaf(self) -> bool:
        """A leaf has no children (validation guarantees it has a kind and normalisation)."""
        return not self.children


class Landscape(_Frozen):
    """Which nodes make the landscape chart's axes and bubble size."""

    x: str
    y: str
    size: str | None = None


class Provenance(_Frozen):
    """Where a framework's method comes from, and what of it is reconstructed."""

    source: str
    from_source: tuple[str, ...] = ()
    reconstructed: tuple[str, ...] = ()


class Framework(_Frozen):
    """A validated framework file."""

    format: Literal["quanheng/framework@1"]
    id: Identifier
    version: str
    name: Name
    description: Text | None = None
    provenance: Provenance | None = None
    missing: MissingPolicy = "drop"
    aggregation: Aggregation = "arithmetic"
    gates: tuple[Gate, ...] = ()
    tree: tuple[Node, ...]
    landscape: Landscape | None = None

    @cached_property
    def compiled(self) -> CompiledTree:
        """The tree as index arrays with resolved weights (built once)."""
        return compile_tree(self)

    @cached_property
    def normalisations(self) -> tuple[Normalisation, ...]:
        """Each leaf's normalisation, in leaf order (validation guarantees every leaf has one)."""
        return tuple(leaf.normalisation for leaf in self.leaves if leaf.normalisation is not None)

    @cached_property
    def directions(self) -> tuple[str, ...]:
        """Each leaf's direction (``higher`` or ``lower`` is better), in leaf order."""
        return tuple(leaf.direction for leaf in self.leaves)

    def walk(self) -> Iterator[tuple[int, Node]]:
        """Every node with its depth (dimensions are depth 1), parents before children."""

        def rec(nodes: tuple[Node, ...], depth: int) -> Iterator[tuple[int, Node]]:
            for node in nodes:
                yield depth, node
                yield from rec(node.children, depth + 1)

        return rec(self.tree, 1)

    @cached_property
    def nodes(self) -> dict[str, Node]:
        """Every node by id."""
        return {node.id: node for _, node in self.walk()}

    @cached_property
    def leaves(self) -> tuple[Node, ...]:
        """The leaves in file order."""
        return tuple(node for _, node in self.walk() if node.is_leaf)

    @cached_property
    def gate_ids(self) -> tuple[str, ...]:
        """Gate ids in file order."""
        return tuple(g.id for g in self.gates)

    def leaf(self, leaf_id: str) -> Node:
        """The leaf with this id (KeyError if there is none)."""
        node = self.nodes[leaf_id]
        if not node.is_leaf:
            raise KeyError(leaf_id)
        return node


def compile_tree(framework: Framework) -> CompiledTree:
    """Flatten a validated framework into the arrays that scoring runs on."""
    leaves = [leaf.id for leaf in framework.leaves]
    inner: list[Node] = []

    def post(nodes: tuple[Node, ...]) -> None:
        for node in nodes:
            if node.children:
                post(node.children)
                inner.append(node)

    post(framework.tree)
    ids = (*leaves, *(n.id for n in inner), CompiledTree.ROOT_ID)
    index = {node_id: i for i, node_id in enumerate(ids)}
    parent = np.full(len(ids), -1, dtype=np.int64)
    weights = np.ones(len(ids), dtype=np.float64)
    depth = np.zeros(len(ids), dtype=np.int64)
    kids: list[np.ndarray] = [np.empty(0, dtype=np.int64)] * len(ids)
    groups: list[tuple[str, tuple[Node, ...], bool]] = [
        (CompiledTree.ROOT_ID, framework.tree, False),
        *((n.id, n.children, n.normalise_weights) for n in inner),
    ]
    for parent_id, members, rescale in groups:
        p = index[parent_id]
        pos = np.array([index[m.id] for m in members], dtype=np.int64)
        kids[p] = pos
        parent[pos] = p
        weights[pos] = resolve_weights([m.weight for m in members], rescale)
    for d, node in framework.walk():
        depth[index[node.id]] = d
    return CompiledTree(ids, len(leaves), parent, tuple(kids), weights, depth)


# --------------------------------------------------------------------------- loading


def builtin_frameworks() -> dict[str, Path]:
    """Built-in framework ids and their files."""
    root = resources.files("quanheng") / "frameworks"
    out: dict[str, Path] = {}
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            out[entry.name.removesuffix(".yaml")] = Path(str(entry))
    return out


def load_framework(ref: str | Path, *, base: Path | None = None) -> Framework:
    """Load and validate a framework by built-in id or by path.

    Args:
        ref: a built-in id such as ``cn-llm-vendor-2024``, or a path to a YAML file.
        base: directory that relative paths are resolved against (a study's directory).

    Raises:
        FrameworkError: listing every problem found, each with file and line.
    """
    builtins = builtin_frameworks()
    if isinstance(ref, str) and ref in builtins:
        path = builtins[ref]
    else:
        path = Path(ref)
        if base is not None and not path.is_absolute():
            path = base / path
        if not path.exists():
            known = ", ".join(builtins) or "none"
            raise FrameworkError.single(
                display_path(path),
                None,
                f"framework {str(ref)!r} is neither a built-in nor an existing file"
                f"{did_you_mean(str(ref), list(builtins))}",
                f"use a built-in ({known}) or a path to a framework YAML",
            )
    return parse_framework(read_yaml(path, FrameworkError), display_path(path))


def parse_framework(data: Any, file: str) -> Framework:
    """Validate parsed YAML as a framework, reporting every problem at once."""
    if not isinstance(data, Mapping):
        raise FrameworkError.single(
            file, None, "a framework file must be a YAML mapping", "start it with `format: ...`"
        )
    fmt = data.get("format")
    if fmt != FRAMEWORK_FORMAT:
        raise FrameworkError.single(
            file,
            line_of(data, ("format",)),
            f"format is {fmt!r}, expected {FRAMEWORK_FORMAT!r}",
            f"put `format: {FRAMEWORK_FORMAT}` at the top",
        )
    try:
        framework = Framework.model_validate(data)
    except ValidationError as exc:
        raise FrameworkError(problems_from_validation(exc, data, file)) from None
    problems = list(check_framework(framework, data, file))
    if problems:
        raise FrameworkError(problems)
    return framework


def check_framework(fw: Framework, data: Mapping[str, Any], file: str) -> Iterator[Problem]:
    """Cross-field rules pydantic cannot see: ids, weights, leaves, landscape."""
    seen: dict[str, tuple[str | int, ...]] = {}
    gate_ids: set[str] = set()
    for g_i, gate in enumerate(fw.gates):
        loc: tuple[str | int, ...] = ("gates", g_i, "id")
        if gate.id in gate_ids:
            yield Problem(file, line_of(data, loc), f"duplicate gate id {gate.id!r}", "rename one")
        gate_ids.add(gate.id)
        seen[gate.id] = loc

    def rec(nodes: tuple[Node, ...], path: tuple[str | int, ...], parent: str) -> Iterator[Problem]:
        yield from _check_weights(nodes, path, parent, data, file)
        for i, node in enumerate(nodes):
            here = (*path, i)
            line = line_of(data, (*here, "id"))
            if node.id in seen or node.id == CompiledTree.ROOT_ID:
                yield Problem(
                    file, line, f"duplicate id {node.id!r}", "give every node and gate its own id"
                )
            seen[node.id] = here
            yield from _check_node(node, here, data, file, line)
            yield from rec(node.children, (*here, "children"), node.id)

    if not fw.tree:
        yield Problem(file, line_of(data, ("tree",)), "the tree is empty", "add dimensions")
    yield from rec(fw.tree, ("tree",), "the root (the dimensions)")
    if fw.landscape is not None:
        for axis in ("x", "y", "size"):
            ref = getattr(fw.landscape, axis)
            if ref is not None and ref not in fw.nodes:
                yield Problem(
                    file,
                    line_of(data, ("landscape", axis)),
                    f"landscape.{axis} names unknown node {ref!r}"
                    f"{did_you_mean(ref, list(fw.nodes))}",
                    f"use one of the dimension ids: {', '.join(n.id for n in fw.tree)}",
                )


def _check_node(
    node: Node,
    here: tuple[str | int, ...],
    data: Mapping[str, Any],
    file: str,
    line: int | None,
) -> Iterator[Problem]:
    if node.children:
        for field in ("kind", "metric", "normalisation", "unit"):
            if getattr(node, field) is not None:
                yield Problem(
                    file,
                    line_of(data, (*here, field)),
                    f"node {node.id!r} has children and also {field!r}",
                    "only leaves (nodes without children) take kind, unit, metric, normalisation",
                )
        return
    raw = _raw(data, here)
    if isinstance(raw, dict) and "children" in raw:
        yield Problem(
            file,
            line_of(data, (*here, "children")),
            f"node {node.id!r} has an empty children list",
            "add children or remove `children` and make it a leaf with kind and normalisation",
        )
        return
    if node.kind is None:
        yield Problem(
            file, line, f"leaf {node.id!r} has no kind", "add kind: measured, fact or rubric"
        )
    if node.normalisation is None:
        yield Problem(
            file,
            line,
            f"leaf {node.id!r} has no normalisation",
            "add normalisation: {type: minmax|log_minmax|fixed|rubric|target}",
        )
    norm = node.normalisation
    nline = line_of(data, (*here, "normalisation"))
    if node.kind == "rubric" and norm is not None and not isinstance(norm, Rubric):
        yield Problem(
            file, nline, f"rubric leaf {node.id!r} must use type: rubric", "add levels 0..5"
        )
    if node.kind != "rubric" and isinstance(norm, Rubric):
        yield Problem(
            file,
            nline,
            f"leaf {node.id!r} uses rubric levels but kind is {node.kind!r}",
            "set kind: rubric",
        )
    if node.kind == "measured" and not node.metric:
        yield Problem(
            file, line, f"measured leaf {node.id!r} names no metric", "add metric: SUITE.METRIC"
        )
    if node.direction == "lower" and isinstance(norm, Rubric | Target):
        yield Problem(
            file,
            line_of(data, (*here, "direction")),
            f"direction: lower has no meaning for {norm.type} normalisation on {node.id!r}",
            "remove direction (rubric levels and targets already say what is better)",
        )
    if isinstance(norm, LogMinMax) and norm.offset < 0:
        yield Problem(file, nline, f"negative log offset on {node.id!r}", "use an offset ≥ 0")
    if isinstance(norm, LogMinMax | LogFixed) and not math.isfinite(norm.offset):
        yield Problem(
            file,
            line_of(data, (*here, "normalisation", "offset")),
            f"log offset on {node.id!r} is {norm.offset}, not a finite number",
            "use a finite offset ≥ 0",
        )
    elif isinstance(norm, LogMinMax) and norm.reference is not None:
        ref = norm.reference
        # pydantic refuses non-finite bounds and max ≤ min; the offset it cannot see: the
        # reference is applied on log10(x + offset), so its min must be above 0 there.
        if not ref.min + norm.offset > 0:
            yield Problem(
                file,
                line_of(data, (*here, "normalisation", "reference", "min")),
                f"reference of log-normalised {node.id!r} starts at {ref.min:g} with offset "
                f"{norm.offset:g}, and log10(min + offset) needs min + offset above 0",
                "give a reference min above 0 in the leaf's units, or a larger offset",
            )


def _check_weights(
    nodes: tuple[Node, ...],
    path: tuple[str | int, ...],
    parent: str,
    data: Mapping[str, Any],
    file: str,
) -> Iterator[Problem]:
    if not nodes:
        return
    given = [n.weight for n in nodes]
    line = line_of(data, path)
    if any(w is not None and w < 0 for w in given):
        for i, n in enumerate(nodes):
            if n.weight is not None and n.weight < 0:
                yield Problem(
                    file,
                    line_of(data, (*path, i, "weight")),
                    f"weight of {n.id!r} is negative ({n.weight})",
                    "weights must be ≥ 0",
                )
        return
    if all(w is None for w in given):
        return
    if any(w is None for w in given):
        missing = ", ".join(n.id for n in nodes if n.weight is None)
        yield Problem(
            file,
            line,
            f"under {parent}, some children have weights and {missing} do not",
            "give every sibling a weight, or none for equal weights",
        )
        return
    total = sum(w for w in given if w is not None)
    if total <= 0:
        yield Problem(file, line, f"weights under {parent} sum to 0", "give a positive weight")
        return
    rescale = _parent_rescales(data, path)
    if not rescale and abs(total - 1.0) > WEIGHT_TOLERANCE:
        fix = (
            "make the dimension weights sum to 1"
            if len(path) == 1
            else f"fix them, or set normalise_weights: true on {parent} to rescale them"
        )
        yield Problem(file, line, f"weights under {parent} sum to {total:.6g}, not 1", fix)


def _raw(data: Any, path: tuple[str | int, ...]) -> Any:
    current = data
    for part in path:
        try:
            current = current[part]
        except (KeyError, IndexError, TypeError):
            return None
    return current


def _parent_rescales(data: Mapping[str, Any], children_path: tuple[str | int, ...]) -> bool:
    if len(children_path) < 2:
        return False
    parent = _raw(data, children_path[:-1])
    return bool(isinstance(parent, dict) and parent.get("normalise_weights", False))
