"""Code execution scoring for HumanEval-style items (``prompt``, ``test``, ``entry_point``).

The program that runs is: the function the model wrote (taken from a ```python fence, or the raw
reply) — or, if the reply does not define the entry point, the prompt followed by the reply as the
function's body — then the item's ``test`` and ``check(<entry_point>)``. It runs in
:func:`quanheng.measure.sandbox.run_python`; the item passes if the program exits 0.

Executing is slow and, for hostile code, the riskiest thing quanheng does, so it happens once per
answer: the scorer's ``verdict_key`` names the verdict by the answer's hash, the hash of the
item's prompt and tests, and :data:`CODE_SCORER_VERSION` with the sandbox's version and limits;
the pipeline stores the verdict under it and never runs the same answer against the same tests
again (see :mod:`quanheng.measure.pipeline`).
"""

from __future__ import annotations

import hashlib
import json
import re

from quanheng.measure.datasets import Item
from quanheng.measure.sandbox import SANDBOX_VERSION, run_python
from quanheng.measure.scorers._base import Score, Scorer, ScorerSpec, register_scorer
from quanheng.measure.scorers._base import strip_reasoning as _strip

__all__ = ["CODE_SCORER_VERSION", "build_program", "code_exec", "extract_code"]

CODE_SCORER_VERSION = "code-1"
"""Changes whenever :func:`build_program` or the pass rule changes: stored verdicts then expire."""

_FENCE = re.compile(r"```[ \t]*(?:python3?|py)?[ \t]*\n(.*?)(?:```|\Z)", re.DOTALL | re.IGNORECASE)


def extract_code(completion: str, entry_point: str | None = None) -> str:
    """The code in a reply: the fenced block defining ``entry_point`` (else the first), or raw."""
    text = _strip(completion)
    blocks = _FENCE.findall(text)
    if not blocks:
        return text
    if entry_point:
        defining = [b for b in blocks if re.search(rf"def\s+{re.escape(entry_point)}\s*\(", b)]
        if defining:
            return str(defining[0])
    return str(max(blocks, key=len))


def build_program(item: Item, completion: str) -> str:
    """The full program to run for ``item`` with ``completion`` as the solution."""
    prompt = str(item.fields.get("prompt", ""))
    test = str(item.fields.get("test", ""))
    entry = str(item.fields.get("entry_point", ""))
    code = extract_code(completion, entry)
    if entry and re.search(rf"def\s+{re.escape(entry)}\s*\(", code):
        # keep the prompt's imports and helpers, which a reply often omits
        header = re.split(rf"(?m)^def\s+{re.escape(entry)}\s*\(", prompt, maxsplit=1)[0]
        solution = f"{header}\n{code}"
    else:
        solution = f"{prompt}{code}"
    return f"{solution}\n\n{test}\n\ncheck({entry})\n"


@register_scorer("code")
def code_exec(
    *,
    spec: ScorerSpec,
    timeout_s: float = 10.0,
    memory_mb: int = 512,
) -> Scorer:
    """1.0 if the solution passes the item's tests in the sandbox (pass@1 over one sample)."""
    if timeout_s <= 0 or memory_mb <= 0:
        raise ValueError("timeout_s and memory_mb must be positive")

    def score(item: Item, completion: str) -> Score:
        if not item.fields.get("entry_point") or not item.fields.get("test"):
            return Score(value=0.0, explanation="item has no entry_point/test")
        result = run_python(
            build_program(item, completion),
            timeout_s=timeout_s,
            memory_mb=memory_mb,
        )
        tail = result.stderr.strip().splitlines()[-1:] if result.stderr.strip() else []
        why = result.status + (f": {tail[0][:200]}" if tail and not result.ok else "")
        return Score(value=1.0 if result.ok else 0.0, answer=result.status, explanation=why)

    version = f"{CODE_SCORER_VERSION}/{SANDBOX_VERSION}/t={timeout_s:g}/m={memory_mb}"

    def verdict_key(item: Item, completion: str) -> tuple[str, str, str]:
        tests = {k: str(item.fields.get(k, "")) for k in ("prompt", "test", "entry_point")}
        return _sha(completion), _sha(json.dumps(tests, sort_keys=True)), version

    return Scorer(spec=spec, fn=score, verdict_key=verdict_key)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
