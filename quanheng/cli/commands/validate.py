"""``quanheng validate PATH``: check a study directory or framework file, all problems at once."""

from __future__ import annotations

from pathlib import Path

import typer

from quanheng._files import display_path, line_of, read_yaml
from quanheng.cli._app import app, console, err_console, guarded
from quanheng.cli._words import LANG_HELP, count, w
from quanheng.errors import StudyError
from quanheng.framework import Framework
from quanheng.scoring.weighting import rescaled_weights
from quanheng.study import Study, validate_path
from quanheng.text import Lang

EXAMPLES = """\b
Examples:
  quanheng validate studies/cn-llm-vendors-2024
  quanheng validate studies/cn-llm-vendors-2024/study.yaml --lang zh
  quanheng validate my-framework.yaml
"""


@app.command(epilog=EXAMPLES)
@guarded
def validate(
    path: Path = typer.Argument(
        ..., metavar="PATH", help="A study directory, its study.yaml, or a framework YAML file."
    ),
    lang: Lang = typer.Option("en", "--lang", help=LANG_HELP),
) -> None:
    """Validate a study or framework; print every problem as file:line: what — fix.

    A valid study may still get warnings (exit 0): weights a profile wrote that
    ``normalise: true`` rescales, so the weights scoring uses are not the ones on the page.
    """
    result = validate_path(path)
    if isinstance(result, Framework):
        console.print(
            w(
                "ok_framework",
                lang,
                id=result.id,
                version=result.version,
                gates=count("gate", len(result.gates), lang),
                dims=count("dimension", len(result.tree), lang),
                leaves=count("leaf", len(result.leaves), lang),
            ),
            markup=False,
        )
        return
    for line in profile_warnings(result, lang):
        err_console.print(line, markup=False)
    for line in _glyph_warnings(result):
        err_console.print(line, markup=False)
    fw = result.framework
    console.print(
        w(
            "ok_study",
            lang,
            id=result.id,
            subjects=count("subject", len(result.subjects), lang),
            records=count("record", len(result.evidence), lang),
            profiles=count("profile", len(result.profiles), lang),
            fw=fw.id,
            leaves=count("leaf", len(fw.leaves), lang),
        ),
        markup=False,
    )


def _glyph_warnings(study: Study) -> list[str]:
    """Characters the report fonts cannot draw, file:line (see :func:`.fonts.glyph_warnings`)."""
    from quanheng.report.fonts import glyph_warnings  # fontTools: import when used

    return glyph_warnings(study)


def profile_warnings(study: Study, lang: Lang = "en") -> list[str]:
    """One ``warning:`` line per parent whose written profile weights are rescaled."""
    file = study.path / "study.yaml"
    data = read_yaml(file, StudyError)
    shown = display_path(file)
    positions = {p.get("id"): i for i, p in enumerate(data.get("profiles") or ())}
    lines = []
    for prof in study.spec.profiles:
        by_parent: dict[str, list[str]] = {}
        totals: dict[str, float] = {}
        for r in rescaled_weights(study.framework.compiled, prof):
            by_parent.setdefault(r.parent, []).append(f"{r.node} {r.written:g} → {r.used:.3g}")
            totals[r.parent] = r.total
        for parent, changes in by_parent.items():
            line = line_of(data, ("profiles", positions.get(prof.id, 0), "weights"))
            where = f"{shown}:{line}" if line is not None else shown
            lines.append(
                w(
                    "rescaled_warning",
                    lang,
                    where=where,
                    profile=prof.id,
                    parent=w("overall_node", lang) if parent == "overall" else parent,
                    total=f"{totals[parent]:.4g}",
                    changes=w("list_sep", lang).join(changes)
                    if lang == "zh"
                    else ", ".join(changes),
                )
            )
    return lines
