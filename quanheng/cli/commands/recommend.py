"""``quanheng recommend STUDY --profile P``: which vendor for this use case, and why."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from quanheng.analysis import Recommendation, recommend
from quanheng.analysis.recommend import INSUFFICIENT, p_best_label
from quanheng.cli._app import app, console, guarded
from quanheng.cli._load import scored


@app.command(name="recommend")
@guarded
def recommend_command(
    path: Path = typer.Argument(..., help="Study directory."),
    profile: str = typer.Option(..., "--profile", "-p", help="Profile id: the use case."),
    top: int = typer.Option(3, "--top", help="How many picks."),
    draws: int = typer.Option(10_000, "--draws", help="Simulation draws."),
    seed: int = typer.Option(0, "--seed", help="Seed: same seed, same output."),
    json_out: bool = typer.Option(False, "--json", help="Print the recommendation as JSON."),
) -> None:
    """Top picks with P(best) and coverage, the leaves that decide between them, risks and pilots.

    When the leaves carrying most of the profile's weight have little evidence, it says so
    first and lists the leaves to collect, by their value of information; the ordering it still
    shows is provisional.
    """
    study, card = scored(path, profile)
    result = recommend(study, card, top=top, draws=draws, seed=seed)
    if json_out:
        typer.echo(result.to_json())
        return
    print_recommendation(result)


def print_recommendation(rec: Recommendation) -> None:
    """The evidence check (first, when it fails), picks, trade-offs, risks and pilots."""
    if rec.provisional:
        console.print(f"[bold red]{INSUFFICIENT}[/]  ({rec.study}, {rec.profile})")
        for reason in rec.check.reasons:
            console.print(f"  - {reason}", markup=False)
        print_collect(rec)
    console.print(f"[bold]Which vendor for {rec.profile_name}?[/]  ({rec.study}, {rec.profile})")
    if rec.description:
        console.print(f"[dim]{rec.description}[/]")
    console.print(rec.headline, markup=False)
    what = "Provisional ordering" if rec.provisional else "Top picks"
    table = Table(title=f"{what} ({rec.draws:,} draws, seed {rec.seed})")
    table.add_column("point rank", justify="right")
    table.add_column("subject")
    table.add_column("score", justify="right")
    table.add_column("90% interval", justify="right")
    table.add_column("P(best) · coverage", justify="right")
    table.add_column("strongest leaves")
    for p in rec.picks:
        table.add_row(
            str(p.rank),
            f"{p.name} ({p.subject})",
            f"{p.score:.3f}",
            f"{p.interval[0]:.3f}–{p.interval[1]:.3f}",
            p_best_label(p).removeprefix("P(best) ").replace(" · coverage ", " · "),
            ", ".join(f"{leaf} {rec.leaf_names.get(leaf, '')}" for leaf in p.strengths),
        )
    console.print(table)
    for t in rec.tradeoffs:
        console.print(
            f"[bold]{t.a} over {t.b}[/]: gap {t.gap:.3f}, ahead in {t.p_a_ahead:.0%} of draws"
        )
        for side, items in ((t.a, t.favours_a), (t.b, t.favours_b)):
            for c in items:
                a = "—" if c.score_a is None else f"{c.score_a:.2f}"
                b = "—" if c.score_b is None else f"{c.score_b:.2f}"
                console.print(
                    f"  for {side}: {c.leaf} {rec.leaf_names.get(c.leaf, '')} "
                    f"{c.difference:+.3f} (scores {a} vs {b}, weight {c.weight:.3f})",
                    markup=False,
                )
    if rec.risks:
        console.print("[bold]Risks[/]")
        for r in rec.risks:
            who = f"{r.subject}: " if r.subject else ""
            console.print(f"  - {who}{r.message}", markup=False)
    if rec.pilots:
        console.print("[bold]Suggested pilots[/]")
        for k, pilot in enumerate(rec.pilots, 1):
            console.print(f"  {k}. {pilot}", markup=False)
    if not rec.provisional and rec.collect:
        console.print("[bold]Evidence worth collecting next[/]")
        print_collect(rec)


def print_collect(rec: Recommendation) -> None:
    """The leaves to collect, most valuable first, with their expected value of information."""
    table = Table(title="Leaves to collect, by expected value of information (EVPPI)")
    table.add_column("leaf")
    table.add_column("name")
    table.add_column("weight", justify="right")
    table.add_column("missing", justify="right")
    table.add_column("EVPPI", justify="right")
    table.add_column("P(pick changes)", justify="right")
    table.add_column("topic EVPPI", justify="right")
    for c in rec.collect:
        table.add_row(
            c.leaf,
            c.name,
            f"{c.weight:.3f}",
            f"{c.missing} of {c.subjects}",
            "—" if c.evppi is None else f"{c.evppi:.2g}",
            "—" if c.p_pick_changes is None else f"{c.p_pick_changes:.0%}",
            "—" if c.group_evppi is None else f"{c.group} {c.group_evppi:.2g}",
        )
    console.print(table)
