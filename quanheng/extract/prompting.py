"""The model's request: what each leaf means, who the subjects are, the passage, the JSON asked.

One request per selected passage (:func:`~quanheng.extract.rules.select_passages`). The
system message states the task and the answer's shape; the user message gives, for each leaf
the passage touches, its id, names, definition, kind, unit, normalisation and (for a rubric)
the level descriptors, and the gates with their definitions; then the subjects with their ids,
names and aliases; then the passage. The answer asked for is::

    {"proposals": [{"subject": ID, "indicator": LEAF_OR_GATE, "value": NUMBER_OR_BOOL,
                    "quote": VERBATIM_TEXT, "unit": ..., "note": ...}]}

:data:`PROMPT_FORMAT` is part of every prompt, so changing the wording below means bumping it,
and the prompt's SHA-256 (:func:`prompt_sha256`) is recorded with each proposal.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from quanheng.framework import Gate, Node
from quanheng.specs.normalisation import Rubric
from quanheng.text import Text

__all__ = ["PROMPT_FORMAT", "SYSTEM", "build_messages", "prompt_sha256"]

PROMPT_FORMAT = "quanheng/extract-prompt@2"

SYSTEM = f"""You extract evidence records from a document for an analyst ({PROMPT_FORMAT}).
Read the passage. For each fact it states about one of the listed subjects that matches one of
the listed indicators, propose one record. Rules:
- "quote" must be copied character for character from the passage: the shortest clause that
  states the fact, at most 60 characters. Never paraphrase, translate or join two places.
- "value": a number for a fact indicator, in the indicator's unit (万 = 10000, 亿 = 100000000;
  a percentage as a fraction: 5% = 0.05); an integer level 1-5 for a rubric indicator, chosen
  by its level descriptors; true or false for a gate.
- "subject" and "indicator" must be ids from the lists given.
- Propose nothing the passage does not state; at most 5 records. No records is a valid answer.
Answer with JSON only: {{"proposals": [{{"subject": "...", "indicator": "...", "value": ...,
"quote": "...", "note": "..."}}]}}"""


def _text(value: Text | str | None) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else f"{value.zh} / {value.en}"


def _leaf_block(leaf: Node) -> str:
    lines = [f"- {leaf.id} {_text(leaf.name)} [{leaf.kind}]"]
    if leaf.description is not None:
        lines.append(f"  definition: {leaf.description.zh}")
    if leaf.unit is not None:
        lines.append(f"  unit: {_text(leaf.unit)}")
    spec = leaf.normalisation
    if isinstance(spec, Rubric):
        for level in range(1, 6):
            lines.append(f"  level {level}: {spec.levels[level].zh}")
    elif spec is not None:
        lines.append(f"  normalisation: {spec.type}; direction: {leaf.direction}")
    return "\n".join(lines)


def _gate_block(gate: Gate) -> str:
    definition = gate.description.zh if gate.description is not None else ""
    return f"- {gate.id} {_text(gate.name)} [gate: true/false]\n  definition: {definition}"


def build_messages(
    passage: str,
    leaves: Sequence[Node],
    subjects: Mapping[str, Sequence[str]],
    gates: Sequence[Gate] = (),
) -> list[dict[str, Any]]:
    """The chat messages of one request.

    Args:
        passage: the passage's folded text.
        leaves: the leaves to look for, in the order given.
        subjects: subject id → names and aliases.
        gates: gates to look for (none by default: a passage rarely decides a gate).
    """
    blocks = [_leaf_block(leaf) for leaf in leaves] + [_gate_block(g) for g in gates]
    who = "\n".join(f"- {sid}: {', '.join(names)}" for sid, names in subjects.items())
    user = (
        f"Indicators:\n{chr(10).join(blocks)}\n\nSubjects (id: names):\n{who}\n\n"
        f"Passage:\n<<<\n{passage}\n>>>\n\nJSON:"
    )
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def prompt_sha256(messages: Sequence[Mapping[str, Any]]) -> str:
    """Hex SHA-256 of the messages as sorted-key JSON (UTF-8 kept)."""
    blob = json.dumps(list(messages), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()
