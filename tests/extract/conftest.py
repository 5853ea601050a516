"""Shared set-up for the extraction tests: the repository root on ``sys.path`` (see
``tests/measure/conftest.py``), so the fake server is imported as ``tests.measure.fakeserver``."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
