"""``quanheng score PATH``: score a study and print the ranking."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from quanheng.cli._app import app, console, err_console, guarded
from quanheng.cli._load import scored
from quanheng.cli._words import LANG_HELP, WORDS, count, w
from quanheng.framework import Aggregation, MissingPolicy
from quanheng.measure.measurement import Measurement
from quanheng.scoring.scorecard import Scorecard
from quanheng.text import Lang

PROFILE_HELP = (
    "A profile id of the study (quanheng show STUDY lists them): the use case whose weights "
    "score; default: the framework's own weights."
)

EXAMPLES = """\b
Examples:
  quanheng score studies/cn-llm-vendors-2024
  quanheng score studies/cn-llm-vendors-2024 --profile code-assistant --lang zh
  quanheng score studies/cn-llm-vendors-2024 --missing worst --aggregation geometric
  quanheng score studies/cn-llm-vendors-2024 --json
"""


@app.command(epilog=EXAMPLES)
@guarded
def score(
    path: Path = typer.Argument(..., metavar="STUDY", help="The study directory to score."),
    profile: str | None = typer.Option(
        None, "--profile", "-p", metavar="PROFILE", help=PROFILE_HELP
    ),
    json_out: bool = typer.Option(
        False, "--json", help="Print the scorecard as JSON instead of the table."
    ),
    aggregation: Aggregation | None = typer.Option(
        None,
        "--aggregation",
        help="How scores combine up the tree, overriding the framework's: arithmetic or geometric.",
    ),
    missing: MissingPolicy | None = typer.Option(
        None,
        "--missing",
        help="What a missing cell counts as, overriding the framework's: drop (siblings "
        "re-weighted), worst or median.",
    ),
    lang: Lang = typer.Option("en", "--lang", help=LANG_HELP),
) -> None:
    """Score a study: rank, overall, each dimension, coverage, and who was screened out."""
    _study, card = scored(path, profile, aggregation=aggregation, missing=missing)
    if json_out:
        typer.echo(card.to_json())
        return
    print_scorecard(card, lang)


def gate_reason(card: Scorecard, i: int, lang: Lang) -> str:
    """Why subject ``i`` is flagged, screened out or unranked, in ``lang`` (empty if ranked)."""
    g = card.gates[i]
    parts = [w("gate_fails", lang, gate=r.gate) for r in g.failed]
    parts += [w(f"gate_{r.status}", lang, gate=r.gate) for r in g.unverified]
    if g.status != "excluded" and card.ranks[i] == 0:
        parts.append(w("no_indicator", lang))
    return w("list_sep", lang).join(parts)


def print_scorecard(card: Scorecard, lang: Lang = "en") -> None:
    """The ranking table and the screened-out list, every fixed word in ``lang``."""
    dims = card.dimensions
    table = Table(
        title=w(
            "score_title",
            lang,
            study=card.study,
            profile=card.profile,
            aggregation=w(f"agg_{card.aggregation}", lang),
            missing=w(f"missing_{card.missing}", lang),
        )
    )
    table.add_column(w("rank", lang), justify="right", overflow="fold")
    table.add_column(w("subject", lang), overflow="fold")
    table.add_column(w("overall", lang), justify="right", overflow="fold")
    for dim in dims:
        table.add_column(dim, justify="right", overflow="fold")
    table.add_column(w("coverage", lang), justify="right", overflow="fold")
    table.add_column(w("flags", lang), overflow="fold")
    frame = card.to_frame(lang)
    several = len(set(card.cohorts)) > 1
    previous = None
    for sid, row in frame.iterrows():
        if row["status"] == "excluded":
            continue
        cohort = card.cohort(str(sid))
        if several and cohort != previous:
            # ranks restart per cohort: vendors and models are never ranked against each other
            title = w(f"cohort_{cohort}", lang) if f"cohort_{cohort}" in WORDS else cohort
            table.add_row("", f"[bold]{title}[/]", end_section=False)
            previous = cohort
        flags = ""
        if row["status"] in ("flagged", "unranked"):
            flags = gate_reason(card, card.subjects.index(str(sid)), lang)
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
    sep = "；" if lang == "zh" else "  "
    console.print(
        sep.join(f"{d} = {card.node_names[card.node_ids.index(d)].get(lang)}" for d in dims),
        markup=False,
    )
    no_data = len(frame) == 0 or bool((frame["coverage"].fillna(0) == 0).all())
    if no_data and not frame["rank"].notna().any():
        console.print(w("none_ranked", lang))
    excluded = [i for i, g in enumerate(card.gates) if g.status == "excluded"]
    if excluded:
        console.print(w("screened_out", lang))
        for i in excluded:
            g = card.gates[i]
            name = card.subject_names[i].get(lang)
            reason = gate_reason(card, i, lang)
            line = (
                f"{name}（{card.subjects[i]}）：{reason}"
                if lang == "zh"
                else (f"{name} ({card.subjects[i]}): {reason}")
            )
            console.print(f"  {line}", markup=False)
            for r in g.failed:
                for rec in r.records:
                    console.print(
                        f"    “{rec.quote}” — {rec.source.title} ({rec.ref})", markup=False
                    )
    console.print(w("coverage_footer", lang, n=len(card.cohort_relative), total=card.n_leaves))
    if card.sparse:
        leaves = count("relative_leaf", len(card.sparse), lang)
        console.print(w("sparse_footer", lang, leaves=leaves))
    print_imported(card, lang)
    for warning in card.warnings:
        err_console.print(w("warning", lang, text=warning), markup=False)


_IMPORTED = {
    "title": ("导入的测量值（quanheng import）：", "Imported measured values (quanheng import):"),
    "conflict": ("  冲突，未合并：", "  conflict, not merged: "),
    "run": ("quanheng 自己的测量", "quanheng's own run"),
}


def print_imported(card: Scorecard, lang: Lang = "en") -> None:
    """Measured cells imported from other harnesses, with interval, n and origin, and every
    leaf measured more than once (the value shown first, the others after it)."""
    m = card.matrix
    if m is None:
        return
    k = 0 if lang == "zh" else 1
    lines: list[str] = []
    for (sid, leaf), shown in sorted(m.measured.items()):
        others = m.conflicts.get((sid, leaf), ())
        if shown.imported is None and not others:
            continue
        lines.append(f"  {sid} {leaf}: {_measured_text(shown, _IMPORTED['run'][k])}")
        if others:
            lines.append(
                _IMPORTED["conflict"][k]
                + "; ".join(_measured_text(o, _IMPORTED["run"][k]) for o in others)
            )
    if lines:
        console.print(_IMPORTED["title"][k], markup=False)
        for line in lines:
            console.print(line, markup=False)


def _measured_text(m: Measurement, own: str) -> str:
    where = own if m.imported is None else _origin_text(m)
    return f"{m.value:.3f} [{m.low:.3f}, {m.high:.3f}] n={m.n} — {where} ({', '.join(m.runs)})"


def _origin_text(m: Measurement) -> str:
    src = m.imported
    assert src is not None
    version = f" {src.harness_version}" if src.harness_version else ""
    date = f", {src.date[:10]}" if src.date else ""
    return f"{src.harness}{version} task {src.task} ({src.source_metric}{date}), {src.file}"


def _missing(x: object) -> bool:
    """None, NaN or pandas' NA (a nullable integer column's missing rank)."""
    import pandas as pd  # the scorecard's frame has pandas loaded already; the CLI starts without

    return x is None or bool(pd.isna(x))  # type: ignore[call-overload]


def _fmt(x: object) -> str:
    return "—" if _missing(x) else f"{float(x):.3f}"  # type: ignore[arg-type]


def _pct(x: object) -> str:
    return "—" if _missing(x) else f"{float(x):.0%}"  # type: ignore[arg-type]


def _rank(x: object) -> str:
    return "—" if _missing(x) else str(int(x))  # type: ignore[call-overload]
