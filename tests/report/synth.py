"""A synthetic study of any size on the built-in framework, for crowded charts and benchmarks.

Values are drawn per normalisation type so every cell is valid; about one cell in six is left
missing, and the last subjects fail a gate, so reports show missing cells and screened-out
subjects at any size.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import yaml

from quanheng.framework import load_framework
from quanheng.specs.normalisation import Fixed, LogMinMax, MinMax, Rubric, Target

FRAMEWORK = "cn-llm-vendor-2024"
ZH_NAMES = ("星河", "云图", "深度求索", "智谱华章", "月之暗面", "百川智能", "零一万物", "昆仑万维")


def make_study(
    root: Path, n_subjects: int, *, seed: int = 7, n_excluded: int = 2, missing: float = 0.15
) -> Path:
    """Write a study directory under ``root`` and return it."""
    fw = load_framework(FRAMEWORK)
    rng = np.random.default_rng(seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "evidence").mkdir(exist_ok=True)
    subjects = []
    for k in range(n_subjects):
        zh = f"{ZH_NAMES[k % len(ZH_NAMES)]}{k + 1}"
        subjects.append({"id": f"v{k + 1:02d}", "name": {"zh": zh, "en": f"Vendor {k + 1:02d}"}})
    study = {
        "format": "quanheng/study@1",
        "id": f"synthetic-{n_subjects}",
        "title": {"zh": f"合成研究 {n_subjects}", "en": f"Synthetic study {n_subjects}"},
        "framework": FRAMEWORK,
        "subjects": subjects,
    }
    records: list[dict[str, Any]] = []
    source = {"title": "Synthetic source", "url": "https://example.org/s", "date": "2024-05-01"}
    for k, subj in enumerate(subjects):
        fails = k >= n_subjects - n_excluded
        for g, gate in enumerate(fw.gates):
            records.append(
                {
                    "subject": subj["id"],
                    "indicator": gate.id,
                    "value": not (fails and g == 0),
                    "source": source,
                    "quote": f"gate evidence {subj['id']} {gate.id}",
                    "analyst": "synth",
                }
            )
        for leaf in fw.leaves:
            if rng.random() < missing:
                continue
            records.append(
                {
                    "subject": subj["id"],
                    "indicator": leaf.id,
                    "value": _value(leaf.normalisation, rng),
                    "source": source,
                    "quote": f"value for {leaf.id}",
                    "analyst": "synth",
                }
            )
    with open(root / "study.yaml", "w", encoding="utf-8") as fh:
        yaml.safe_dump(study, fh, allow_unicode=True, sort_keys=False)
    with open(root / "evidence" / "synthetic.yaml", "w", encoding="utf-8") as fh:
        yaml.safe_dump(
            {"format": "quanheng/evidence@1", "records": records},
            fh,
            allow_unicode=True,
            sort_keys=False,
        )
    return root


def _value(spec: object, rng: np.random.Generator) -> float | int:
    if isinstance(spec, Rubric):
        return int(rng.integers(0, 6))
    if isinstance(spec, Fixed):
        return round(float(rng.uniform(spec.min, spec.max)), 4)
    if isinstance(spec, LogMinMax):
        return round(float(10 ** rng.uniform(0, 4)), 2)
    if isinstance(spec, MinMax):
        return round(float(rng.uniform(0, 100)), 3)
    if isinstance(spec, Target):
        return round(float(rng.normal(spec.target, spec.width / 2)), 3)
    raise TypeError(spec)
