"""``quanheng recommend STUDY --profile P``: which vendor for this use case, and why."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from quanheng.analysis import Recommendation, recommend
from quanheng.cli._app import app, console, guarded
from quanheng.cli._load import scored
from quanheng.cli._words import w
from quanheng.report.i18n import fmt_pct
from quanheng.report.memo import MemoData, build_memo, reason_texts, risk_text
from quanheng.report.pdf import PdfEngine
from quanheng.text import Lang

EXAMPLES = """\b
Examples:
  quanheng recommend studies/cn-llm-vendors-2024 --profile code-assistant
  quanheng recommend studies/cn-llm-vendors-2024 --profile code-assistant --lang zh
  quanheng recommend studies/cn-llm-vendors-2024 --profile code-assistant --format md,pdf
"""


@app.command(name="recommend", epilog=EXAMPLES)
@guarded
def recommend_command(
    path: Path = typer.Argument(..., metavar="STUDY", help="The study directory."),
    profile: str = typer.Option(
        ...,
        "--profile",
        "-p",
        metavar="PROFILE",
        help="A profile id of the study (quanheng show STUDY lists them): the use case to "
        "recommend for.",
    ),
    top: int = typer.Option(3, "--top", metavar="N", help="How many picks to show."),
    draws: int = typer.Option(
        10_000, "--draws", metavar="N", help="How many Monte Carlo draws to simulate."
    ),
    seed: int = typer.Option(
        0, "--seed", metavar="SEED", help="The random seed: the same seed gives the same output."
    ),
    json_out: bool = typer.Option(
        False, "--json", help="Print the recommendation as JSON instead of the text."
    ),
    lang: Lang = typer.Option(
        "en", "--lang", help="The language of the printed words or of the memo: zh or en."
    ),
    formats: str | None = typer.Option(
        None,
        "--format",
        metavar="FORMATS",
        help="Write the one-page decision memo instead of printing: md, html or pdf, several "
        "comma-separated (md,pdf).",
    ),
    out: Path = typer.Option(
        Path("out"), "--out", metavar="DIR", help="The directory --format writes the memo to."
    ),
    pdf_engine: PdfEngine = typer.Option(
        "auto",
        "--pdf-engine",
        help="What renders the PDF: auto (Chromium if it runs, else WeasyPrint), chromium or "
        "weasyprint.",
    ),
) -> None:
    """Top picks with P(best) and coverage, the leaves that decide between them, risks and pilots.

    When the leaves carrying most of the profile's weight have little evidence, it says so
    first and lists the leaves to collect, by their value of information; the ordering it still
    shows is provisional. With --format it writes the same as a one-page decision memo
    ({study}.{profile}.memo.{lang}.pdf|html|md under --out).
    """
    language = lang
    fmts = [f.strip() for f in formats.split(",") if f.strip()] if formats is not None else []
    if formats is not None:
        from quanheng.report.memo import check_formats
        from quanheng.report.output import prepare_output_dir

        check_formats(fmts)
        prepare_output_dir(out)  # before the simulation
    study, card = scored(path, profile)
    result = recommend(study, card, top=top, draws=draws, seed=seed)
    memo = build_memo(study, result)
    if fmts:
        from quanheng.report.memo import write_memo

        for file in write_memo(memo, out, langs=(language,), formats=fmts, pdf_engine=pdf_engine):
            console.print(w("wrote", language, path=file), markup=False)
        return
    if json_out:
        typer.echo(result.to_json())
        return
    print_recommendation(result, language, memo)


def _headline(rec: Recommendation, lang: Lang, memo: MemoData | None) -> str:
    if lang == "en" or memo is None:
        return rec.headline
    profile = memo.profile_name.get(lang)
    if not rec.picks:
        return w("headline_none", lang, profile=profile)
    parts = [
        w(
            "headline_pick",
            lang,
            name=memo.subject(p.subject, lang),
            p=fmt_pct(p.p_best),
            cov=fmt_pct(p.coverage),
        )
        for p in rec.picks
    ]
    lead = w("headline_provisional", lang) if rec.provisional else ""
    return f"{profile}：{lead}" + w("headline_then", lang).join(parts) + "。"


def print_recommendation(
    rec: Recommendation, lang: Lang = "en", memo: MemoData | None = None
) -> None:
    """The evidence check (first, when it fails), picks, trade-offs, risks and pilots.

    In Chinese (``lang="zh"``, which needs ``memo`` for the study's Chinese names) every fixed
    word and sentence is Chinese; in English it prints what it always printed.
    """
    zh = lang == "zh" and memo is not None
    lang = "zh" if zh else "en"

    def subject(sid: str) -> str:
        return memo.subject(sid, lang) if zh and memo is not None else sid

    def leaf_name(lid: str) -> str:
        if zh and memo is not None:
            return memo.leaf(lid, lang)
        return rec.leaf_names.get(lid, "")

    profile_name = memo.profile_name.get(lang) if zh and memo is not None else rec.profile_name
    if rec.provisional:
        from quanheng.analysis.recommend import INSUFFICIENT
        from quanheng.report.memo import w as memo_w

        head = memo_w("insufficient", "zh") if zh else INSUFFICIENT
        console.print(f"[bold red]{head}[/]  ({rec.study}, {rec.profile})")
        reasons = reason_texts(memo, "zh") if zh and memo is not None else rec.check.reasons
        for reason in reasons:
            console.print(f"  - {reason}", markup=False)
        print_collect(rec, lang, memo)
    console.print(
        f"[bold]{w('which_vendor', lang, profile=profile_name)}[/]  ({rec.study}, {rec.profile})"
    )
    description = (
        memo.description.get(lang)
        if zh and memo is not None and memo.description
        else rec.description
    )
    if description:
        console.print(f"[dim]{description}[/]")
    console.print(_headline(rec, lang, memo), markup=False)
    what = w("provisional" if rec.provisional else "top_picks", lang)
    table = Table(title=f"{what} ({w('draws_seed', lang, draws=f'{rec.draws:,}', seed=rec.seed)})")
    table.add_column(w("point_rank", lang), justify="right")
    table.add_column(w("subject", lang), overflow="fold")
    table.add_column(w("score", lang), justify="right")
    table.add_column(w("interval90", lang), justify="right")
    table.add_column(w("p_best_cov", lang), justify="right")
    table.add_column(w("strongest", lang))
    for p in rec.picks:
        name = memo.subject(p.subject, lang) if zh and memo is not None else p.name
        table.add_row(
            str(p.rank),
            f"{name} ({p.subject})",
            f"{p.score:.3f}",
            f"{p.interval[0]:.3f}–{p.interval[1]:.3f}",
            f"{fmt_pct(p.p_best)} · {fmt_pct(p.coverage)}",
            ", ".join(f"{leaf} {leaf_name(leaf)}" for leaf in p.strengths),
        )
    console.print(table)
    for t in rec.tradeoffs:
        console.print(
            "[bold]"
            + w(
                "over",
                lang,
                a=subject(t.a),
                b=subject(t.b),
                gap=f"{t.gap:.3f}",
                p=fmt_pct(t.p_a_ahead),
            )
            .replace(":", ":[/]", 1)
            .replace("：", "：[/]", 1)
        )
        for side, items in ((t.a, t.favours_a), (t.b, t.favours_b)):
            for c in items:
                a = "—" if c.score_a is None else f"{c.score_a:.2f}"
                b = "—" if c.score_b is None else f"{c.score_b:.2f}"
                console.print(
                    w(
                        "for_side",
                        lang,
                        side=subject(side),
                        leaf=f"{c.leaf} {leaf_name(c.leaf)}",
                        diff=f"{c.difference:+.3f}",
                        a=a,
                        b=b,
                        weight=f"{c.weight:.3f}",
                    ),
                    markup=False,
                )
    if rec.risks:
        console.print(f"[bold]{w('risks', lang)}[/]")
        for r in rec.risks:
            who = f"{r.subject}: " if r.subject else ""
            if zh:  # the Chinese order risk names its subject itself
                who = f"{subject(r.subject)}：" if r.subject and r.kind != "unsettled" else ""
            text = risk_text(memo, r, "zh") if zh and memo is not None else r.message
            console.print(f"  - {who}{text}", markup=False)
    if rec.pilots:
        console.print(f"[bold]{w('pilots', lang)}[/]")
        pilots = [p.get(lang) for p in memo.pilots] if zh and memo is not None else rec.pilots
        for k, pilot in enumerate(pilots, 1):
            console.print(f"  {k}. {pilot}", markup=False)
    if not rec.provisional and rec.collect:
        console.print(f"[bold]{w('collect_next', lang)}[/]")
        print_collect(rec, lang, memo)


def print_collect(rec: Recommendation, lang: Lang = "en", memo: MemoData | None = None) -> None:
    """The leaves to collect, most valuable first, with their expected value of information."""
    zh = lang == "zh" and memo is not None
    table = Table(title=w("collect_title", lang))
    table.add_column(w("leaf", lang))
    table.add_column(w("name", lang))
    table.add_column(w("weight", lang), justify="right")
    table.add_column(w("missing", lang), justify="right")
    table.add_column(w("evppi", lang), justify="right")
    table.add_column(w("p_change", lang), justify="right")
    table.add_column(w("topic_evppi", lang), justify="right")
    for c in rec.collect:
        table.add_row(
            c.leaf,
            memo.leaf(c.leaf, "zh") if zh and memo is not None else c.name,
            f"{c.weight:.3f}",
            w("m_of_n", lang, m=c.missing, n=c.subjects),
            "—" if c.evppi is None else f"{c.evppi:.2g}",
            "—" if c.p_pick_changes is None else f"{c.p_pick_changes:.0%}",
            "—" if c.group_evppi is None else f"{c.group} {c.group_evppi:.2g}",
        )
    console.print(table)
