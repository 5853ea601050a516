"""``quanheng analyse STUDY``: how sure is the ranking, and how sensitive to each weight?"""

from __future__ import annotations

import math
from pathlib import Path

import typer
from rich.table import Table

from quanheng.analysis import Analysis, analyse
from quanheng.analysis.simulate import Concentration, MissingModel
from quanheng.cli._app import app, console, guarded
from quanheng.cli._load import scored

RANK_COLUMNS = 5


@app.command(name="analyse")
@guarded
def analyse_command(
    path: Path = typer.Argument(..., help="Study directory."),
    profile: str | None = typer.Option(
        None, "--profile", "-p", help="Profile id (default: framework weights)."
    ),
    draws: int = typer.Option(10_000, "--draws", help="Simulation draws."),
    seed: int = typer.Option(0, "--seed", help="Seed: same seed, same output."),
    concentration: float | None = typer.Option(
        None,
        "--concentration",
        help="Dirichlet concentration around the profile's weights (default: the profile's, "
        "100); inf fixes the weights.",
    ),
    uniform_weights: bool = typer.Option(
        False, "--uniform-weights", help="Draw weights uniformly: no preference at all."
    ),
    ignore_missing: bool = typer.Option(
        False,
        "--ignore-missing",
        help="Leave missing cells out of the draws (the old behaviour) instead of drawing them "
        "from the missing-cell prior.",
    ),
    json_out: bool = typer.Option(False, "--json", help="Print the analysis as JSON."),
) -> None:
    """Score intervals, rank probabilities, uncertain pairs and sensitivity for a profile."""
    conc: Concentration | None = "uniform" if uniform_weights else concentration
    missing_model: MissingModel = "ignore" if ignore_missing else "prior"
    study, card = scored(path, profile)
    result = analyse(
        study, card, draws=draws, seed=seed, concentration=conc, missing_model=missing_model
    )
    if json_out:
        typer.echo(result.to_json())
        return
    print_analysis(result)


def _pct(x: float) -> str:
    return "—" if x != x else f"{x:.0%}"


def print_analysis(result: Analysis) -> None:
    """The rank-probability table, uncertain pairs, sensitivity, methods and agreement."""
    sim = result.simulation
    conc = sim.concentration
    conc_text = conc if isinstance(conc, str) else ("fixed" if math.isinf(conc) else f"{conc:g}")
    console.print(
        f"[bold]{result.study}[/] · profile {result.profile} ({result.profile_name}) · "
        f"{sim.draws:,} draws, seed {sim.seed}, weights {conc_text}, values {sim.value_model} "
        f"({sim.uncertain_cells} uncertain cells), missing cells "
        + (
            f"drawn from the prior ({int(sim.missing_drawn.sum())} cells)"
            if sim.missing_model == "prior"
            else "left out of the draws"
        )
    )
    n = len(sim.subjects)
    table = Table(title="Scores and rank probabilities")
    table.add_column("rank", justify="right")
    table.add_column("subject")
    table.add_column("score", justify="right")
    table.add_column("90% interval", justify="right")
    table.add_column("P(best)", justify="right")
    table.add_column("coverage", justify="right")
    table.add_column("cells drawn", justify="right")
    shown = min(n, RANK_COLUMNS)
    for r in range(shown):
        table.add_column(f"P(#{r + 1})", justify="right")
    if n > shown:
        table.add_column(f"P(#{shown + 1}+)", justify="right")
    for i in sim.order():
        acc = sim.rank_acceptability[i]
        cells = [
            str(int(sim.point_ranks[i])),
            f"{result.name(sim.subjects[i])} ({sim.subjects[i]})",
            f"{sim.point[i]:.3f}",
            f"{sim.q05[i]:.3f}–{sim.q95[i]:.3f}",
            _pct(float(sim.p_best[i])),
            _pct(float(sim.coverage[i])),
            str(int(sim.missing_drawn[i])),
            *(_pct(float(acc[r])) for r in range(shown)),
        ]
        if n > shown:
            cells.append(_pct(float(acc[shown:].sum())))
        table.add_row(*cells)
    console.print(table)
    if sim.missing_model == "prior" and sim.missing_drawn.any():
        console.print(
            "[dim]coverage: the share of the weight backed by data. The score is on the data "
            "there is; the interval and the probabilities also draw every missing cell from "
            "what the cohort and the subject's other indicators suggest, so with low coverage "
            "the interval can lie away from the score.[/]"
        )
    pairs = sim.uncertain_pairs()
    if pairs:
        console.print("[bold]Pairs whose order is uncertain[/] (neither way in 90% of draws):")
        for a, b, p in pairs:
            console.print(f"  {result.name(a)} ahead of {result.name(b)} in {p:.0%} of draws")
    else:
        console.print("Every pair keeps its order in at least 90% of draws.")
    _print_sensitivity(result)
    _print_methods(result)
    _print_agreement(result)
    for sid, reason in result.excluded:
        console.print(f"[dim]Not ranked: {result.name(sid)} ({sid}) — {reason}[/]")


