"""Shared set-up for the measurement tests.

``tests`` has no ``__init__.py``, so pytest puts this folder (not the repository root) on
``sys.path``; the tests import their helpers as ``tests.measure.*``, the same name the
subprocess helpers use with ``python -m``, so the root is added here once.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
