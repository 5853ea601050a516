"""``quanheng export STUDY --format jsonl|csv|parquet``: scorecards and measured results."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from quanheng.cli._app import app, console, err_console, guarded
from quanheng.cli._load import scored
from quanheng.errors import InputError
from quanheng.interop.export import ExportFormat

EXAMPLES = """\b
Examples:
  quanheng export studies/cn-llm-vendors-2024 --format csv
  quanheng export studies/cn-llm-vendors-2024 --format parquet --out out/scores.parquet
  quanheng export studies/cn-llm-vendors-2024 --format jsonl --profile code-assistant --draws 2000
"""


@app.command(epilog=EXAMPLES)
@guarded
def export(
    path: Path = typer.Argument(
        ..., metavar="STUDY", help="The study directory (the one holding study.yaml)."
    ),
    fmt: ExportFormat = typer.Option(
        ..., "--format", help="jsonl, csv or parquet (the layout quanheng/export@1)."
    ),
    out: Path | None = typer.Option(
        None, "--out", metavar="PATH", help="File to write; default: standard output (jsonl, csv)."
    ),
    profile: str | None = typer.Option(
        None,
        "--profile",
        "-p",
        metavar="PROFILE",
        help="A profile id of the study; default: the framework's own weights.",
    ),
    draws: int = typer.Option(
        0, "--draws", help="Simulation draws for the p_best column; 0 (default) leaves it empty."
    ),
    seed: int = typer.Option(0, "--seed", help="Simulation seed: same seed, same P(best)."),
) -> None:
    """Export scorecards and measured results (own and imported, with provenance) as a table.

    One row per subject and framework node (record = score) and one per measurement of a
    measured leaf (record = measured); the columns are listed in docs/formats.md.
    """
    if fmt == "parquet" and out is None:
        raise InputError.single(
            "--out",
            None,
            "Parquet is binary and is not written to the terminal",
            "give --out FILE.parquet",
        )
    from quanheng.interop.export import export_rows, render, write_export

    study, card = scored(path, profile)
    p_best = None
    if draws > 0:
        from quanheng.analysis.analyse import analyse

        sim = analyse(study, card, draws=draws, seed=seed).simulation
        p_best = {s: float(p) for s, p in zip(sim.subjects, sim.p_best, strict=True)}
    rows = export_rows(card, p_best)
    if out is None:
        sys.stdout.write(render(rows, "csv" if fmt == "csv" else "jsonl"))
        return
    write_export(rows, fmt, out)
    (err_console if out is None else console).print(
        f"wrote {out} ({len(rows)} rows, quanheng/export@1)", markup=False
    )
