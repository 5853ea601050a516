"""``quanheng validate PATH``: check a study directory or framework file, all problems at once."""

from __future__ import annotations

from pathlib import Path

import typer

from quanheng.cli._app import app, console, guarded
from quanheng.framework import Framework
from quanheng.study import validate_path


@app.command()
@guarded
def validate(
    path: Path = typer.Argument(..., help="Study directory, study.yaml or framework YAML."),
) -> None:
    """Validate a study or framework; print every problem as file:line: what — fix."""
    result = validate_path(path)
    if isinstance(result, Framework):
        console.print(
            f"ok: framework {result.id} {result.version}: {len(result.gates)} gates, "
            f"{len(result.tree)} dimensions, {len(result.leaves)} leaves"
        )
        return
    fw = result.framework
    console.print(
        f"ok: study {result.id}: {len(result.subjects)} subjects, "
        f"{len(result.evidence)} evidence records, {len(result.profiles)} profiles, "
        f"framework {fw.id} ({len(fw.leaves)} leaves)"
    )
