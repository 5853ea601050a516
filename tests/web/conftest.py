"""Shared set-up for the workbench tests: headless system Chromium, one per module.

Chromium is the system's (``/usr/bin/chromium``) with the four no-network flags; nothing is
downloaded. One browser and one server per module keep the whole folder well under a minute.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.web.support import CHROMIUM, NO_NETWORK  # noqa: E402


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless system Chromium through Playwright, for one test module."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install_system_deps.sh")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=NO_NETWORK)
        yield chromium
        chromium.close()
