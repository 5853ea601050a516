"""``quanheng score PATH``: score a study and print the ranking."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from quanheng.cli._app import app, console, err_console, guarded
from quanheng.cli._load import scored
from quanheng.framework import Aggregation, MissingPolicy
from quanheng.scoring.scorecard import Scorecard
from quanheng.text import Lang


@app.command()
@guarded
def score(
    path: Path = typer.Argument(..., help="Study directory."),
    profile: str | None = typer.Option(
        None, "--profile", "-p", help="Profile id (default: framework weights)."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print the scorecard as JSON."),
    aggregation: Aggregation | None = typer.Option(
        None, "--aggregation", help="Override the framework's aggregation up the tree."
    ),
    missing: MissingPolicy | None = typer.Option(
        None, "--missing", help="Override the framework's missing-data policy."
    ),
    lang: str = typer.Option("en", "--lang", help="zh or en."),
) -> None:
    """Score a study: rank, overall, each dimension, coverage, and who was screened out."""
    _study, card = scored(path, profile, aggregation=aggregation, missing=missing)
    if json_out:
        typer.echo(card.to_json())
        return
    print_scorecard(card, "zh" if lang == "zh" else "en")


_COHORT_TITLES = {
    "vendor": "vendors (ranked among vendors)",
    "model": "models (ranked among models)",
}


def print_scorecard(card: Scorecard, lang: Lang = "en") -> None:
    """The ranking table and the screened-out list."""
    dims = card.dimensions
    table = Table(
        title=f"{card.study} · profile {card.profile} · {card.aggregation}, missing={card.missing}"
    )
    table.add_column("rank", justify="right")
    table.add_column("subject")
    table.add_column("overall", justify="right")
    for dim in dims:
        table.add_column(dim, justify="right")
    table.add_column("coverage", justify="right")
    table.add_column("flags")
    frame = card.to_frame(lang)
    several = len(set(card.cohorts)) > 1
    previous = None
    for sid, row in frame.iterrows():
        if row["status"] == "excluded":
            continue
        cohort = card.cohort(str(sid))
        if several and cohort != previous:
            # ranks restart per cohort: vendors and models are never ranked against each other
            table.add_row("", f"[bold]{_COHORT_TITLES.get(cohort, cohort)}[/]", end_section=False)
            previous = cohort
        flags = row["reason"] if row["status"] in ("flagged", "unranked") else ""
        cells = [
            _rank(row["rank"]),
            str(row["name"]),
            _fmt(row["overall"]),
            *(_fmt(row[d]) for d in dims),
            _pct(row["coverage"]),
            flags,
        ]
        table.add_row(*cells)
    console.print(table)
    console.print(
        "  ".join(f"{d} = {card.node_names[card.node_ids.index(d)].get(lang)}" for d in dims),
        markup=False,
    )
    no_data = len(frame) == 0 or bool((frame["coverage"].fillna(0) == 0).all())
    if no_data and not frame["rank"].notna().any():
        console.print(
            "[bold]No subject is ranked yet:[/] none has evidence on any leaf (coverage 0%). "
            "Add records to the study's evidence files (quanheng show FRAMEWORK --leaf ID says "
            "what a leaf takes), then score again.",
        )
    excluded = [i for i, g in enumerate(card.gates) if g.status == "excluded"]
    if excluded:
        console.print("[bold]Screened out by the gates:[/]")
        for i in excluded:
            g = card.gates[i]
            console.print(
                f"  {card.subject_names[i].get(lang)} ({card.subjects[i]}): {g.reason}",
                markup=False,
            )
            for r in g.failed:
                for rec in r.records:
                    console.print(
                        f"    “{rec.quote}” — {rec.source.title} ({rec.ref})", markup=False
                    )
    console.print(
        "[dim]Coverage = share of weight backed by data. Scores of cohort-relative leaves "
        f"({len(card.cohort_relative)} of {card.n_leaves}) depend on who is compared.[/]"
    )
    if card.sparse:
        console.print(
            f"[dim]{len(card.sparse)} cohort-relative leaves had fewer than 3 values in their "
            "cohort and were scored on a reference scale or shrunk to the middle "
            "(score --json: sparse_leaves).[/]"
        )
    for warning in card.warnings:
        err_console.print(f"warning: {warning}", markup=False)


def _fmt(x: object) -> str:
    return "—" if x is None or x != x else f"{float(x):.3f}"  # type: ignore[arg-type]


def _pct(x: object) -> str:
    return "—" if x is None or x != x else f"{float(x):.0%}"  # type: ignore[arg-type]


def _rank(x: object) -> str:
    return "—" if x is None or x != x else str(int(x))  # type: ignore[call-overload]
