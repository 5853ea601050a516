"""The embedded default study and the files ``quanheng demo`` writes."""

from __future__ import annotations

import os
from pathlib import Path

from quanheng.errors import EnvironmentProblem
from quanheng.scoring.scorecard import Scorecard
from quanheng.study import Study

__all__ = ["DEFAULT_STUDY", "DEMO_LIMIT", "default_study_path", "summary_markdown", "write_outputs"]

DEFAULT_STUDY = "cn-llm-vendors-2024"

DEMO_LIMIT = 5
"""Items per task that ``quanheng demo`` measures: a slice that runs in minutes on 2 cores."""


def default_study_path() -> Path:
    """Where the embedded default study lives: ``$QUANHENG_STUDY`` or the repo's ``studies/``."""
    env = os.environ.get("QUANHENG_STUDY")
    if env:
        return Path(env)
    for base in (Path(__file__).resolve().parent.parent, Path.cwd()):
        candidate = base / "studies" / DEFAULT_STUDY
        if (candidate / "study.yaml").exists():
            return candidate
    raise EnvironmentProblem(
        f"the default study studies/{DEFAULT_STUDY} was not found — run from the quanheng "
        "checkout (pip install -e .) or set QUANHENG_STUDY=/path/to/study"
    )


def write_outputs(study: Study, card: Scorecard, out: Path) -> list[Path]:
    """Write the scorecard as JSON, CSV and a Markdown summary under ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    stem = f"{study.id}.{card.profile}"
    paths = [out / f"{stem}.scorecard.json", out / f"{stem}.scorecard.csv", out / f"{stem}.md"]
    paths[0].write_text(card.to_json() + "\n", encoding="utf-8")
    card.to_frame().to_csv(paths[1], encoding="utf-8")
    paths[2].write_text(summary_markdown(study, card), encoding="utf-8")
    from quanheng.report.api import report_scorecard  # charts and PDF: heavy, import when used

    paths += [p for p in report_scorecard(study, card, out) if p.suffix in (".html", ".pdf", ".md")]
    return paths


def summary_markdown(study: Study, card: Scorecard) -> str:
    """A short Markdown summary: ranking, screened-out subjects, coverage caveat."""
    dims = card.dimensions
    names = {d: card.node_names[card.node_ids.index(d)] for d in dims}
    lines = [
        f"# {study.spec.title.en} / {study.spec.title.zh}",
        "",
        f"Framework `{card.framework}` {card.framework_version} · profile `{card.profile}` · "
        f"aggregation {card.aggregation} · missing data: {card.missing}",
        "",
        "| rank | subject | overall | "
        + " | ".join(f"{names[d].en} {names[d].zh}" for d in dims)
        + " | coverage | flags |",
        "|---:|---|---:|" + "---:|" * len(dims) + "---:|---|",
    ]
    frame = card.to_frame()
    for _sid, row in frame.iterrows():
        if row["status"] == "excluded":
            continue
        dim_cells = " | ".join(_fmt(row[d]) for d in dims)
        flags = row["reason"] if row["status"] == "flagged" else ""
        if row["overall"] is None or row["overall"] != row["overall"]:
            flags = "; ".join(f for f in (flags, "no indicator evidence: unranked") if f)
        lines.append(
            f"| {_rank(row['rank'])} | {row['name']} | {_fmt(row['overall'])} | {dim_cells} | "
            f"{_pct(row['coverage'])} | {flags} |"
        )
    excluded = [g for g in card.gates if g.status == "excluded"]
    if excluded:
        lines += ["", "## Screened out", ""]
        for g in excluded:
            lines.append(f"- **{card.name(g.subject)}**: {g.reason}")
            for r in g.failed:
                for rec in r.records:
                    lines.append(f"  - “{rec.quote}” — {rec.source.title} (`{rec.ref}`)")
    lines += [
        "",
        "Coverage is the share of the framework's weight backed by evidence; missing cells are "
        f"dropped and their siblings re-weighted, never counted as zero. "
        f"{len(card.cohort_relative)} of {card.n_leaves} leaves are normalised relative to the "
        "cohort, so their scores depend on who is compared.",
        "",
        f"Inputs: framework `{card.digests.get('framework')}`, evidence "
        f"`{card.digests.get('evidence')}` (sha256 prefixes).",
        "",
    ]
    return "\n".join(lines)


def _fmt(x: object) -> str:
    return "—" if x is None or x != x else f"{float(x):.3f}"  # type: ignore[arg-type]


def _pct(x: object) -> str:
    return "—" if x is None or x != x else f"{float(x):.0%}"  # type: ignore[arg-type]


def _rank(x: object) -> str:
    return "—" if x is None or x != x else str(int(x))  # type: ignore[call-overload]
