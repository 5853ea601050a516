"""``quanheng init DIR --framework ID``: start a study that validates and scores as written.

The new directory holds ``study.yaml`` (the subjects given, or one example vendor to rename, and
a commented model and profile), ``evidence/template.yaml`` with one commented example record per
kind of evidence the framework takes — a fact, a rubric level with the leaf's level descriptors
quoted, a gate, a hand value for a measured leaf, a range, two analysts on one cell — and a
``README.md`` that says how to fill them in and what to run next. With no evidence yet, every
subject is unranked, and ``score`` says so.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import typer

from quanheng._files import display_path
from quanheng.cli._app import app, console, guarded
from quanheng.cli._words import w
from quanheng.errors import InputError
from quanheng.evidence import EVIDENCE_FORMAT
from quanheng.framework import ID_PATTERN, Framework, Node, builtin_frameworks, load_framework
from quanheng.specs.normalisation import Fixed, LogFixed, LogMinMax, MinMax, Rubric, Target
from quanheng.study import STUDY_FORMAT
from quanheng.text import Lang, Text

EXAMPLE_SUBJECT = "vendor-a"
EXAMPLE_DATE = "2024-05-21"
WRITTEN = ("study.yaml", "evidence/template.yaml", "README.md")


EXAMPLES = """\b
Examples:
  quanheng init my-study --framework cn-llm-vendor-2024
  quanheng init my-study -f cn-llm-vendor-2024 --subject baidu --subject tencent --lang zh
  quanheng init my-study -f my-framework.yaml --title "My study" --force
