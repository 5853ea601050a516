"""``quanheng validate PATH``: check a study directory or framework file, all problems at once."""

from __future__ import annotations

from pathlib import Path

import typer

from quanheng._files import display_path, line_of, read_yaml
from quanheng.cli._app import app, console, err_console, guarded
from quanheng.errors import StudyError
from quanheng.framework import Framework
from quanheng.scoring.weighting import rescaled_weights
from quanheng.study import Study, validate_path


@app.command()
@guarded
def validate(
    path: Path = typer.Argument(..., help="Study directory, study.yaml or framework YAML."),
) -> None:
    """Validate a study or framework; print every problem as file:line: what — fix.

    A valid study may still get warnings (exit 0): weights a profile wrote that
    ``normalise: true`` rescales, so the weights scoring uses are not the ones on the page.
    """
    result = validate_path(path)
    if isinstance(result, Framework):
        console.print(
            f"ok: framework {result.id} {result.version}: {len(result.gates)} gates, "
            f"{len(result.tree)} dimensions, {len(result.leaves)} leaves"
        )
        return
    for line in profile_warnings(result):
        err_console.print(line, markup=False)
    for line in _glyph_warnings(result):
        err_console.print(line, markup=False)
    fw = result.framework
    console.print(
        f"ok: study {result.id}: {len(result.subjects)} subjects, "
        f"{len(result.evidence)} evidence records, {len(result.profiles)} profiles, "
        f"framework {fw.id} ({len(fw.leaves)} leaves)"
    )


def _glyph_warnings(study: Study) -> list[str]:
    """Characters the report fonts cannot draw, file:line (see :func:`.fonts.glyph_warnings`)."""
    from quanheng.report.fonts import glyph_warnings  # fontTools: import when used

    return glyph_warnings(study)


def profile_warnings(study: Study) -> list[str]:
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
                f"warning: {where}: profile {prof.id!r}: the weights under {parent} sum to "
                f"{totals[parent]:.4g}, so normalise: true rescales what you wrote: "
                f"{', '.join(changes)} — write weights that sum to 1 under {parent} to use them "
                "as written (quanheng show STUDY --profile ID prints the weights used)"
            )
    return lines
