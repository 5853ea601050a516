#!/usr/bin/env bash
# Create benchmarks/peers/.venv with the peer harnesses quanheng is compared against:
# lm-evaluation-harness (lm-eval[api]) and inspect_ai. Kept apart from quanheng's own venv so
# their pins never touch it. Re-running is safe (pip skips what is installed).
#
# lm-eval 0.4.x lists no torch in Requires-Dist (torch is only in its [hf]/[vllm] extras), so
# none is installed here. If a later lm-eval starts to need it, install the local CPU wheel
# FIRST with `pip install torch==2.13.0`: any other torch spec downloads gigabytes.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY="${PYTHON:-python3}"
if [ ! -x "$HERE/.venv/bin/python" ]; then
    "$PY" -m venv "$HERE/.venv"
fi
"$HERE/.venv/bin/pip" install -q --upgrade pip
"$HERE/.venv/bin/pip" install -q "lm-eval[api]" inspect-ai openai
if "$HERE/.venv/bin/pip" show torch >/dev/null 2>&1; then
    echo "note: torch is installed in the peer venv: $("$HERE/.venv/bin/pip" show torch | grep ^Version)"
fi
"$HERE/.venv/bin/python" -c "import lm_eval, inspect_ai; print('lm-eval', lm_eval.__version__ if hasattr(lm_eval, '__version__') else '?', 'inspect_ai', inspect_ai.__version__)"
