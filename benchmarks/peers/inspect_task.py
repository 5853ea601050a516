"""inspect_ai task over the benchmark's items (``QH_ITEMS`` names the JSON-lines file).

Run by ``benchmarks/bench_runner.py`` with the peer venv's ``inspect eval``; it needs nothing
but ``inspect_ai`` and a local OpenAI-compatible server.
"""

import os

from inspect_ai import Task, task
from inspect_ai.dataset import FieldSpec, json_dataset
from inspect_ai.scorer import match
from inspect_ai.solver import generate


@task
def quanheng_mc() -> Task:
    return Task(
        dataset=json_dataset(
            os.environ["QH_ITEMS"], FieldSpec(input="question", target="answer", id="id")
        ),
        solver=generate(),
        scorer=match(),
    )
