"""Write the OpenCompass fixture in ``tests/data/interop/opencompass/`` from its documented layout.

OpenCompass did not install here: ``pip install opencompass`` resolves to torch>=1.13.1 with
CUDA wheels (gigabytes), which the peer venv must not pull. So its output is written by hand in
the layout its summarizer and evaluators produce (``opencompass/summarizers/default.py``: header
``dataset,version,metric,mode,<model abbr>``, ``-`` for a missing cell;
``opencompass/openicl/icl_evaluator``: ``results/<model>/<dataset>.json`` with the metric in
percent and ``details`` per sample, ``correct`` a list over replicas in current versions, a
boolean keyed by index in older ones), for the same items and the same fake-server answers as
the lm-eval and inspect fixtures (``make_interop_fixtures.py``): ``The answer is X.`` for the
marker ``X``, wrong where the marker is not the gold answer.

    python benchmarks/peers/make_opencompass_fixture.py
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUN = ROOT / "tests" / "data" / "interop" / "opencompass" / "20261204_181500"
MODEL = "fake-chat"
LETTERS = "ABCD"


def main() -> None:
    ceval = []
    for i in range(10):  # make_interop_fixtures.choice_items(…, 12, {2, 5, 9}, "ceval"), first 10
        gold = LETTERS[i % 4]
        said = LETTERS[(i + 1) % 4] if i in {2, 5, 9} else gold
        ceval.append(
            {
                "pred": [said],
                "answer": [gold],
                "correct": [said == gold],
                "example_abbr": f"ceval-computer_network_{i}",
            }
        )
    gsm = {}
    for i in range(8):  # make_interop_fixtures.math_items(…, 12, {1, 6}), first 8
        answer = 3 * i + 4
        said = answer + 1 if i in {1, 6} else answer
        gsm[str(i)] = {"pred": str(said), "answer": str(answer), "correct": said == answer}
    results = RUN / "results" / MODEL
    results.mkdir(parents=True, exist_ok=True)
    acc_c = round(100 * sum(d["correct"][0] for d in ceval) / len(ceval), 2)
    acc_g = round(100 * sum(d["correct"] for d in gsm.values()) / len(gsm), 2)
    (results / "ceval-computer_network.json").write_text(
        json.dumps({"accuracy": acc_c, "details": ceval}, indent=4) + "\n", encoding="utf-8"
    )
    (results / "gsm8k.json").write_text(
        json.dumps({"accuracy": acc_g, "details": gsm}, indent=4) + "\n", encoding="utf-8"
    )
    summary = RUN / "summary"
    summary.mkdir(parents=True, exist_ok=True)
    rows = [
        f"dataset,version,metric,mode,{MODEL}",
        f"ceval-computer_network,db9ce2,accuracy,gen,{acc_c:.2f}",
        f"gsm8k,1d7fe4,accuracy,gen,{acc_g:.2f}",
        "cmmlu-agronomy,-,-,-,-",
    ]
    (summary / "summary_20261204_181500.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    for path in sorted(RUN.rglob("*")):
        if path.is_file():
            print(path.relative_to(ROOT), path.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
