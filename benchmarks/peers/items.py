"""The multiple-choice items every harness in the runner benchmark gets, as JSON lines.

Item ``i`` asks ``benchmark item i <answer:X>`` with four options; the fake server
(``tests/measure/fakeserver.py``) answers ``The answer is X.`` to it, so every harness sees the
same prompts, the same answers and the same 20 ms service time.
"""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["item", "write_items"]

LETTERS = "ABCD"


def item(i: int) -> dict[str, object]:
    """Item ``i``: id, question text (the whole user message), choices and gold letter."""
    gold = LETTERS[i % 4]
    choices = [f"option {letter.lower()} of item {i}" for letter in LETTERS]
    lines = [f"benchmark item {i} <answer:{gold}>"]
    lines += [f"{letter}) {text}" for letter, text in zip(LETTERS, choices, strict=True)]
    lines.append("Answer with the letter of the correct option.")
    return {"id": f"item-{i}", "question": "\n".join(lines), "choices": choices, "answer": gold}


def write_items(path: Path, n: int) -> Path:
    """Write items ``0 .. n-1`` to ``path`` as JSON lines and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            out.write(json.dumps(item(i), ensure_ascii=False) + "\n")
    return path
