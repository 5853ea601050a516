# ruff: noqa: E501  (the YAML fixture reads best one leaf a line)
"""Frameworks (quanheng.framework): loading, the compiled tree, and validation with file:line.

The hand-made framework ``TWO_LEVEL`` below has two dimensions and four leaves::

    D1 (weight .75)            L1 fixed 0..10, L2 minmax lower (no weights: equal, .5 each)
    D2 (weight .25, rescaled)  L3 rubric weight 2, L4 target weight 6 (→ .25 and .75)

Compiled positions: leaves L1..L4 = 0..3 (file order), inner nodes in post-order D1 = 4,
D2 = 5, then the root ``overall`` = 6.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from quanheng.errors import FrameworkError
from quanheng.framework import (
    Framework,
    builtin_frameworks,
    compile_tree,
    load_framework,
    parse_framework,
)
from quanheng.specs.normalisation import Fixed, MinMax, Rubric, Target

LEVELS = "\n".join(f"            {k}: {{en: level {k}}}" for k in range(6))
TWO_LEVEL = f"""\
format: quanheng/framework@1
id: two-level
version: "0.1"
name: {{zh: 两层, en: Two levels}}
gates:
  - {{id: g1, name: {{zh: 门一, en: Gate one}}}}
tree:
  - id: D1
    name: {{zh: 维一, en: Dimension one}}
    weight: 0.75
    children:
      - {{id: L1, name: {{zh: 一, en: One}}, kind: fact, normalisation: {{type: fixed, min: 0, max: 10}}}}
      - {{id: L2, name: {{zh: 二, en: Two}}, kind: fact, direction: lower, normalisation: {{type: minmax}}}}
  - id: D2
    name: {{zh: 维二, en: Dimension two}}
    weight: 0.25
    normalise_weights: true
    children:
      - id: L3
        name: {{zh: 三, en: Three}}
        kind: rubric
        weight: 2
        normalisation:
          type: rubric
          levels:
{LEVELS}
      - id: L4
        name: {{zh: 四, en: Four}}
        kind: measured
        metric: suite.score
        weight: 6
        normalisation: {{type: target, target: 1, width: 1}}
"""


def write(tmp_path: Path, text: str, name: str = "fw.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def two_level(tmp_path: Path) -> Framework:
    return load_framework(write(tmp_path, TWO_LEVEL))


def problems(tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The printed problem lines of a framework text (paths relative to tmp_path)."""
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path, text)
    with pytest.raises(FrameworkError) as info:
        load_framework(path)
    return info.value.lines()


# ----------------------------------------------------------------------------- loading


def test_builtin_is_listed_and_loads_by_id() -> None:
    assert "cn-llm-vendor-2024" in builtin_frameworks()
    fw = load_framework("cn-llm-vendor-2024")
    assert fw.id == "cn-llm-vendor-2024"
    # README: four entry baselines, three dimensions, 15 first- and 56 second-level indicators
    assert len(fw.gates) == 4
    assert len(fw.tree) == 3
    assert sum(1 for depth, _ in fw.walk() if depth == 2) == 15
    assert len(fw.leaves) == 56


def test_tmp_file_loads_with_its_nodes(two_level: Framework) -> None:
    assert (two_level.id, two_level.version) == ("two-level", "0.1")
    assert (two_level.missing, two_level.aggregation) == ("drop", "arithmetic")  # defaults
    assert two_level.gate_ids == ("g1",)
    assert [leaf.id for leaf in two_level.leaves] == ["L1", "L2", "L3", "L4"]
    assert list(two_level.nodes) == ["D1", "L1", "L2", "D2", "L3", "L4"]
    assert [(d, n.id) for d, n in two_level.walk()][:3] == [(1, "D1"), (2, "L1"), (2, "L2")]
    assert two_level.leaf("L4").metric == "suite.score"
    with pytest.raises(KeyError):
        two_level.leaf("D1")  # an inner node is not a leaf


