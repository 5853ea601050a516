"""Whether the real local-model weights and server are installed, for the tests that need them.

The tests that serve or hash a real model skip only when these are missing, naming the command
that installs them.
"""

from __future__ import annotations

import importlib.metadata

import pytest

from quanheng.measure import model_files
from quanheng.measure.local_server import (
    llama_server_binary,
    python_server_available,
    server_available,
)
from quanheng.specs.local_models import MODELS

INSTALL = "scripts/install_local_model.sh .venv (or make demo)"
SMOL = "smollm2-135m"
QWEN = "qwen2.5-coder-0.5b-q4km"


def _installed(model_id: str) -> bool:
    model = MODELS[model_id]
    for dist in model.distributions:
        try:
            if importlib.metadata.version(dist) != model_files._version_of(model, dist):
                return False
        except importlib.metadata.PackageNotFoundError:
            return False
    return True


def need_weights(model_id: str) -> None:
    if not _installed(model_id):
        pytest.skip(f"weights of {model_id} not installed — run {INSTALL}")


def need_server(model_id: str) -> None:
    need_weights(model_id)
    if not server_available():
        pytest.skip(f"llama-cpp-python[server] not installed — run {INSTALL}")


def need_llama_server(model_id: str) -> None:
    need_weights(model_id)
    if llama_server_binary() is None:
        pytest.skip("llama-server not built — run scripts/build_llama_server.sh (or make demo)")


def need_python_server(model_id: str) -> None:
    need_weights(model_id)
    if not python_server_available():
        pytest.skip(f"llama-cpp-python[server] not installed — run {INSTALL}")
