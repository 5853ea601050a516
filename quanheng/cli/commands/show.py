"""``quanheng show``: a framework's gates and indicator tree, the weights a profile uses, or one
leaf in full (``--leaf``: its definition, unit, normalisation and rubric levels)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import typer
from rich.tree import Tree

from quanheng._files import did_you_mean, display_path, nearest
from quanheng.cli._app import app, console, guarded
from quanheng.cli._words import LANG_HELP, WORDS, w
from quanheng.errors import InputError
from quanheng.framework import Framework, Node, builtin_frameworks, load_framework
from quanheng.scoring.weighting import rescaled_weights, subjective_weights
from quanheng.specs.normalisation import (
    Fixed,
    LogFixed,
    LogMinMax,
    MinMax,
    Normalisation,
    Reference,
    Rubric,
    Target,
)
from quanheng.study import Profile, Study, find_studies, load_study
from quanheng.text import Lang, Text

EXAMPLES = """\b
Examples:
  quanheng show cn-llm-vendor-2024
  quanheng show cn-llm-vendor-2024 --lang zh
  quanheng show cn-llm-vendor-2024 --leaf P1.2
  quanheng show studies/cn-llm-vendors-2024 --profile code-assistant
"""


@app.command(epilog=EXAMPLES)
@guarded
def show(
    framework: str = typer.Argument(
        ...,
        metavar="FRAMEWORK",
        help="A built-in framework id (quanheng frameworks lists them), a framework YAML file, "
        "or a study directory.",
    ),
    lang: Lang = typer.Option("en", "--lang", help=LANG_HELP),
    profile: str | None = typer.Option(
        None,
        "--profile",
        "-p",
        metavar="PROFILE",
        help="A profile id of the study (quanheng show STUDY lists them): show the weights "
        "this profile scores with (local, written, global).",
    ),
    leaf: str | None = typer.Option(
        None,
        "--leaf",
        metavar="ID",
        help="A leaf (or gate) id of the framework, shown in full: names, definition, kind, "
        "unit, direction, normalisation, metric, weights and the rubric level descriptors.",
    ),
) -> None:
    """Print the gates and the tree with local weights, kinds and normalisations.

    With a study and --profile, every weight is the one scoring uses: the profile's overrides
    (rescaled per parent under normalise: true, the written value beside it), AHP judgements and
    any objective mix, and each node's global weight in the overall score.
    """
    language = lang
    path = Path(framework)
    if not (path / "study.yaml").exists():
        if profile is not None:
            raise InputError.single(
                "--profile", None, "profiles belong to a study", "give a study directory"
            )
        fw = load_framework(_framework_ref(framework))
        if leaf is not None:
            console.print(describe_leaf(fw, leaf, language), markup=False)
            return
        console.print(render_tree(fw, language))
        return
    study = load_study(path)
    if leaf is not None:
        prof = study.profile(profile) if profile is not None else None
        weights = profile_weights_used(study, prof) if prof is not None else None
        text = describe_leaf(study.framework, leaf, language, weights=weights)
        if prof is not None and leaf not in study.framework.gate_ids:
            text += "\n" + w("l_profile_weights", language, id=prof.id)
        console.print(text, markup=False)
        return
    if profile is None:
        console.print(render_tree(study.framework, language))
        return
    prof = study.profile(profile)
    console.print(
        render_tree(
            study.framework,
            language,
            weights=profile_weights_used(study, prof),
            written=_written(study, prof),
            title=w("profile_title", language, id=prof.id),
        )
    )


def _framework_ref(given: str) -> str:
    """``given`` if it can be a framework; a study's id or directory name gets its directory.

    ``quanheng show cn-llm-vendors-2024`` names the default study, not its framework: the line
    says where that study is, so the next command is the right one.
    """
    if given in builtin_frameworks() or Path(given).exists():
        return given
    studies = find_studies()
    match = next((p for p in studies if p.name == given), None)
    if match is not None:
        raise InputError.single(
            given,
            None,
            "that is a study id, not a framework",
            f"give its directory: quanheng show {display_path(match)}",
        )
    return given


def profile_weights_used(study: Study, prof: Profile) -> np.ndarray:
    """The local weights scoring uses for ``prof``; an objective mix needs the scored data."""
    if prof.objective is None or prof.objective.share == 0:
        return subjective_weights(study.framework.compiled, prof)
    from quanheng.cli._load import scored  # reads the run store: only for an objective mix

    _study, card = scored(study.path, prof.id)
    return np.asarray(card.weights)


def _written(study: Study, prof: Profile) -> dict[str, float]:
    return {r.node: r.written for r in rescaled_weights(study.framework.compiled, prof)}


def render_tree(
    fw: Framework,
    lang: Lang,
    *,
    weights: np.ndarray | None = None,
    written: dict[str, float] | None = None,
    title: str | None = None,
) -> Tree:
    """A rich tree of the framework, with ``weights`` (local, in tree order) if given."""
    tree = fw.compiled
    local = tree.weights if weights is None else weights
    overall = tree.global_weights(local) if weights is not None else None
    heading = f"[bold]{fw.name.get(lang)}[/] ({fw.id} {fw.version})"
    root = Tree(heading + (f" · {title}" if title else ""))
    if fw.gates:
        gates = root.add(w("gates_branch", lang))
        for gate in fw.gates:
            gates.add(f"{gate.id}  {gate.name.get(lang)}")

    def add(parent: Tree, node: Node) -> None:
        i = tree.index[node.id]
        label = (
            f"{node.id}  {node.name.get(lang)}  [dim]{w('w_local', lang, w=f'{local[i]:.3g}')}[/]"
        )
        if written and node.id in written:
            label += f" [yellow]{w('w_written', lang, w=f'{written[node.id]:g}')}[/]"
        if overall is not None:
            label += f" [dim]{w('w_global', lang, w=f'{overall[i]:.3g}')}[/]"
        if node.is_leaf and node.normalisation is not None:
            metric = f" {w('metric_eq', lang, metric=node.metric)}" if node.metric else ""
            label += (
                f"  [cyan]{_kind(node.kind, lang)}[/] {node.normalisation.type}"
                f"{' ↓' if node.direction == 'lower' else ''}{metric}"
            )
        branch = parent.add(label)
        for child in node.children:
            add(branch, child)

    for dim in fw.tree:
        add(root, dim)
    return root


def describe_leaf(
    fw: Framework, leaf_id: str, lang: Lang, *, weights: np.ndarray | None = None
) -> str:
    """One leaf (or gate) of ``fw`` in full, as plain text lines.

    Raises:
        InputError: ``leaf_id`` is no leaf or gate: one line naming the nearest ids, or the leaves
            under it when it is a node with children.
    """
    gate = next((g for g in fw.gates if g.id == leaf_id), None)
    if gate is not None:
        lines = [
            w("gate_head", lang, id=gate.id),
            w("l_name", lang, zh=gate.name.zh, en=gate.name.en),
        ]
        if gate.description is not None:
            lines.append(w("l_definition", lang, text=gate.description.get(lang)))
        lines.append(w("l_gate_evidence", lang))
        return "\n".join(lines)
    node = fw.nodes.get(leaf_id)
    if node is None:
        known = [n.id for n in fw.leaves] + list(fw.gate_ids)
        hint = did_you_mean(leaf_id, known)
        fix = f"see quanheng show {fw.id} for every leaf id"
        if not hint:
            close = nearest(leaf_id, list(fw.nodes))
            hint = did_you_mean(leaf_id, close) if close else ""
        raise InputError.single(
            "--leaf", None, f"no leaf or gate {leaf_id!r} in framework {fw.id}{hint}", fix
        )
    if not node.is_leaf:
        under = [n.id for n in fw.leaves if _is_under(fw, n.id, node.id)]
        shown = ", ".join(under[:8]) + (" …" if len(under) > 8 else "")
        raise InputError.single(
            "--leaf",
            None,
            f"{leaf_id!r} is a node with children, not a leaf",
            f"give one of its leaves: {shown}",
        )
    tree = fw.compiled
    local = tree.weights if weights is None else weights
    overall = tree.global_weights(local)
    i = tree.index[node.id]
    parent = tree.ids[int(tree.parent[i])]
    overall_word = w("overall_node", lang)
    parent_name = fw.nodes[parent].name.get(lang) if parent in fw.nodes else overall_word
    lines = [
        f"{node.id}  {node.name.get(lang)}",
        w("l_name", lang, zh=node.name.zh, en=node.name.en),
    ]
    if node.description is not None:
        lines.append(w("l_definition", lang, text=node.description.get(lang)))
    lines.append(w("l_kind", lang, kind=_kind(node.kind, lang)))
    unit = _local(node.unit, lang)
    if unit:
        lines.append(w("l_unit", lang, unit=unit))
    lines.append(w("l_lower" if node.direction == "lower" else "l_higher", lang))
    if node.normalisation is not None:
        lines.extend(_normalisation_lines(node.normalisation, lang))
    if node.metric:
        lines.append(w("l_metric", lang, metric=node.metric))
    lines.append(
        w(
            "l_weight",
            lang,
            local=f"{local[i]:.3g}",
            parent=parent if parent in fw.nodes else overall_word,
            parent_name=parent_name,
            overall=f"{overall[i]:.3g}",
        )
    )
    if isinstance(node.normalisation, Rubric):
        lines.append(w("l_levels", lang))
        for level in sorted(node.normalisation.levels):
            lines.append(f"    {level}  {node.normalisation.levels[level].get(lang)}")
    lines.append(w("l_evidence", lang, text=_evidence_hint(node, lang)))
    return "\n".join(lines)


def _is_under(fw: Framework, leaf_id: str, ancestor: str) -> bool:
    tree = fw.compiled
    i = tree.index[leaf_id]
    target = tree.index[ancestor]
    while i >= 0:
        if i == target:
            return True
        i = int(tree.parent[i])
    return False


def _local(value: object, lang: Lang) -> str:
    """A unit or note written as a plain string or as ``{zh, en}``."""
    if value is None:
        return ""
    return value.get(lang) if isinstance(value, Text) else str(value)


def _kind(kind: str | None, lang: Lang) -> str:
    """A leaf's kind (fact, rubric, measured) in ``lang``."""
    key = f"kind_{kind}"
    return w(key, lang) if key in WORDS else str(kind)


