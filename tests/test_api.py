"""The public surface is small and guarded: __all__ lists exactly the public names."""

from __future__ import annotations

import subprocess
import sys
import types
from typing import Any

import quanheng


def _public() -> set[str]:
    """Names quanheng defines: its attributes (not submodules) and those imported on first use
    (``quanheng._WHERE``); ``quanheng.report`` is the report package, and callable."""
    names = {
        name
        for name, value in vars(quanheng).items()
        if not name.startswith("_") and (not isinstance(value, types.ModuleType) or callable(value))
    }
    return names | set(quanheng._WHERE)


def test_all_lists_exactly_the_public_names() -> None:
    assert set(quanheng.__all__) == _public()
    for name in quanheng.__all__:
        assert getattr(quanheng, name) is not None
    assert set(quanheng.__all__) <= set(dir(quanheng))


def test_all_is_sorted_and_unique() -> None:
    assert list(quanheng.__all__) == sorted(set(quanheng.__all__))


def test_errors_share_one_base() -> None:
    for name in ("InputError", "FrameworkError", "StudyError", "EvidenceError"):
        assert issubclass(getattr(quanheng, name), quanheng.QuanhengError)


def test_the_pipeline_is_at_the_top_level() -> None:
    from quanheng.analysis import Analysis, Recommendation, analyse, recommend
    from quanheng.measure import collect
    from quanheng.report.api import report

    assert quanheng.analyse is analyse and quanheng.recommend is recommend
    assert quanheng.Analysis is Analysis and quanheng.Recommendation is Recommendation
    assert quanheng.collect is collect
    package: Any = quanheng.report  # typed as the call (see quanheng/__init__.py)
    assert callable(package) and package.report is report


def test_report_is_the_package_and_the_call_whatever_is_imported_first() -> None:
    """Importing a part of the report package (as the CLI does) leaves ``quanheng.report``
    callable: the package and the function are one object."""
    import quanheng.report.api

    package: Any = quanheng.report
    assert package is sys.modules["quanheng.report"]
    assert callable(package)
    assert package.build_report is package.content.build_report


def test_import_quanheng_stays_light() -> None:
    probe = (
        "import sys, quanheng\n"
        "heavy = ('matplotlib', 'aiohttp', 'httpx', 'pandas', 'scipy', 'quanheng.analysis')\n"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout
