"""A small study measured against one endpoint, for tests of the ``measure`` command.

Its one suite (``suites/probe``) is a JSONL file of prompts written by the test, so a prompt can
carry the fake server's markers (``<echo-key:…>``, ``<always:500>``); the scorer is ``nonempty``
and the one metric, ``efficiency.ttft_p50_s``, feeds a leaf of ``cn-llm-vendor-2024``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

STUDY = """\
format: quanheng/study@1
id: probe-study
title: {{zh: 探针, en: Probe}}
framework: cn-llm-vendor-2024
unknown_gate: flag
evidence: []
subjects:
  - {{id: acme, name: {{zh: 甲, en: Acme}}}}
  - id: probe
    kind: model
    vendor: acme
    name: {{zh: 探针模型, en: Probe model}}
    endpoint:
      base_url: {base_url}
      model: probe
      api_key_env: {api_key_env}
      max_retries: {max_retries}
      max_concurrency: {concurrency}
      timeout_s: 10
measure:
  suites: [suites/probe]
"""

SUITE = """\
format: quanheng/suite@1
id: probe
name: {zh: 探针, en: Probe}
description: {en: "Prompts written by a test."}
licence: "test data"
authors: tests
tasks:
  - id: efficiency                    # feeds the framework's P7.1, so the model can be ranked
    dataset: {format: jsonl, path: items.jsonl}
    template: {name: plain, args: {field: question, lang: en}}
    scorer: {name: nonempty}
    metrics: [efficiency.ttft_p50_s]
"""


def write_study(
    directory: Path,
    base_url: str,
    prompts: Sequence[str],
    *,
    api_key_env: str | None = None,
    max_retries: int = 0,
    concurrency: int = 4,
) -> Path:
    """Write the study into ``directory`` (created) and return it."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "study.yaml").write_text(
        STUDY.format(
            base_url=base_url,
            api_key_env=api_key_env or "null",
            max_retries=max_retries,
            concurrency=concurrency,
        ),
        encoding="utf-8",
    )
    suite = directory / "suites" / "probe"
    suite.mkdir(parents=True, exist_ok=True)
    (suite / "suite.yaml").write_text(textwrap.dedent(SUITE), encoding="utf-8")
    rows = [json.dumps({"id": f"q{i}", "question": p}) for i, p in enumerate(prompts)]
    (suite / "items.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return directory


def quanheng(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m quanheng ARGS`` in a fresh process (its own lock, its own stderr)."""
    return subprocess.run(
        [sys.executable, "-m", "quanheng", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200", **(env or {})},
    )
