"""``quanheng analyse STUDY``: how sure is the ranking, and how sensitive to each weight?"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import typer
from rich.table import Table

from quanheng.analysis import Analysis, analyse
from quanheng.analysis.simulate import Concentration, MissingModel
from quanheng.cli._app import app, console, guarded
from quanheng.cli._load import scored
from quanheng.cli._words import LANG_HELP, WORDS, w
from quanheng.cli.commands.score import PROFILE_HELP, gate_reason
from quanheng.scoring.scorecard import Scorecard
from quanheng.text import Lang

RANK_COLUMNS = 5


EXAMPLES = """\b
Examples:
  quanheng analyse studies/cn-llm-vendors-2024 --profile customer-service --draws 2000
  quanheng analyse studies/cn-llm-vendors-2024 --lang zh
  quanheng analyse studies/cn-llm-vendors-2024 --concentration inf --json
"""


@app.command(name="analyse", epilog=EXAMPLES)
@guarded
def analyse_command(
    path: Path = typer.Argument(..., metavar="STUDY", help="The study directory to analyse."),
    profile: str | None = typer.Option(
        None, "--profile", "-p", metavar="PROFILE", help=PROFILE_HELP
    ),
    draws: int = typer.Option(
        10_000, "--draws", metavar="N", help="How many Monte Carlo draws to simulate."
    ),
    seed: int = typer.Option(
        0, "--seed", metavar="SEED", help="The random seed: the same seed gives the same output."
    ),
    concentration: float | None = typer.Option(
        None,
        "--concentration",
        metavar="C",
        help="The Dirichlet concentration of the weights around the profile's (default: the "
        "profile's, 100); inf fixes the weights.",
    ),
    uniform_weights: bool = typer.Option(
        False, "--uniform-weights", help="Draw the weights uniformly: no preference at all."
    ),
    ignore_missing: bool = typer.Option(
        False,
        "--ignore-missing",
        help="Leave missing cells out of the draws (the old behaviour) instead of drawing them "
        "from the missing-cell prior.",
    ),
    json_out: bool = typer.Option(
        False, "--json", help="Print the analysis as JSON instead of the tables."
    ),
    lang: Lang = typer.Option("en", "--lang", help=LANG_HELP),
) -> None:
    """Score intervals, rank probabilities, uncertain pairs and sensitivity for a profile."""
    language = lang
    conc: Concentration | None = "uniform" if uniform_weights else concentration
    missing_model: MissingModel = "ignore" if ignore_missing else "prior"
    study, card = scored(path, profile)
    result = analyse(
        study, card, draws=draws, seed=seed, concentration=conc, missing_model=missing_model
    )
    if json_out:
        typer.echo(result.to_json())
        return
    names = {s.id: s.name.get(language) for s in study.subjects}
    nodes = {n: node.name.get(language) for n, node in study.framework.nodes.items()}
    profile_name = study.profile(result.profile).name.get(language)
    reasons = {sid: not_ranked_reason(card, sid, language) for sid, _ in result.excluded}
    print_analysis(result, language, names, nodes, profile_name, reasons)


def not_ranked_reason(card: Scorecard, sid: str, lang: Lang) -> str:
    """Why ``sid`` is not in the analysis, in ``lang`` (the words of :func:`.analyse`)."""
    i = card.subjects.index(sid)
    if card.gates[i].status == "excluded":
        return w("why_screened", lang, reason=gate_reason(card, i, lang))
    if card.ranks[i] == 0:
        return w("why_no_data", lang)
    return w("why_other_cohort", lang)


def _pct(x: float) -> str:
    return "—" if x != x else f"{x:.0%}"


def print_analysis(
    result: Analysis,
    lang: Lang = "en",
    names: dict[str, str] | None = None,
    nodes: dict[str, str] | None = None,
    profile_name: str | None = None,
    reasons: dict[str, str] | None = None,
) -> None:
    """The rank-probability table, uncertain pairs, sensitivity, methods and agreement, with
    the console's words in ``lang`` and the study's names (``names``: subjects, ``nodes``:
    indicators) in it when given."""
    sim = result.simulation

    def name(sid: str) -> str:
        return (names or {}).get(sid) or result.name(sid)

    conc = sim.concentration
    fixed = w("fixed", lang)
    if isinstance(conc, str):
        conc_text = w(f"weights_{conc}", lang) if f"weights_{conc}" in WORDS else conc
    else:
        conc_text = fixed if math.isinf(conc) else f"{conc:g}"
    value_key = f"value_{sim.value_model}"
    head = w(
        "analyse_head",
        lang,
        study=f"[bold]{result.study}[/]",
        profile=result.profile,
        name=profile_name or result.profile_name,
        draws=f"{sim.draws:,}",
        seed=sim.seed,
        conc=conc_text,
        values=w(value_key, lang) if value_key in WORDS else sim.value_model,
        cells=sim.uncertain_cells,
    )
    console.print(
        head
        + (
            w("drawn_prior", lang, n=int(sim.missing_drawn.sum()))
            if sim.missing_model == "prior"
            else w("left_out", lang)
        )
    )
    n = len(sim.subjects)
    table = Table(title=w("scores_ranks", lang))
    table.add_column(w("rank", lang), justify="right")
    table.add_column(w("subject", lang), overflow="fold")
    table.add_column(w("score", lang), justify="right")
    table.add_column(w("interval90", lang), justify="right")
    table.add_column(w("p_best", lang), justify="right")
    table.add_column(w("coverage", lang), justify="right")
    table.add_column(w("cells_drawn", lang), justify="right")
    shown = min(n, RANK_COLUMNS)
    for r in range(shown):
        table.add_column(w("p_rank", lang, r=r + 1), justify="right")
    if n > shown:
        table.add_column(w("p_rank_plus", lang, r=shown + 1), justify="right")
    for i in sim.order():
        acc = sim.rank_acceptability[i]
        cells = [
            str(int(sim.point_ranks[i])),
            f"{name(sim.subjects[i])} ({sim.subjects[i]})",
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
        console.print(f"[dim]{w('coverage_note', lang)}[/]")
    pairs = sim.uncertain_pairs()
    if pairs:
        console.print(w("uncertain_pairs", lang))
        for a, b, p in pairs:
            console.print(w("pair", lang, a=name(a), b=name(b), p=f"{p:.0%}"))
    else:
        console.print(w("pairs_settled", lang))
    _print_sensitivity(result, lang, nodes)
    _print_methods(result, lang, name)
    _print_agreement(result, lang)
    for sid, reason in result.excluded:
        why = (reasons or {}).get(sid, reason)
        console.print(f"[dim]{w('not_ranked', lang, name=name(sid), sid=sid, reason=why)}[/]")


def _print_sensitivity(result: Analysis, lang: Lang, nodes: dict[str, str] | None) -> None:
    sens = result.sensitivity
    names = {**result.node_names, **(nodes or {})}
    table = Table(title=w("sensitivity", lang, delta=f"{sens.delta:.0%}"))
    table.add_column(w("node", lang))
    table.add_column(w("level", lang), justify="right")
    table.add_column(w("weight", lang), justify="right")
    table.add_column(w("max_change", lang), justify="right")
    table.add_column(w("ranks_changed", lang), justify="right")
    table.add_column(w("best_at", lang))
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
        rev = Table(title=w("reversal_title", lang))
        rev.add_column(w("pair_col", lang))
        rev.add_column(w("gap", lang), justify="right")
        rev.add_column(w("node", lang))
        rev.add_column(w("weight_now", lang), justify="right")
        for rv in sens.reversals:
            if rv.node is None or rv.weight is None or rv.new_weight is None:
                no_single = w("no_single", lang)
                rev.add_row(f"{rv.ahead} > {rv.behind}", f"{rv.gap:.4f}", "—", no_single)
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
        console.print(w("loo_head", lang))
        for lo in low:
            console.print(
                w(
                    "loo_row",
                    lang,
                    leaf=lo.leaf,
                    name=names.get(lo.leaf, ""),
                    tau=f"{lo.tau:.2f}",
                    top=lo.top,
                    shift=lo.max_rank_shift,
                )
            )
    elif sens.leave_one_out:
        console.print(w("loo_none", lang))


def _print_methods(result: Analysis, lang: Lang, name: Callable[[str], str]) -> None:
    comp = result.methods
    table = Table(title=w("methods_title", lang))
    table.add_column(w("subject", lang))
    for m in comp.methods:
        method = w(f"agg_{m.method}", lang) if f"agg_{m.method}" in WORDS else m.method
        table.add_column(f"{method} (tau {m.tau:.2f})", justify="right")
    base = comp.methods[0].ranks
    for i in sorted(range(len(comp.subjects)), key=lambda k: (base[k] or 10**9, comp.subjects[k])):
        sid = comp.subjects[i]
        table.add_row(
            f"{name(sid)} ({sid})",
            *(str(m.ranks[i]) if m.ranks[i] else "—" for m in comp.methods),
        )
    console.print(table)
    if lang == "en":  # the comparison's own note is written in English
        console.print(f"[dim]{comp.note}[/]")


def _print_agreement(result: Analysis, lang: Lang) -> None:
    agree = result.agreement
    scored = [d for d in agree.dimensions if d.cells]
    if not scored:
        console.print(f"[dim]{w('no_agreement', lang)}[/]")
        return
    for d in scored:
        alpha = w("undefined", lang) if d.alpha is None else f"{d.alpha:.2f}"
        console.print(
            w(
                "agreement",
                lang,
                dim=d.dimension,
                alpha=alpha,
                cells=d.cells,
                analysts=", ".join(d.analysts),
            )
        )
    for c in agree.flagged:
        levels = ", ".join(f"{a} {v:g}" for a, v in c.levels)
        console.print(w("review", lang, subject=c.subject, leaf=c.leaf, levels=levels))
