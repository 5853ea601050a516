"""Benchmark: the full report (HTML, PDF, Markdown; zh and en) of 50 subjects × 56 leaves.

Run: .venv/bin/python benchmarks/bench_report.py [--subjects 50] [--formats html,pdf,md]
Prints the time of each stage per language, so RESULTS.md can say where the time goes.
"""

from __future__ import annotations

import argparse
import importlib.util
import tempfile
import time
from pathlib import Path

import quanheng
from quanheng.report import build_report
from quanheng.report import render as r

SYNTH = Path(__file__).resolve().parent.parent / "tests" / "report" / "synth.py"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subjects", type=int, default=50)
    parser.add_argument("--formats", default="html,pdf,md")
    args = parser.parse_args()
    spec = importlib.util.spec_from_file_location("synth", SYNTH)
    assert spec is not None and spec.loader is not None
    synth = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(synth)
    formats = args.formats.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        root = synth.make_study(Path(tmp) / "study", args.subjects)
        study = quanheng.load_study(root)
        card = quanheng.score(study)
        start = time.perf_counter()
        data = build_report(study, card)
        stages = {"content": time.perf_counter() - start}
        for lang in ("zh", "en"):
            t0 = time.perf_counter()
            charts = r.render_charts(data, lang, png="md" in formats)
            t1 = time.perf_counter()
            html = r.render_html(data, lang, charts)
            t2 = time.perf_counter()
            r.render_markdown(data, lang, "charts", charts)
            t3 = time.perf_counter()
            pages = 0
            if "pdf" in formats:
                pdf = r.render_pdf(html)
                pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
            t4 = time.perf_counter()
            stages[f"{lang} charts"] = t1 - t0
            stages[f"{lang} html"] = t2 - t1
            stages[f"{lang} markdown"] = t3 - t2
            stages[f"{lang} pdf ({pages} pages)"] = t4 - t3
        total = time.perf_counter() - start
    print(f"report of {args.subjects} subjects x {card.n_leaves} leaves, formats {args.formats}")
    for name, secs in stages.items():
        print(f"  {name:28s} {secs:7.2f} s")
    print(f"  {'total':28s} {total:7.2f} s  (target < 15 s)")


if __name__ == "__main__":
    main()
