# ruff: noqa: E501  (a table of cases: one case a line reads best)
"""Malformed framework, study and evidence files, each with the one line quanheng must print.

Each case copies ``tests/data/mini`` and edits one file. ``replace`` is (old, new) applied once to
the file's text (old must occur); ``write`` replaces the whole file. ``expected`` is the exact
line, with paths relative to the study directory.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    id: str
    file: str
    expected: str
    replace: tuple[str, str] | None = None
    write: str | None = None


FW = "framework.yaml"
ST = "study.yaml"
EV = "evidence/facts.yaml"
CSV = "evidence/exam.csv"

CASES: list[Case] = [
    # ---------------------------------------------------------------- framework files
    Case(
        "fw-yaml-syntax",
        FW,
        "framework.yaml:64: YAML does not parse: expected ',' or '}', but got '<stream end>' — fix the syntax at that line",
        replace=("landscape: {x: B, y: A, size: A1}", "landscape: {x: B, y: A"),
    ),
    Case(
        "fw-format",
        FW,
        "framework.yaml:1: format is 'quanheng/framework@9', expected 'quanheng/framework@1' — put `format: quanheng/framework@1` at the top",
        replace=("format: quanheng/framework@1", "format: quanheng/framework@9"),
    ),
    Case(
        "fw-missing-tree",
        FW,
        "framework.yaml:11: trees: unknown field (did you mean 'tree'?) — rename it to 'tree'",
        replace=("tree:\n  - id: A", "trees:\n  - id: A"),
    ),
    Case(
        "fw-unknown-field",
        FW,
        "framework.yaml:14: 'A' wieght: unknown field — remove it or check its spelling (see `quanheng schema`)",
        replace=("    weight: 0.6", "    wieght: 0.6"),
    ),
    Case(
        "fw-duplicate-id",
        FW,
        "framework.yaml:24: duplicate id 'A1.1' — give every node and gate its own id",
        replace=("          - id: A1.2", "          - id: A1.1"),
    ),
    Case(
        "fw-weights-sum",
        FW,
        "framework.yaml:11: weights under the root (the dimensions) sum to 1.1, not 1 — make the dimension weights sum to 1",
        replace=("    weight: 0.4", "    weight: 0.5"),
    ),
    Case(
        "fw-negative-weight",
        FW,
        "framework.yaml:47: weight of 'B' is negative (-0.4) — weights must be ≥ 0",
        replace=("    weight: 0.4", "    weight: -0.4"),
    ),
    Case(
        "fw-partial-weights",
        FW,
        "framework.yaml:15: under A, some children have weights and A1 do not — give every sibling a weight, or none for equal weights",
        replace=("      - id: A2\n", "      - id: A2\n        weight: 0.5\n"),
    ),
    Case(
        "fw-empty-children",
        FW,
        "framework.yaml:51: node 'B0' has an empty children list — add children or remove `children` and make it a leaf with kind and normalisation",
        replace=(
            "      - id: B1\n        name: {zh: 乙一, en: Beta one}\n        children:\n          - id: B1.1",
            "      - id: B0\n        name: {zh: 乙零, en: Beta zero}\n        children: []\n      - id: B1\n        name: {zh: 乙一, en: Beta one}\n        children:\n          - id: B1.1",
        ),
    ),
    Case(
        "fw-leaf-no-kind",
        FW,
        "framework.yaml:19: leaf 'A1.1' has no kind — add kind: measured, fact or rubric",
        replace=("            kind: fact\n            unit: count\n", "            unit: count\n"),
    ),
    Case(
        "fw-leaf-no-normalisation",
        FW,
        "framework.yaml:19: leaf 'A1.1' has no normalisation — add normalisation: {type: minmax|log_minmax|fixed|rubric|target}",
        replace=(
            "            unit: count\n            normalisation: {type: minmax}\n",
            "            unit: count\n",
        ),
    ),
    Case(
        "fw-rubric-level-missing",
        FW,
        "framework.yaml:27: 'A1.2' normalisation: levels [3] have no descriptor; every level 0..5 needs one — correct the value (see `quanheng schema`)",
        replace=("                3: {en: practised}\n", ""),
    ),
    Case(
        "fw-rubric-no-descriptor",
        FW,
        "framework.yaml:29: 'A1.2' normalisation.levels.3: give the text in at least one language (zh or en) — correct the value (see `quanheng schema`)",
        replace=("                3: {en: practised}\n", "                3: {}\n"),
    ),
    Case(
        "fw-fixed-range",
        FW,
        "framework.yaml:44: 'A2.1' normalisation: max (0.0) must be greater than min (100.0) — correct the value (see `quanheng schema`)",
        replace=("{type: fixed, min: 0, max: 100}", "{type: fixed, min: 100, max: 0}"),
    ),
    Case(
        "fw-unknown-normalisation",
        FW,
        "framework.yaml:23: 'A1.1' normalisation: unknown type 'zscore' (expected one of 'minmax', 'log_minmax', 'fixed', 'log_fixed', 'rubric', 'target') — use one of the allowed values",
        replace=("{type: minmax}", "{type: zscore}"),
    ),
    Case(
        "fw-log-reference-min",
        FW,
        "framework.yaml:57: reference of log-normalised 'B1.1' starts at 0 with offset 0, and log10(min + offset) needs min + offset above 0 — give a reference min above 0 in the leaf's units, or a larger offset",
        replace=(
            "{type: log_minmax}",
            "{type: log_minmax, reference: {min: 0, max: 100, basis: {en: price list}}}",
        ),
    ),
    Case(
        "fw-log-offset-inf",
        FW,
        "framework.yaml:57: 'B1.1' normalisation.offset: inf is not a finite number — give a finite number (.nan and .inf cannot be weighed, ranked or averaged)",
        replace=("{type: log_minmax}", "{type: log_minmax, offset: .inf}"),
    ),
    Case(
        "fw-reference-inf",
        FW,
        "framework.yaml:23: 'A1.1' normalisation.reference.max: inf is not a finite number — give a finite number (.nan and .inf cannot be weighed, ranked or averaged)",
        replace=(
            "{type: minmax}",
            "{type: minmax, reference: {min: 0, max: .inf, basis: {en: x}}}",
        ),
    ),
    Case(
        "fw-reference-order",
        FW,
        "framework.yaml:23: 'A1.1' normalisation.reference: max (1.0) must be greater than min (10.0) — correct the value (see `quanheng schema`)",
        replace=("{type: minmax}", "{type: minmax, reference: {min: 10, max: 1, basis: {en: x}}}"),
    ),
    Case(
        "fw-reference-no-basis",
        FW,
        "framework.yaml:23: 'A1.1' normalisation.reference.basis: required field is missing — add it",
        replace=("{type: minmax}", "{type: minmax, reference: {min: 0, max: 10}}"),
    ),
    Case(
        "fw-reference-on-fixed",
        FW,
        "framework.yaml:44: 'A2.1' normalisation.reference: unknown field — remove it or check its spelling (see `quanheng schema`)",
        replace=(
            "{type: fixed, min: 0, max: 100}",
            "{type: fixed, min: 0, max: 100, reference: {min: 0, max: 10, basis: {en: x}}}",
        ),
    ),
    Case(
        "fw-bad-kind",
        FW,
        "framework.yaml:41: 'A2.1' kind: 'measure' is not one of 'measured', 'fact' or 'rubric' — use one of the allowed values",
        replace=("            kind: measured", "            kind: measure"),
    ),
    Case(
        "fw-measured-no-metric",
        FW,
        "framework.yaml:39: measured leaf 'A2.1' names no metric — add metric: SUITE.METRIC",
        replace=("            metric: exam.accuracy\n", ""),
    ),
    Case(
        "fw-landscape-unknown",
        FW,
        "framework.yaml:63: landscape.x names unknown node 'C' — use one of the dimension ids: A, B",
        replace=("landscape: {x: B, y: A, size: A1}", "landscape: {x: C, y: A, size: A1}"),
    ),
    Case(
        "fw-lower-rubric",
        FW,
        "framework.yaml:27: direction: lower has no meaning for rubric normalisation on 'A1.2' — remove direction (rubric levels and targets already say what is better)",
        replace=(
            "            kind: rubric\n",
            "            kind: rubric\n            direction: lower\n",
        ),
    ),
    Case(
        "fw-duplicate-key",
        FW,
        "framework.yaml:15: YAML does not parse: duplicate key 'weight' — fix the syntax at that line",
        replace=("    weight: 0.6\n", "    weight: 0.6\n    weight: 0.6\n"),
    ),
    Case(
        "fw-duplicate-gate",
        FW,
        "framework.yaml:11: duplicate gate id 'market' — rename one",
        replace=(
            "  - id: market\n    name: {zh: 市场, en: Market}\n",
            "  - id: market\n    name: {zh: 市场, en: Market}\n  - id: market\n    name: {zh: 市场, en: Market}\n",
        ),
    ),
    Case(
        "fw-name-missing-en",
        FW,
        "framework.yaml:46: 'B' name.en: required field is missing — add it",
        replace=("name: {zh: 乙, en: Beta}", "name: {zh: 乙}"),
    ),
    Case(
        "fw-rubric-kind-minmax",
        FW,
        "framework.yaml:23: rubric leaf 'A1.1' must use type: rubric — add levels 0..5",
        replace=(
            "            kind: fact\n            unit: count\n            normalisation: {type: minmax}",
            "            kind: rubric\n            unit: count\n            normalisation: {type: minmax}",
        ),
    ),
    Case(
        "fw-bad-id",
        FW,
        "framework.yaml:45: id: id 'B 2' may use only letters, digits, '.', '_' and '-', starting with a letter or digit — correct the value (see `quanheng schema`)",
        replace=("  - id: B\n", "  - id: B 2\n"),
    ),
    Case(
        "fw-cycle",
        FW,
        "framework.yaml:45: a YAML alias refers to a node that contains it (a cycle) — replace the alias with its own content; a tree cannot contain itself",
        replace=(
            "  - id: B\n    name: {zh: 乙, en: Beta}\n    weight: 0.4\n    children:\n",
            "  - &beta\n    id: B\n    name: {zh: 乙, en: Beta}\n    weight: 0.4\n    children:\n      - *beta\n",
        ),
    ),
    Case(
        "fw-not-mapping",
        FW,
        "framework.yaml: a framework file must be a YAML mapping — start it with `format: ...`",
        write="- just\n- a list\n",
    ),
    # non-finite numbers: .nan or .inf anywhere a number is read is refused at its line
    Case(
        "fw-nan-weight",
        FW,
        "framework.yaml:14: 'A' weight: nan is not a finite number — give a finite number (.nan and .inf cannot be weighed, ranked or averaged)",
        replace=("    weight: 0.6", "    weight: .nan"),
    ),
    Case(
        "fw-inf-weight",
        FW,
        "framework.yaml:47: 'B' weight: inf is not a finite number — give a finite number (.nan and .inf cannot be weighed, ranked or averaged)",
        replace=("    weight: 0.4", "    weight: .inf"),
    ),
    Case(
        "fw-inf-fixed-max",
        FW,
        "framework.yaml:44: 'A2.1' normalisation.max: inf is not a finite number — give a finite number (.nan and .inf cannot be weighed, ranked or averaged)",
        replace=("{type: fixed, min: 0, max: 100}", "{type: fixed, min: 0, max: .inf}"),
    ),
    Case(
        "fw-nan-fixed-min",
        FW,
        "framework.yaml:44: 'A2.1' normalisation.min: nan is not a finite number — give a finite number (.nan and .inf cannot be weighed, ranked or averaged)",
        replace=("{type: fixed, min: 0, max: 100}", "{type: fixed, min: .nan, max: 100}"),
    ),
    Case(
        "fw-nan-target",
        FW,
        "framework.yaml:62: 'B1.2' normalisation.target: nan is not a finite number — give a finite number (.nan and .inf cannot be weighed, ranked or averaged)",
        replace=("target: 100, width: 50", "target: .nan, width: 50"),
    ),
    Case(
        "fw-inf-target-width",
        FW,
        "framework.yaml:62: 'B1.2' normalisation.width: inf is not a finite number — give a finite number (.nan and .inf cannot be weighed, ranked or averaged)",
        replace=("target: 100, width: 50", "target: 100, width: .inf"),
    ),
    Case(
        "fw-inf-log-offset",
        FW,
        "framework.yaml:57: 'B1.1' normalisation.offset: inf is not a finite number — give a finite number (.nan and .inf cannot be weighed, ranked or averaged)",
        replace=("{type: log_minmax}", "{type: log_minmax, offset: .inf}"),
    ),
    # ---------------------------------------------------------------- study files
    Case(
        "st-format",
        ST,
        "study.yaml:1: format is 'study', expected 'quanheng/study@1' — put `format: quanheng/study@1` at the top",
        replace=("format: quanheng/study@1", "format: study"),
    ),
    Case(
        "st-unknown-framework",
        ST,
        "study.yaml:4: framework 'nowhere.yaml' is neither a built-in nor a file next to study.yaml — use a built-in (cn-llm-vendor-2024) or a relative path",
        replace=("framework: framework.yaml", "framework: nowhere.yaml"),
    ),
    Case(
        "st-duplicate-subject",
        ST,
        "study.yaml:9: duplicate subject id 's1' — rename one",
        replace=(
            "  - {id: s3, name: {zh: 三, en: Three}}\n",
            "  - {id: s3, name: {zh: 三, en: Three}}\n  - {id: s1, name: {zh: 一, en: One}}\n",
        ),
    ),
    Case(
        "st-unknown-vendor",
        ST,
        "study.yaml:12: model 'm1' names unknown vendor 's9' — add a vendor subject 's9' or use one of: out, s1, s2, s3",
        replace=("    vendor: s1", "    vendor: s9"),
    ),
    Case(
        "st-profile-unknown-node",
        ST,
        "study.yaml:18: profile 'beta-heavy' weights unknown node 'Z' — use node ids of the framework (see `quanheng show`)",
        replace=("weights: {A: 1, B: 3}", "weights: {A: 1, Z: 3}"),
    ),
    Case(
        "st-profile-negative",
        ST,
        "study.yaml:18: profile 'beta-heavy': weight of 'B' is -3 — weights must be finite and ≥ 0",
        replace=("weights: {A: 1, B: 3}", "weights: {A: 1, B: -3}"),
    ),
    Case(
        "st-profile-default",
        ST,
        "study.yaml:15: profile 'default' is reserved for the framework's weights — rename it",
        replace=("  - id: beta-heavy", "  - id: default"),
    ),
    Case(
        "st-profile-sum",
        ST,
        "study.yaml:18: profile 'beta-heavy': weights under the root (the dimensions) sum to 4 — make them sum to 1, or set normalise: true",
        replace=("    weights: {A: 1, B: 3}", "    weights: {A: 1, B: 3}\n    normalise: false"),
    ),
    Case(
        "st-subject-unknown-field",
        ST,
        "study.yaml:6: 's1' colour: unknown field — remove it or check its spelling (see `quanheng schema`)",
        replace=(
            "  - {id: s1, name: {zh: 一, en: One}}",
            "  - {id: s1, name: {zh: 一, en: One}, colour: red}",
        ),
    ),
    Case(
        "st-bad-kind",
        ST,
        "study.yaml:11: 'm1' kind: 'product' is not one of 'vendor' or 'model' — use one of the allowed values",
        replace=("    kind: model", "    kind: product"),
    ),
    Case(
        "st-evidence-path",
        ST,
        "study.yaml:5: evidence path 'more-evidence' does not exist — create it or remove it from `evidence:`",
        replace=(
            "framework: framework.yaml",
            "framework: framework.yaml\nevidence: [evidence, more-evidence]",
        ),
    ),
    Case(
        "st-nan-profile-weight",
        ST,
        "study.yaml:18: 'beta-heavy' weights.A: nan is not a finite number — give a finite number (.nan and .inf cannot be weighed, ranked or averaged)",
        replace=("weights: {A: 1, B: 3}", "weights: {A: .nan, B: 3}"),
    ),
    Case(
        "st-inf-profile-weight",
        ST,
        "study.yaml:18: 'beta-heavy' weights.B: -inf is not a finite number — give a finite number (.nan and .inf cannot be weighed, ranked or averaged)",
        replace=("weights: {A: 1, B: 3}", "weights: {A: 1, B: -.inf}"),
    ),
    Case(
        "st-inf-ahp-judgement",
        ST,
        "study.yaml:18: 'beta-heavy' ahp.overall.0.2: inf is not a finite number — give a finite number (.nan and .inf cannot be weighed, ranked or averaged)",
        replace=("weights: {A: 1, B: 3}", "ahp: {overall: [[A, B, .inf]]}"),
    ),
    Case(
        "st-nan-ahp-fraction",
        ST,
        "study.yaml:18: 'beta-heavy' ahp.overall.0.2: nan is not a finite number — give a finite number (.nan and .inf cannot be weighed, ranked or averaged)",
        replace=("weights: {A: 1, B: 3}", "ahp: {overall: [[A, B, nan/1]]}"),
    ),
    Case(
        "st-nan-objective-share",
        ST,
        "study.yaml:18: 'beta-heavy' objective.share: nan is not a finite number — give a finite number (.nan and .inf cannot be weighed, ranked or averaged)",
        replace=("weights: {A: 1, B: 3}", "objective: {method: entropy, share: .nan}"),
    ),
    Case(
        "st-inf-temperature",
        ST,
        "study.yaml:6: 's1' endpoint.temperature: inf is not a finite number — give a finite number (.nan and .inf cannot be weighed, ranked or averaged)",
        replace=(
            "  - {id: s1, name: {zh: 一, en: One}}",
            '  - {id: s1, name: {zh: 一, en: One}, endpoint: {base_url: "http://127.0.0.1:9/v1", model: m, temperature: .inf}}',
        ),
    ),
    Case(
        "st-inf-timeout",
        ST,
        "study.yaml:6: 's1' endpoint.timeout_s: inf is not a finite number — give a finite number (.nan and .inf cannot be weighed, ranked or averaged)",
        replace=(
            "  - {id: s1, name: {zh: 一, en: One}}",
            '  - {id: s1, name: {zh: 一, en: One}, endpoint: {base_url: "http://127.0.0.1:9/v1", model: m, timeout_s: .inf}}',
        ),
    ),
    Case(
        "st-nan-measure-limit",
        ST,
        "study.yaml:5: measure.limit: nan is not a finite number — give a finite number (.nan and .inf cannot be weighed, ranked or averaged)",
        replace=("framework: framework.yaml", "framework: framework.yaml\nmeasure: {limit: .nan}"),
    ),
    # ---------------------------------------------------------------- evidence files
    Case(
        "ev-unknown-subject",
        EV,
        "evidence/facts.yaml:13: evidence for unknown subject 's7' — use a subject id from study.yaml: m1, out, s1, s2, s3",
        replace=("{subject: s2, indicator: A1.2", "{subject: s7, indicator: A1.2"),
    ),
    Case(
        "ev-unknown-indicator",
        EV,
        "evidence/facts.yaml:13: evidence for unknown indicator 'A9' — use a leaf or gate id of the framework (see `quanheng show`)",
        replace=("{subject: s2, indicator: A1.2", "{subject: s2, indicator: A9"),
    ),
    Case(
        "ev-rubric-out-of-scale",
        EV,
        "evidence/facts.yaml:13: rubric leaf 'A1.2' takes a level 0..5, found 7 — give the integer level whose descriptor the quote meets",
        replace=("indicator: A1.2, value: 2,", "indicator: A1.2, value: 7,"),
    ),
    Case(
        "ev-rubric-fraction",
        EV,
        "evidence/facts.yaml:13: rubric leaf 'A1.2' takes a level 0..5, found 2.5 — give the integer level whose descriptor the quote meets",
        replace=("indicator: A1.2, value: 2,", "indicator: A1.2, value: 2.5,"),
    ),
    Case(
        "ev-gate-number",
        EV,
        "evidence/facts.yaml:6: gate 'market' needs true or false, found 0 — write value: true (passes) or value: false (fails)",
        replace=("indicator: market, value: false", "indicator: market, value: 0"),
    ),
    Case(
        "ev-fact-bool",
        EV,
        "evidence/facts.yaml:9: fact leaf 'A1.1' takes a number, found true — give the quantity in count",
        replace=("indicator: A1.1, value: 20,", "indicator: A1.1, value: true,"),
    ),
    Case(
        "ev-text-value",
        EV,
        "evidence/facts.yaml:9: value: value must be a number or true/false, not text (found 'twenty') — correct the value (see `quanheng schema`)",
        replace=("indicator: A1.1, value: 20,", "indicator: A1.1, value: twenty,"),
    ),
    Case(
        "ev-range-reversed",
        EV,
        "evidence/facts.yaml:9: range [30, 10]: low is above high — correct the value (see `quanheng schema`)",
        replace=("indicator: A1.1, value: 20,", "indicator: A1.1, value: 20, range: [30, 10],"),
    ),
    Case(
        "ev-value-outside-range",
        EV,
        "evidence/facts.yaml:9: range [21, 30]: value 20 lies outside it — correct the value (see `quanheng schema`)",
        replace=("indicator: A1.1, value: 20,", "indicator: A1.1, value: 20, range: [21, 30],"),
    ),
    Case(
        "ev-missing-quote",
        EV,
        "evidence/facts.yaml:9: quote: required field is missing — add it",
        replace=(', quote: "20", analyst: a}', ", analyst: a}"),
    ),
    Case(
        "ev-missing-source",
        EV,
        "evidence/facts.yaml:9: source: required field is missing — add it",
        replace=("value: 20, source: {title: T},", "value: 20,"),
    ),
    Case(
        "ev-source-anonymous",
        EV,
        "evidence/facts.yaml:9: source: a source needs a title or a document reference — correct the value (see `quanheng schema`)",
        replace=("value: 20, source: {title: T},", "value: 20, source: {date: 2024-01-01},"),
    ),
    Case(
        "ev-log-zero",
        EV,
        "evidence/facts.yaml:15: leaf 'B1.1' is log-normalised and needs values above 0, found 0 — check the value, or use a normalisation with an offset",
        replace=("indicator: B1.1, value: 100,", "indicator: B1.1, value: 0,"),
    ),
    Case(
        "ev-format",
        EV,
        "evidence/facts.yaml:1: format is 'quanheng/evidence@2', expected 'quanheng/evidence@1' — start the file with `format: quanheng/evidence@1` and a `records:` list",
        replace=("format: quanheng/evidence@1", "format: quanheng/evidence@2"),
    ),
    Case(
        "ev-records-not-list",
        EV,
        "evidence/facts.yaml:2: records must be a list — write `records:` followed by `- subject: ...` items",
        write="format: quanheng/evidence@1\nrecords: {subject: s1}\n",
    ),
    Case(
        "csv-missing-column",
        CSV,
        "evidence/exam.csv:1: missing column(s) quote — use the columns subject, indicator, value, low, high, unit, source_title, source_url, source_document, source_date, source_publisher, quote, analyst, note",
        write="subject,indicator,value,source_title,analyst\ns1,A2.1,80,Exam board,b\n",
    ),
    Case(
        "csv-cell-count",
        CSV,
        "evidence/exam.csv:3: row has 9 cells but the header has 10 — quote cells that contain commas and give every column",
        replace=("s2,A2.1,60,,,Exam board", "s2,A2.1,60,,Exam board"),
    ),
    Case(
        "csv-text-value",
        CSV,
        "evidence/exam.csv:3: value: value must be a number or true/false, not text (found 'sixty') — correct the value (see `quanheng schema`)",
        replace=("s2,A2.1,60,", "s2,A2.1,sixty,"),
    ),
    Case(
        "csv-half-range",
        CSV,
        "evidence/exam.csv:3: range: give both low and high, or neither — correct the cell",
        replace=("s2,A2.1,60,,,", "s2,A2.1,60,50,,"),
    ),
    Case(
        "ev-nan-value",
        EV,
        "evidence/facts.yaml:9: value: value must be a finite number (found nan) — correct the value (see `quanheng schema`)",
        replace=("indicator: A1.1, value: 20,", "indicator: A1.1, value: .nan,"),
    ),
    Case(
        "ev-inf-value",
        EV,
        "evidence/facts.yaml:9: value: value must be a finite number (found -inf) — correct the value (see `quanheng schema`)",
        replace=("indicator: A1.1, value: 20,", "indicator: A1.1, value: -.inf,"),
    ),
    Case(
        "ev-inf-range",
        EV,
        "evidence/facts.yaml:9: range.1: inf is not a finite number — give a finite number (.nan and .inf cannot be weighed, ranked or averaged)",
        replace=("indicator: A1.1, value: 20,", "indicator: A1.1, value: 20, range: [10, .inf],"),
    ),
    Case(
        "ev-nan-range",
        EV,
        "evidence/facts.yaml:9: range.0: nan is not a finite number — give a finite number (.nan and .inf cannot be weighed, ranked or averaged)",
        replace=("indicator: A1.1, value: 20,", "indicator: A1.1, value: 20, range: [.nan, 30],"),
    ),
    Case(
        "csv-nan-value",
        CSV,
        "evidence/exam.csv:3: value: value must be a finite number (found nan) — correct the value (see `quanheng schema`)",
        replace=("s2,A2.1,60,", "s2,A2.1,nan,"),
    ),
    Case(
        "csv-inf-high",
        CSV,
        "evidence/exam.csv:3: range.1: inf is not a finite number — give a finite number (.nan and .inf cannot be weighed, ranked or averaged)",
        replace=("s2,A2.1,60,,,", "s2,A2.1,60,50,inf,"),
    ),
    # ---------------------------------------------------------------- dates and near-miss ids
    Case(
        "ev-date-words",
        EV,
        "evidence/facts.yaml:9: source.date: 'last week' is not a date — write the date as YYYY-MM-DD (or YYYY-MM / YYYY when only that is known)",
        replace=(
            "value: 20, source: {title: T},",
            "value: 20, source: {title: T, date: last week},",
        ),
    ),
    Case(
        "ev-date-future",
        EV,
        "evidence/facts.yaml:9: source.date: '2999-01-01' is in the future — give the date the source was published: no source is dated after today",
        replace=(
            "value: 20, source: {title: T},",
            "value: 20, source: {title: T, date: 2999-01-01},",
        ),
    ),
    Case(
        "ev-date-slashes",
        EV,
        "evidence/facts.yaml:9: source.date: '2024/5/1' is not a date — write it as 2024-05-01 (YYYY-MM-DD, or YYYY-MM / YYYY when only that is known)",
        replace=(
            "value: 20, source: {title: T},",
            "value: 20, source: {title: T, date: 2024/5/1},",
        ),
    ),
    Case(
        "ev-date-not-in-calendar",
        EV,
        "evidence/facts.yaml:9: source.date: '2024-02-30' is not a date of the calendar — write the date as YYYY-MM-DD (or YYYY-MM / YYYY when only that is known)",
        replace=(
            "value: 20, source: {title: T},",
            "value: 20, source: {title: T, date: 2024-02-30},",
        ),
    ),
    Case(
        "csv-date-words",
        CSV,
        "evidence/exam.csv:3: source.date: 'yesterday' is not a date — write the date as YYYY-MM-DD (or YYYY-MM / YYYY when only that is known)",
        replace=("s2,A2.1,60,,,Exam board,2024-01,", "s2,A2.1,60,,,Exam board,yesterday,"),
    ),
    Case(
        "ev-indicator-typo",
        EV,
        "evidence/facts.yaml:13: evidence for unknown indicator 'A12' (did you mean 'A1.2'?) — use a leaf or gate id of the framework (see `quanheng show`)",
        replace=("{subject: s2, indicator: A1.2", "{subject: s2, indicator: A12"),
    ),
    Case(
        "ev-indicator-inner-node",
        EV,
        "evidence/facts.yaml:13: 'A1' has children: evidence goes on its leaves (A1.1, A1.2) — give the leaf the quote is about (quanheng show FRAMEWORK --leaf ID describes each)",
        replace=("{subject: s2, indicator: A1.2", "{subject: s2, indicator: A1"),
    ),
    Case(
        "ev-gate-typo",
        EV,
        "evidence/facts.yaml:6: evidence for unknown indicator 'markt' (did you mean 'market'?) — use a leaf or gate id of the framework (see `quanheng show`)",
        replace=("indicator: market, value: false", "indicator: markt, value: false"),
    ),
    Case(
        "ev-subject-typo",
        EV,
        "evidence/facts.yaml:13: evidence for unknown subject 's22' (did you mean 's2'?) — use a subject id from study.yaml: m1, out, s1, s2, s3",
        replace=("{subject: s2, indicator: A1.2", "{subject: s22, indicator: A1.2"),
    ),
    Case(
        "st-framework-typo",
        ST,
        "study.yaml:4: framework 'cn-llm-vendor-2042' is neither a built-in nor a file next to study.yaml (did you mean 'cn-llm-vendor-2024'?) — use a built-in (cn-llm-vendor-2024) or a relative path",
        replace=("framework: framework.yaml", "framework: cn-llm-vendor-2042"),
    ),
    Case(
        "st-vendor-typo",
        ST,
        "study.yaml:12: model 'm1' names unknown vendor 's11' (did you mean 's1'?) — add a vendor subject 's11' or use one of: out, s1, s2, s3",
        replace=("    vendor: s1", "    vendor: s11"),
    ),
    Case(
        "st-profile-node-typo",
        ST,
        "study.yaml:18: profile 'beta-heavy' weights unknown node 'A11' (did you mean 'A1.1' or 'A1'?) — use node ids of the framework (see `quanheng show`)",
        replace=("weights: {A: 1, B: 3}", "weights: {A: 1, B: 3, A11: 1}"),
    ),
    Case(
        "st-ahp-parent-typo",
        ST,
        "study.yaml:18: profile 'beta-heavy': AHP parent 'overal' is not a node of the framework (did you mean 'overall'?) — use a node with children, or `overall` for the dimensions",
        replace=("weights: {A: 1, B: 3}", "ahp: {overal: [[A, B, 2]]}"),
    ),
    Case(
        "fw-landscape-typo",
        FW,
        "framework.yaml:63: landscape.size names unknown node 'A01' (did you mean 'A1'?) — use one of the dimension ids: A, B",
        replace=("landscape: {x: B, y: A, size: A1}", "landscape: {x: B, y: A, size: A01}"),
    ),
]