"""


@app.command("init", epilog=EXAMPLES)
@guarded
def init(
    directory: Path = typer.Argument(
        ..., metavar="DIR", help="The new study's directory (new or empty)."
    ),
    framework: str = typer.Option(
        ...,
        "--framework",
        "-f",
        metavar="FRAMEWORK",
        help="A built-in framework id (quanheng frameworks lists them) or a framework YAML path.",
    ),
    title: str | None = typer.Option(
        None, "--title", metavar="TITLE", help="The study's title (used for both languages)."
    ),
    subject: list[str] | None = typer.Option(
        None,
        "--subject",
        metavar="ID",
        help="A vendor id to evaluate; repeat it for each (default: one example vendor).",
    ),
    force: bool = typer.Option(
        False, "--force", help="Write into a non-empty directory, replacing the three files."
    ),
    lang: Lang = typer.Option(
        "en",
        "--lang",
        help="The language of the printed words: zh (Chinese) or en (English); the files are "
        "written with both languages' names.",
    ),
) -> None:
    """Start a study: study.yaml, evidence/template.yaml with commented examples, a README.

    The study passes `quanheng validate` as written; `quanheng score` runs on it and shows
    every subject unranked until evidence is added.
    """
    fw = load_framework(framework)
    subjects = _subject_ids(subject or [])
    _check_directory(directory, force)
    ref = framework
    if framework not in builtin_frameworks():
        ref = os.path.relpath(Path(framework).resolve(), directory.resolve())
    study_id = _study_id(directory)
    heading = title or directory.resolve().name or study_id
    files = {
        "study.yaml": study_yaml(fw, ref, study_id, heading, subjects),
        "evidence/template.yaml": evidence_template(fw, subjects[0] if subjects else None),
        "README.md": readme(fw, directory, heading),
    }
    (directory / "evidence").mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    shown = display_path(directory)
    files_text = w("files_sep", lang).join(f"{shown}/{n}" for n in WRITTEN)
    console.print(w("init_wrote", lang, files=files_text, dir=shown, fw=fw.id), markup=False)


def _subject_ids(given: list[str]) -> list[str]:
    seen: list[str] = []
    for sid in given:
        if not ID_PATTERN.match(sid):
            raise InputError.single(
                "--subject",
                None,
                f"{sid!r} is not an id",
                "use letters, digits, '.', '_' and '-', starting with a letter or digit",
            )
        if sid in seen:
            raise InputError.single("--subject", None, f"{sid!r} is given twice", "give it once")
        seen.append(sid)
    return seen


def _check_directory(directory: Path, force: bool) -> None:
    shown = display_path(directory)
    if directory.exists() and not directory.is_dir():
        raise InputError.single(
            shown, None, "exists and is not a directory", "give a new or empty directory"
        )
    if directory.is_dir() and any(directory.iterdir()) and not force:
        raise InputError.single(
            shown,
            None,
            "is not empty",
            "give a new or empty directory, or add --force to write study.yaml, "
            "evidence/template.yaml and README.md there (replacing them, keeping the rest)",
        )


def _study_id(directory: Path) -> str:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", directory.resolve().name).strip("-._")
    return name.lower() or "study"


def _q(text: str) -> str:
    """A YAML scalar for any text: a JSON string is a double-quoted YAML string."""
    return json.dumps(text, ensure_ascii=False)


def _local(value: object, lang: str = "en") -> str:
    if value is None:
        return ""
    if isinstance(value, Text):
        return value.get("zh" if lang == "zh" else "en")
    return str(value)


# --------------------------------------------------------------------------- study.yaml


def study_yaml(fw: Framework, ref: str, study_id: str, title: str, subjects: list[str]) -> str:
    """The study file: format header, title, framework, subjects, a commented profile."""
    lines = [
        f"format: {STUDY_FORMAT}",
        f"id: {study_id}",
        f"title: {{zh: {_q(title)}, en: {_q(title)}}}   # write the title in both languages",
        f"framework: {ref}   # quanheng show {fw.id} prints its gates and leaves",
        "gate_policy: exclude      # exclude | flag: what a failed gate does",
        "unknown_gate: flag        # flag | exclude | pass: a gate with no evidence yet",
        "evidence: [evidence]      # files or directories of records (YAML or CSV)",
        "subjects:",
    ]
    if subjects:
        for sid in subjects:
            lines.append(
                f"  - {{id: {sid}, kind: vendor, name: {{zh: {_q(sid)}, en: {_q(sid)}}}}}"
                "   # write the names"
            )
    else:
        lines += [
            "  # An example vendor: rename it (and its records) and add one entry per subject.",
            f"  - id: {EXAMPLE_SUBJECT}",
            "    kind: vendor",
            '    name: {zh: "厂商甲", en: "Vendor A"}',
        ]
    vendor = subjects[0] if subjects else EXAMPLE_SUBJECT
    lines += [
        "  # A model names its vendor; with an endpoint (or a local_model) `quanheng measure`",
        "  # measures it. Models are ranked among models, never against vendors.",
        f"  # - id: {vendor}-chat",
        "  #   kind: model",
        f"  #   vendor: {vendor}",
        '  #   name: {zh: "模型甲", en: "Model A"}',
        "  #   endpoint:",
        "  #     base_url: https://api.example.com/v1",
        "  #     model: model-a",
        "  #     api_key_env: VENDOR_A_API_KEY   # the NAME of the variable holding the key",
        "",
        "# Profiles are use cases with their own weights (node id → weight within its parent);",
        '# "default" is the framework\'s own weights. Remove the "# " to use this one:',
        "# profiles:",
        "#   - id: my-use-case",
        '#     name: {zh: "我的场景", en: "My use case"}',
        '#     pilots: ["a first pilot scenario"]',
        f"#     weights: {{{_example_weights(fw)}}}",
    ]
    return "\n".join(lines) + "\n"


def _example_weights(fw: Framework) -> str:
    dims = [n.id for n in fw.tree]
    if len(dims) == 1:
        return f"{dims[0]}: 1.0"
    first = 0.5
    rest = round((1 - first) / (len(dims) - 1), 4)
    parts = [f"{dims[0]}: {first}"] + [f"{d}: {rest}" for d in dims[1:]]
    return ", ".join(parts)


# --------------------------------------------------------------------------- evidence template


def evidence_template(fw: Framework, subject: str | None) -> str:
    """Zero records, and one commented example per kind of evidence the framework takes."""
    sid = subject or EXAMPLE_SUBJECT
    facts = [n for n in fw.leaves if n.kind == "fact"]
    rubrics = [n for n in fw.leaves if n.kind == "rubric" and isinstance(n.normalisation, Rubric)]
    measured = [n for n in fw.leaves if n.kind == "measured"]
    out = [
        "# Evidence for this study: one record per subject × leaf (or gate) × analyst, each with",
        "# its source and a verbatim quote. Copy this file (any name ending .yaml) or keep adding",
        "# records here; CSV files with the same fields work too (docs/formats.md).",
        f"format: {EVIDENCE_FORMAT}",
        "records:",
        '  # Every example is commented out: remove the "# " in front of each line of a record',
        "  # (keep the indentation), write your own value, source and quote, and run",
        "  # `quanheng validate` on the study. Dates are YYYY-MM-DD (or YYYY-MM, YYYY), not later",
        f"  # than today. `quanheng show {fw.id} --leaf ID` describes any leaf.",
    ]
    if facts:
        leaf = facts[0]
        out += _block(
            "a fact: a number in the leaf's unit, with the quote that states it",
            leaf,
            _record(sid, leaf.id, _number(leaf), "the sentence that gives the number"),
        )
    if facts:
        leaf = facts[1] if len(facts) > 1 else facts[0]
        value = _number(leaf)
        low, high = _around(value)
        out += _block(
            "a range: the source gives bounds, or an estimate you can only bracket",
            leaf,
            _record(
                sid,
                leaf.id,
                value,
                "the sentence that gives the figure",
                extra=[f"  range: [{_fmt(low)}, {_fmt(high)}]   # low ≤ value ≤ high"],
            ),
        )
    if rubrics:
        leaf = rubrics[0]
        out += _block(
            "a rubric level: the integer 0..5 whose descriptor the quote meets",
            leaf,
            _record(sid, leaf.id, "3", "the passage that meets level 3"),
            levels=True,
        )
        out += _block(
            "several analysts: a second analyst scores the same cell; quanheng takes the median "
            "and keeps the spread",
            leaf,
            _record(sid, leaf.id, "2", "the passage this analyst read", analyst="second-analyst"),
        )
    if fw.gates:
        gate = fw.gates[0]
        out += [
            "  #",
            "  # --- a gate: true (passes) or false (fails); a failed gate screens the subject out",
            f"  # {gate.id}: {gate.name.zh} / {gate.name.en}",
        ]
        out += _comment(_record(sid, gate.id, "true", "the passage that shows it"))
    if measured:
        leaf = measured[0]
        out += _block(
            "a measured leaf's hand value (optional): `quanheng measure` fills measured leaves; "
            "a published figure can stand in until then, and a measurement replaces it",
            leaf,
            _record(sid, leaf.id, _number(leaf), "the published score"),
        )
    return "\n".join(out) + "\n"


def _block(what: str, leaf: Node, record: list[str], *, levels: bool = False) -> list[str]:
    unit = _local(leaf.unit)
    norm = leaf.normalisation
    about = f"unit {unit}; " if unit else ""
    about += f"normalisation {norm.type}" if norm is not None else ""
    if leaf.direction == "lower":
        about += ", lower is better"
    lines = [
        "  #",
        f"  # --- {what}",
        f"  # {leaf.id}: {leaf.name.zh} / {leaf.name.en} ({about})",
    ]
    if levels and isinstance(norm, Rubric):
        lines.append("  # levels:")
        for level in sorted(norm.levels):
            text = norm.levels[level]
            words = " / ".join(t for t in (text.zh, text.en) if t)
            lines.append(f"  #   {level}: {words}")
    return lines + _comment(record)


def _comment(record: list[str]) -> list[str]:
    return [f"  # {line}" for line in record]


def _record(
    subject: str,
    indicator: str,
    value: str,
    quote: str,
    *,
    analyst: str = "your-name",
    extra: list[str] | None = None,
) -> list[str]:
    return [
        f"- subject: {subject}",
        f"  indicator: {indicator}",
        f"  value: {value}",
        *(extra or []),
        "  source:",
        '    title: "Title of the report or page"',
        '    publisher: "Who published it"',
        f"    date: {EXAMPLE_DATE}",
        "    url: https://example.org/where-it-says-so",
        f"  quote: {_q(quote + ', copied verbatim')}",
        f"  analyst: {analyst}",
    ]


def _number(leaf: Node) -> str:
    """A value the leaf's normalisation accepts: mid-scale where the scale is known."""
    norm = leaf.normalisation
    if isinstance(norm, MinMax | LogMinMax) and norm.reference is not None:
        value = (norm.reference.min + norm.reference.max) / 2
    elif isinstance(norm, Fixed | LogFixed):
        value = (norm.min + norm.max) / 2
    elif isinstance(norm, Target):
        value = norm.target
    else:
        value = 100.0
    return _fmt(value)


