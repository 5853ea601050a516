"""The default study's outputs that the golden test pins: scorecards, analyses, Markdown reports.

Measurements are fixed here (no run store, no model), so the outputs are a pure function of the
code and the committed study. ``python tests/golden/outputs.py DIR`` writes them; the golden
files in ``tests/golden/data`` were written by the code before the core redesign.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
STUDY = HERE.parent.parent / "studies" / "cn-llm-vendors-2024"

MEASURED = [
    # subject, metric, value, low, high, n  (fixed inputs of the test, not study facts)
    ("qwen2.5-coder-0.5b", "cn_knowledge.accuracy", 0.4, 0.2, 0.6, 5),
    ("qwen2.5-coder-0.5b", "math.accuracy", 0.2, 0.0, 0.4, 5),
    ("qwen2.5-coder-0.5b", "code.pass_at_1", 0.6, 0.4, 0.8, 5),
    ("qwen2.5-coder-0.5b", "efficiency.ttft_p50_s", 0.21, 0.19, 0.26, 5),
    ("qwen2.5-coder-0.5b", "efficiency.output_tokens_per_s", 41.5, 38.0, 44.0, 5),
    ("baidu", "cn_knowledge.accuracy", 0.8, 0.6, 0.9, 5),
]
PROFILES = [None, "customer-service", "code-assistant", "regulated-finance"]


def write_outputs(out: Path) -> list[Path]:
    """Write every pinned output under ``out``; return the files (JSON and Markdown)."""
    import quanheng
    from quanheng.analysis import analyse, decision_data, recommend
    from quanheng.measure.measurement import Measurement
    from quanheng.report.content import analysis_for_report, build_report
    from quanheng.report.render import write_report

    study = quanheng.load_study(STUDY)
    ms = [
        Measurement(subject=s, metric=m, value=v, low=lo, high=hi, n=n, runs=("run-golden",))
        for s, m, v, lo, hi, n in MEASURED
    ]
    out.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []

    def put(name: str, text: str) -> None:
        files.append(out / name)
        files[-1].write_text(text + "\n", encoding="utf-8")

    for prof in PROFILES:
        for label, meas in (("bare", []), ("measured", ms)):
            card = quanheng.score(study, prof, measurements=meas)
            put(f"score.{prof or 'default'}.{label}.json", card.to_json())
    card = quanheng.score(study, "customer-service", missing="worst", aggregation="geometric")
    put("score.customer-service.worst-geometric.json", card.to_json())
    for prof in ("customer-service", "code-assistant"):
        card = quanheng.score(study, prof, measurements=ms)
        data = decision_data(study, card)
        put(f"analysis.{prof}.json", analyse(study, card, draws=2000, seed=7, data=data).to_json())
        put(f"recommend.{prof}.json", recommend(study, card, draws=2000, seed=7).to_json())
    card = quanheng.score(study, "customer-service", measurements=ms)
    analysis = analysis_for_report(analyse(study, card, draws=500, seed=3), card)
    report = build_report(
        study, card, analysis, matrix=card.matrix, study_path="studies/cn-llm-vendors-2024"
    )
    written = write_report(report, out / "report", langs=("en", "zh"), formats=("md",))
    files += [p for p in written if p.suffix == ".md"]
    return files


if __name__ == "__main__":
    for path in write_outputs(Path(sys.argv[1])):
        print(path)
