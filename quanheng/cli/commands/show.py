"""``quanheng show``: a framework's gates and indicator tree, or the weights a profile uses."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import typer
from rich.tree import Tree

from quanheng.cli._app import app, console, guarded
from quanheng.errors import InputError
from quanheng.framework import Framework, Node, load_framework
from quanheng.scoring.weighting import rescaled_weights, subjective_weights
from quanheng.study import Profile, Study, load_study
from quanheng.text import Lang


@app.command()
@guarded
def show(
    framework: str = typer.Argument(..., help="Built-in id, framework YAML, or a study directory."),
    lang: str = typer.Option("en", "--lang", help="zh or en."),
    profile: str | None = typer.Option(
        None,
        "--profile",
        "-p",
        help="With a study: the weights this profile scores with (local, written, global).",
    ),
) -> None:
    """Print the gates and the tree with local weights, kinds and normalisations.

    With a study and --profile, every weight is the one scoring uses: the profile's overrides
    (rescaled per parent under normalise: true, the written value beside it), AHP judgements and
    any objective mix, and each node's global weight in the overall score.
    """
    language: Lang = "zh" if lang == "zh" else "en"
    path = Path(framework)
    if not (path / "study.yaml").exists():
        if profile is not None:
            raise InputError.single(
                "--profile", None, "profiles belong to a study", "give a study directory"
            )
        console.print(render_tree(load_framework(framework), language))
        return
    study = load_study(path)
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
            title=f"profile {prof.id}",
        )
    )


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
        gates = root.add("gates / 门槛")
        for gate in fw.gates:
            gates.add(f"{gate.id}  {gate.name.get(lang)}")

    def add(parent: Tree, node: Node) -> None:
        i = tree.index[node.id]
        label = f"{node.id}  {node.name.get(lang)}  [dim]w={local[i]:.3g}[/]"
        if written and node.id in written:
            label += f" [yellow](written {written[node.id]:g}, rescaled)[/]"
        if overall is not None:
            label += f" [dim]global {overall[i]:.3g}[/]"
        if node.is_leaf and node.normalisation is not None:
            metric = f" metric={node.metric}" if node.metric else ""
            label += (
                f"  [cyan]{node.kind}[/] {node.normalisation.type}"
                f"{' ↓' if node.direction == 'lower' else ''}{metric}"
            )
        branch = parent.add(label)
        for child in node.children:
            add(branch, child)

    for dim in fw.tree:
        add(root, dim)
    return root