def _around(text: str) -> tuple[float, float]:
    value = float(text)
    if value > 0:
        return value * 0.9, value * 1.1
    return value - 1, value + 1


def _fmt(value: float) -> str:
    """A YAML number: ``1.0e+12`` (YAML 1.1 needs the dot and the sign), else plain."""
    if value != 0 and (abs(value) >= 1e6 or abs(value) < 1e-3):
        mantissa, exp = f"{value:.3e}".split("e")
        mantissa = mantissa.rstrip("0")
        if mantissa.endswith("."):
            mantissa += "0"
        return f"{mantissa}e{int(exp):+03d}"
    return f"{value:.6g}" if value != int(value) else f"{int(value)}"


# --------------------------------------------------------------------------- README


def readme(fw: Framework, directory: Path, title: str) -> str:
    """How to fill the study in and what to run next."""
    shown = display_path(directory)
    first_leaf = fw.leaves[0].id if fw.leaves else "ID"
    return f"""# {title}

A quanheng study on the framework **{fw.name.en}** (`{fw.id}` {fw.version}): {len(fw.gates)}
gates, {len(fw.tree)} dimensions, {len(fw.leaves)} leaves. It was started with `quanheng init`
and is valid as written; with no evidence yet every subject is unranked.

## Fill it in

1. **Subjects** — in `study.yaml`, one entry per vendor (and per model, which names its vendor).
   Rename the example and write the names in Chinese and English.
2. **Evidence** — `evidence/template.yaml` has one commented example per kind of record: a fact,
   a range, a rubric level (with the leaf's level descriptors quoted), two analysts on one cell, a
   gate and a measured leaf's hand value. Uncomment one (remove the `# `, keep the indentation),
   put in your subject, value, source and the verbatim quote, and copy it for the next record.
   Every record needs a source (title or document) and a quote; dates are `YYYY-MM-DD` (or
   `YYYY-MM`, `YYYY`) and not later than today.
3. **What a leaf takes** — `quanheng show {fw.id}` lists the gates and leaves with their weights;
   `quanheng show {fw.id} --leaf {first_leaf}` prints one leaf's definition, unit, normalisation
   and rubric levels (`--lang zh` in Chinese).
4. **Use cases** — uncomment the profile at the end of `study.yaml` to weigh the dimensions your
   way (`quanheng show {shown} --profile ID` prints the weights it uses).

## Next commands

```sh
quanheng validate {shown}     # every problem, one line each: file:line: what — what to do
quanheng score {shown}        # rank, scores, coverage and who the gates screened out
quanheng report {shown} --format md
```

Subjects with an `endpoint:` or `local_model:` can be measured with `quanheng measure {shown}`
once the study names suites (`measure: {{suites: [...]}}`). The file formats are described in
quanheng's `docs/formats.md`; `quanheng schema` prints their JSON Schemas.
"""
