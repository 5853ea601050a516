"""``quanheng show FRAMEWORK``: print a framework's gates and indicator tree."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.tree import Tree

from quanheng.cli._app import app, console, guarded
from quanheng.framework import Framework, Node, load_framework
from quanheng.study import load_study
from quanheng.text import Lang


@app.command()
@guarded
def show(
    framework: str = typer.Argument(..., help="Built-in id, framework YAML, or a study directory."),
    lang: str = typer.Option("en", "--lang", help="zh or en."),
) -> None:
    """Print the gates and the tree with local weights, kinds and normalisations."""
    language: Lang = "zh" if lang == "zh" else "en"
    path = Path(framework)
    fw = load_study(path).framework if (path / "study.yaml").exists() else load_framework(framework)
    console.print(render_tree(fw, language))


def render_tree(fw: Framework, lang: Lang) -> Tree:
    """A rich tree of the framework."""
    tree = fw.compiled
    root = Tree(f"[bold]{fw.name.get(lang)}[/] ({fw.id} {fw.version})")
    if fw.gates:
        gates = root.add("gates / 门槛")
        for gate in fw.gates:
            gates.add(f"{gate.id}  {gate.name.get(lang)}")

    def add(parent: Tree, node: Node) -> None:
        w = tree.weights[tree.index[node.id]]
        label = f"{node.id}  {node.name.get(lang)}  [dim]w={w:.3g}[/]"
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