def _print_sensitivity(result: Analysis) -> None:
    sens = result.sensitivity
    names = result.node_names
    table = Table(title=f"Sensitivity: each weight ±{sens.delta:.0%} (siblings rescaled)")
    table.add_column("node")
    table.add_column("level", justify="right")
    table.add_column("weight", justify="right")
    table.add_column("max score change", justify="right")
    table.add_column("ranks changed", justify="right")
    table.add_column("best at −/+")
    rows = [r for r in sens.tornado if r.depth == 1] + [r for r in sens.tornado if r.depth > 1][:10]
    for r in rows:
        table.add_row(
            f"{r.node} {names.get(r.node, '')}",
            str(r.depth),
            f"{r.weight:.3f}",
            f"{r.max_change:.4f}",
            str(r.rank_changes),
            r.top_low if r.top_low == r.top_high else f"{r.top_low} / {r.top_high}",
        )
    console.print(table)
    if sens.reversals:
        rev = Table(title="Smallest single-weight change that reverses each adjacent pair")
        rev.add_column("pair")
        rev.add_column("gap", justify="right")
        rev.add_column("node")
        rev.add_column("weight now → reversal", justify="right")
        for rv in sens.reversals:
            if rv.node is None or rv.weight is None or rv.new_weight is None:
                rev.add_row(f"{rv.ahead} > {rv.behind}", f"{rv.gap:.4f}", "—", "no single weight")
            else:
                rev.add_row(
                    f"{rv.ahead} > {rv.behind}",
                    f"{rv.gap:.4f}",
                    f"{rv.node} {names.get(rv.node, '')}",
                    f"{rv.weight:.3f} → {rv.new_weight:.3f}",
                )
        console.print(rev)
    low = [lo for lo in sens.leave_one_out if lo.tau == lo.tau and lo.tau < 1][:5]
    if low:
        console.print("[bold]Leaves whose removal changes the ranking most[/] (Kendall's tau):")
        for lo in low:
            console.print(
                f"  {lo.leaf} {names.get(lo.leaf, '')}: tau {lo.tau:.2f}, best {lo.top}, "
                f"largest rank shift {lo.max_rank_shift}"
            )
    elif sens.leave_one_out:
        console.print("Leaving out any one leaf keeps the ranking (Kendall's tau 1).")


def _print_methods(result: Analysis) -> None:
    comp = result.methods
    table = Table(title="Ranks by aggregation method")
    table.add_column("subject")
    for m in comp.methods:
        table.add_column(f"{m.method} (tau {m.tau:.2f})", justify="right")
    base = comp.methods[0].ranks
    for i in sorted(range(len(comp.subjects)), key=lambda k: (base[k] or 10**9, comp.subjects[k])):
        sid = comp.subjects[i]
        table.add_row(
            f"{result.name(sid)} ({sid})",
            *(str(m.ranks[i]) if m.ranks[i] else "—" for m in comp.methods),
        )
    console.print(table)
    console.print(f"[dim]{comp.note}[/]")


def _print_agreement(result: Analysis) -> None:
    agree = result.agreement
    scored = [d for d in agree.dimensions if d.cells]
    if not scored:
        console.print("[dim]No rubric cell has two or more analysts: agreement not measured.[/]")
        return
    for d in scored:
        alpha = "undefined" if d.alpha is None else f"{d.alpha:.2f}"
        console.print(
            f"Analyst agreement on {d.dimension}: Krippendorff's alpha {alpha} over {d.cells} "
            f"cells ({', '.join(d.analysts)})"
        )
    for c in agree.flagged:
        levels = ", ".join(f"{a} {v:g}" for a, v in c.levels)
        console.print(f"  review {c.subject} × {c.leaf}: {levels}")
