"""Tests mirror the package: ``quanheng/<pkg>/<mod>.py`` is tested in ``tests/<pkg>/test_<mod>.py``.

A module needs a mirror when it defines a public function, or a public class with a public
method (read from its source, without importing it). Three kinds of module are covered through
something else, by rule:

* ``__init__.py`` and ``__main__.py`` re-export or start what other modules define;
* private modules (``_name.py``) are implementation parts, tested through their package's public
  functions;
* the CLI commands (``quanheng/cli/commands/*.py``) are tested through ``quanheng.cli.main`` in
  ``tests/cli/``.

Anything else without a mirror must be in ``COVERED_ELSEWHERE`` with the tests that cover it.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "quanheng"
TESTS = ROOT / "tests"

COVERED_ELSEWHERE: dict[str, str] = {
    "measure/client.py": "send_chat against tests/measure/fakeserver.py in test_runner.py and "
    "test_secrets.py",
    "report/content.py": "build_report() in tests/report/test_render.py and test_charts.py",
    "report/fonts.py": "fonts in tests/report/test_render.py and test_charts.py (CJK glyphs)",
    "report/pdf.py": "render_pdf() in tests/report/test_render.py and test_cli_report.py",
    "demo.py": "the default study and its outputs in tests/test_demo_study.py and test_golden.py",
    "measure/cgroup.py": "tree limits of real sandboxed runs (memory, pids, clean-up) in "
    "tests/measure/test_sandbox.py",
    "web/pages.py": "the workbench's pages in tests/web/test_app.py and test_browser.py",
    "web/editing.py": "evidence, audit and queue routes in tests/web/test_app.py and "
    "test_browser.py",
    "web/reports.py": "report generation and download in tests/web/test_browser.py and "
    "test_app.py (traversal)",
    "web/context.py": "rendering, language and CSRF in tests/web/test_app.py",
    "web/measure_worker.py": "runs against the fake endpoint in tests/web/test_runs.py",
}


def _public_defs(body: list[ast.stmt]) -> list[str]:
    return [
        node.name
        for node in body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and not node.name.startswith("_")
    ]


def has_public_functions(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    classes = [c for c in tree.body if isinstance(c, ast.ClassDef) and not c.name.startswith("_")]
    return bool(_public_defs(tree.body) or any(_public_defs(c.body) for c in classes))


def covered_by_rule(rel: Path) -> bool:
    if rel.name in ("__init__.py", "__main__.py") or rel.name.startswith("_"):
        return True
    return rel.parts[:2] == ("cli", "commands")


def mirror(rel: Path) -> Path:
    return TESTS.joinpath(*rel.parts[:-1], f"test_{rel.stem}.py")


def modules_needing_tests() -> list[Path]:
    return sorted(
        rel
        for path in PACKAGE.rglob("*.py")
        if not covered_by_rule(rel := path.relative_to(PACKAGE)) and has_public_functions(path)
    )


def test_every_module_with_public_functions_has_its_mirror() -> None:
    missing = [
        f"{rel} → {mirror(rel).relative_to(ROOT)}"
        for rel in modules_needing_tests()
        if rel.as_posix() not in COVERED_ELSEWHERE and not mirror(rel).exists()
    ]
    assert missing == []


def test_the_allow_list_is_not_stale() -> None:
    # every entry names a module that exists, needs tests and still has no mirror
    needing = {rel.as_posix() for rel in modules_needing_tests()}
    stale = [
        name for name in COVERED_ELSEWHERE if name not in needing or mirror(Path(name)).exists()
    ]
    assert stale == []


def test_the_rules_see_what_they_should() -> None:
    # the scan finds the core modules this suite mirrors, and the rules leave out the right ones
    needing = {rel.as_posix() for rel in modules_needing_tests()}
    assert {"framework.py", "study.py", "evidence.py", "mcda/tree.py"} <= needing
    assert {"scoring/matrix.py", "scoring/scorecard.py", "specs/normalisation.py"} <= needing
    assert "measure/measurement.py" not in needing  # a data class without methods
    assert "cli/commands/score.py" not in needing and "_files.py" not in needing
    assert mirror(Path("scoring/matrix.py")) == TESTS / "scoring" / "test_matrix.py"
    assert mirror(Path("framework.py")) == TESTS / "test_framework.py"