def test_relative_path_resolves_against_base(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", TWO_LEVEL, "framework.yaml")
    assert load_framework("framework.yaml", base=tmp_path / "sub").id == "two-level"


def test_unknown_reference_names_the_builtins(tmp_path: Path) -> None:
    with pytest.raises(FrameworkError) as info:
        load_framework("no-such-framework", base=tmp_path)
    (problem,) = info.value.problems
    assert problem.line is None
    assert (
        problem.message
        == "framework 'no-such-framework' is neither a built-in nor an existing file"
    )
    assert problem.fix == "use a built-in (cn-llm-vendor-2024) or a path to a framework YAML"


# ----------------------------------------------------------------------------- compiled tree


def test_compiled_arrays(two_level: Framework) -> None:
    tree = compile_tree(two_level)
    assert tree.ids == ("L1", "L2", "L3", "L4", "D1", "D2", "overall")
    assert tree.n_leaves == 4
    assert tree.parent.tolist() == [4, 4, 5, 5, 6, 6, -1]
    assert [c.tolist() for c in tree.children] == [[], [], [], [], [0, 1], [2, 3], [4, 5]]
    # L1, L2 omitted → equal .5; L3 2, L4 6 rescaled by normalise_weights → .25, .75;
    # the dimensions .75, .25 as written; the root 1
    np.testing.assert_allclose(tree.weights, [0.5, 0.5, 0.25, 0.75, 0.75, 0.25, 1.0], atol=1e-12)
    assert tree.depth.tolist() == [2, 2, 2, 2, 1, 1, 0]
    # global: .5·.75, .5·.75, .25·.25, .75·.25
    np.testing.assert_allclose(tree.global_weights()[:4], [0.375, 0.375, 0.0625, 0.1875])


def test_compiled_is_built_once(two_level: Framework) -> None:
    assert two_level.compiled is two_level.compiled
    assert two_level.compiled.ids == compile_tree(two_level).ids


def test_normalisations_and_directions_in_leaf_order(two_level: Framework) -> None:
    specs = two_level.normalisations
    assert [type(s) for s in specs] == [Fixed, MinMax, Rubric, Target]
    assert specs[0] == Fixed(min=0, max=10)
    assert two_level.directions == ("higher", "lower", "higher", "higher")


def test_a_single_dimension_without_weight_gets_all_of_it(tmp_path: Path) -> None:
    text = TWO_LEVEL.replace("    weight: 0.75\n", "").replace("    weight: 0.25\n", "")
    tree = load_framework(write(tmp_path, text)).compiled
    # no dimension weights at all → equal: .5 and .5
    np.testing.assert_allclose(tree.weights[4:6], [0.5, 0.5])


# ----------------------------------------------------------------------------- validation


def test_weights_that_do_not_sum_to_one_need_normalise_weights(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = TWO_LEVEL.replace("    normalise_weights: true\n", "")
    # D2's `children:` is line 18; with the normalise_weights line (17) gone it moves to 17
    assert problems(tmp_path, text, monkeypatch) == [
        "fw.yaml:17: weights under D2 sum to 8, not 1 — fix them, or set normalise_weights: "
        "true on D2 to rescale them"
    ]


def test_every_problem_is_reported_with_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (
        TWO_LEVEL.replace("id: L2,", "id: L1,")  # line 13: a second L1
        .replace(
            "        metric: suite.score\n", ""
        )  # L4's id is line 32 (the lines above it are unchanged)
        .replace("    weight: 0.25\n", "    weight: 0.5\n")  # dimensions sum to 1.25
    )
    assert problems(tmp_path, text, monkeypatch) == [
        "fw.yaml:7: weights under the root (the dimensions) sum to 1.25, not 1 — make the "
        "dimension weights sum to 1",
        "fw.yaml:13: duplicate id 'L1' — give every node and gate its own id",
        "fw.yaml:32: measured leaf 'L4' names no metric — add metric: SUITE.METRIC",
    ]


def test_lower_direction_on_a_rubric_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = TWO_LEVEL.replace(
        "        kind: rubric\n", "        kind: rubric\n        direction: lower\n"
    )
    # the inserted direction line is line 22 (after L3's id, name and kind on 19..21)
    assert problems(tmp_path, text, monkeypatch) == [
        "fw.yaml:22: direction: lower has no meaning for rubric normalisation on 'L3' — remove "
        "direction (rubric levels and targets already say what is better)"
    ]


def test_wrong_format_points_at_line_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = TWO_LEVEL.replace("framework@1", "framework@2")
    assert problems(tmp_path, text, monkeypatch) == [
        "fw.yaml:1: format is 'quanheng/framework@2', expected 'quanheng/framework@1' — put "
        "`format: quanheng/framework@1` at the top"
    ]


def test_parse_framework_refuses_a_non_mapping() -> None:
    with pytest.raises(FrameworkError) as info:
        parse_framework(["not", "a", "mapping"], "list.yaml")
    assert info.value.lines() == [
        "list.yaml: a framework file must be a YAML mapping — start it with `format: ...`"
    ]


def test_yaml_nested_past_the_depth_limit_is_one_line_not_a_recursion_error(
    tmp_path: Path,
) -> None:
    """250 levels of children used to end in a RecursionError traceback; now one line.

    The line is that of the first mapping past 64 levels, found while composing, so nothing
    deeper is built.
    """
    path = tmp_path / "deep.yaml"
    lines = ["format: quanheng/framework@1", "id: deep", 'version: "1"', "tree:"]
    for level in range(250):
        pad = "  " * (2 * level + 1)
        lines += [f"{pad}- id: n{level}", f"{pad}  name: {{zh: n, en: n}}", f"{pad}  children:"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(FrameworkError) as info:
        load_framework(path)
    (problem,) = info.value.problems
    assert problem.message == "YAML is nested more than 64 levels deep"
    # level k's mapping starts on line 5 + 3k; the tree list is level 2, its items level 3
    assert problem.line == 5 + 3 * ((64 - 2) // 2)
    assert str(problem).endswith("— flatten the structure; no quanheng format nests this deep")


def test_yaml_flow_nesting_is_bounded_too(tmp_path: Path) -> None:
    path = tmp_path / "flow.yaml"
    path.write_text("[" * 1000 + "]" * 1000, encoding="utf-8")
    with pytest.raises(FrameworkError, match="nested more than 64 levels deep"):
        load_framework(path)


def test_yaml_just_within_the_depth_limit_parses(tmp_path: Path) -> None:
    """64 levels are read (and refused only as a framework, for what they say)."""
    path = tmp_path / "ok.yaml"
    path.write_text("[" * 64 + "]" * 64, encoding="utf-8")
    with pytest.raises(FrameworkError, match="must be a YAML mapping"):
        load_framework(path)