def _normalisation_lines(norm: Normalisation, lang: Lang) -> list[str]:
    if isinstance(norm, MinMax | LogMinMax):
        offset_word = "偏移量" if lang == "zh" else "offset"
        scale = f"log10(x + {offset_word})" if isinstance(norm, LogMinMax) else "x"
        offset = (
            w("n_offset", lang, offset=f"{norm.offset:g}")
            if isinstance(norm, LogMinMax) and norm.offset
            else ""
        )
        lines = [w("n_minmax", lang, type=norm.type, offset=offset, scale=scale)]
        lines.extend(_reference_lines(norm.reference, lang))
        return lines
    if isinstance(norm, Fixed):
        return [w("n_fixed", lang, min=f"{norm.min:g}", max=f"{norm.max:g}")]
    if isinstance(norm, LogFixed):
        offset = w("n_offset", lang, offset=f"{norm.offset:g}") if norm.offset else ""
        return [w("n_log_fixed", lang, offset=offset, min=f"{norm.min:g}", max=f"{norm.max:g}")]
    if isinstance(norm, Rubric):
        return [w("n_rubric", lang)]
    if isinstance(norm, Target):
        return [w("n_target", lang, target=f"{norm.target:g}", width=f"{norm.width:g}")]
    return [w("n_other", lang, type=norm.type)]


def _reference_lines(ref: Reference | None, lang: Lang) -> list[str]:
    if ref is None:
        return [w("n_no_ref", lang)]
    return [
        w("n_ref", lang, min=f"{ref.min:g}", max=f"{ref.max:g}"),
        w("n_basis", lang, text=ref.basis.get(lang)),
    ]


def _evidence_hint(node: Node, lang: Lang) -> str:
    if isinstance(node.normalisation, Rubric):
        return w("e_rubric", lang)
    unit = _local(node.unit, lang) or w("e_unit", lang)
    if node.kind == "measured":
        return w("e_measured", lang, unit=unit)
    return w("e_fact", lang, unit=unit)
