"""Writes the golden outputs of the default study (run once, on the code before the redesign).

The redesign must leave them byte-identical; ``tests/test_golden.py`` recomputes them with the
current API. Measurements are fixed here (no run store), so the outputs do not depend on a model.
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
STUDY = HERE.parent.parent / "studies" / "cn-llm-vendors-2024"

MEASURED = [
    # subject, metric, value, low, high, n
    ("qwen2.5-coder-0.5b", "cn_knowledge.accuracy", 0.4, 0.2, 0.6, 5),
    ("qwen2.5-coder-0.5b", "math.accuracy", 0.2, 0.0, 0.4, 5),
    ("qwen2.5-coder-0.5b", "code.pass_at_1", 0.6, 0.4, 0.8, 5),
    ("qwen2.5-coder-0.5b", "efficiency.ttft_p50_s", 0.21, 0.19, 0.26, 5),
    ("qwen2.5-coder-0.5b", "efficiency.output_tokens_per_s", 41.5, 38.0, 44.0, 5),
    ("baidu", "cn_knowledge.accuracy", 0.8, 0.6, 0.9, 5),
]
PROFILES = [None, "customer-service", "code-assistant", "regulated-finance"]


def main(out: Path) -> None:
    import quanheng
    from quanheng.analysis import analyse, recommend
    from quanheng.matrix import Measurement
    from quanheng.report.content import analysis_for_report, build_report
    from quanheng.report.render import write_report

    study = quanheng.load_study(STUDY)
    ms = [
        Measurement(subject=s, metric=m, value=v, low=lo, high=hi, n=n, runs=("run-golden",))
        for s, m, v, lo, hi, n in MEASURED
    ]
    out.mkdir(parents=True, exist_ok=True)
    for prof in PROFILES:
        tag = prof or "default"
        for label, meas in (("bare", []), ("measured", ms)):
            card = quanheng.score(study, prof, measurements=meas)
            (out / f"score.{tag}.{label}.json").write_text(card.to_json() + "\n", "utf-8")
    card = quanheng.score(study, "customer-service", missing="worst", aggregation="geometric",
                          measurements=[])
    (out / "score.customer-service.worst-geometric.json").write_text(card.to_json() + "\n")
    from quanheng.analysis.inputs import decision_data

    for prof in ("customer-service", "code-assistant"):
        data = decision_data(study, prof, measurements=ms)
        a = analyse(study, prof, draws=2000, seed=7, data=data)
        (out / f"analysis.{prof}.json").write_text(a.to_json() + "\n", "utf-8")
        r = recommend(study, prof, draws=2000, seed=7, data=data)
        (out / f"recommend.{prof}.json").write_text(r.to_json() + "\n", "utf-8")
    data = decision_data(study, "customer-service", measurements=ms)
    card = data.card
    analysis = analysis_for_report(analyse(study, card.profile, draws=500, seed=3, data=data), card)
    report = build_report(study, card, analysis, matrix=card.matrix)
    md = out / "report"
    write_report(report, md, langs=("en", "zh"), formats=("md",))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
