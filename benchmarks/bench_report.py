"""Benchmark: the full report (HTML, PDF, Markdown; zh and en) of 50 subjects × 56 leaves.

Run: .venv/bin/python benchmarks/bench_report.py [--subjects 50] [--formats html,pdf,md]
     [--engines weasyprint,chromium] [--end-to-end before,after,command] [--stages]
     [--draws 10000]

The report includes the decision analysis (``--draws`` simulation draws and the sensitivity
analysis: rank-probability and tornado charts, intervals), as ``quanheng report`` makes it.
``command`` times the whole command as a user runs it — load the study, score it, analyse it,
write every format in both languages (:func:`quanheng.report.report_study`).

``--stages`` prints the time of each stage per language (in this process, one after the other),
so RESULTS.md can say where the time goes. ``--end-to-end`` times :func:`write_report` as a
user gets it: ``before`` is the old path (WeasyPrint, one language after the other), ``after``
the default (Chromium when it runs, one process per language). Both run in the same
invocation, so their ratio means something on a shared, noisy machine.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import quanheng
from quanheng.analysis import analyse
from quanheng.report import analysis_for_report, build_report, report_study, write_report
from quanheng.report import render as r

SYNTH = Path(__file__).resolve().parent.parent / "tests" / "report" / "synth.py"


def _pages(pdf: bytes) -> int | str:
    """Page count from pdfinfo (page objects may sit in compressed object streams)."""
    if shutil.which("pdfinfo") is None:
        return "?"
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        info = subprocess.run(["pdfinfo", f.name], capture_output=True, text=True).stdout
    found = [line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")]
    return int(found[0]) if found else "?"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subjects", type=int, default=50)
    parser.add_argument("--formats", default="html,pdf,md")
    parser.add_argument("--engines", default="chromium")
    parser.add_argument("--stages", action="store_true")
    parser.add_argument("--end-to-end", default="before,after,command")
    parser.add_argument("--draws", type=int, default=10_000)
    args = parser.parse_args()
    spec = importlib.util.spec_from_file_location("synth", SYNTH)
    assert spec is not None and spec.loader is not None
    synth = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(synth)
    formats = args.formats.split(",")
    runs = [x for x in args.end_to_end.split(",") if x]
    with tempfile.TemporaryDirectory() as tmp:
        root = synth.make_study(Path(tmp) / "study", args.subjects)
        study = quanheng.load_study(root)
        card = quanheng.score(study)
        start = time.perf_counter()
        analysis = None
        if args.draws:
            result = analyse(study, card, draws=args.draws, seed=0)
            analysis = analysis_for_report(result, card)
        analysed = time.perf_counter()
        data = build_report(study, card, analysis, matrix=card.matrix)
        content = time.perf_counter() - analysed
        print(
            f"report of {args.subjects} subjects x {card.n_leaves} leaves, formats "
            f"{args.formats}; {os.cpu_count()} CPUs"
        )
        print(f"  {'analysis (once, ' + str(args.draws) + ' draws)':34s} {analysed - start:7.2f} s")
        print(f"  {'content (once)':34s} {content:7.2f} s")
        if args.stages:
            for engine in args.engines.split(","):
                for lang in ("zh", "en"):
                    t0 = time.perf_counter()
                    charts = r.render_charts(data, lang, png="md" in formats)
                    t1 = time.perf_counter()
                    html = r.render_html(data, lang, charts)
                    t2 = time.perf_counter()
                    r.render_markdown(data, lang, "charts", charts)
                    t3 = time.perf_counter()
                    pages: int | str = 0
                    if "pdf" in formats:
                        pdf = r.render_pdf(html, engine)
                        pages = _pages(pdf)
                    t4 = time.perf_counter()
                    print(f"  {lang} charts {'':24s} {t1 - t0:7.2f} s")
                    print(f"  {lang} html {'':26s} {t2 - t1:7.2f} s")
                    print(f"  {lang} markdown {'':22s} {t3 - t2:7.2f} s")
                    print(f"  {lang} pdf {engine} ({pages} pages){'':6s} {t4 - t3:7.2f} s")
        timings: dict[str, float] = {}
        for run in runs:
            if run == "command":
                out = Path(tmp) / "out-command"
                t0 = time.perf_counter()
                report_study(root, out, formats=formats, draws=args.draws)
                timings[run] = time.perf_counter() - t0
                label = "quanheng report (load..write)"
                print(f"  {label:34s} {timings[run]:7.2f} s  (target < 15 s)")
                continue
            engine, workers = ("weasyprint", 1) if run == "before" else ("auto", None)
            out = Path(tmp) / f"out-{run}"
            t0 = time.perf_counter()
            write_report(data, out, formats=formats, pdf_engine=engine, workers=workers)  # type: ignore[arg-type]
            timings[run] = time.perf_counter() - t0
            label = f"end to end, {run} ({engine}, workers={workers or 'auto'})"
            print(f"  {label:34s} {timings[run] + content:7.2f} s  (writing only)")
        if "before" in timings and "after" in timings:
            print(f"  speed-up before/after: {timings['before'] / timings['after']:.1f}x")


if __name__ == "__main__":
    main()
