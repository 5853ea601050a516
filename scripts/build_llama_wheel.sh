#!/usr/bin/env bash
# Build the llama-cpp-python wheel ONCE, with CPU flags this machine can actually run, into a wheel
# cache outside the repository (it survives fresh clones), and reuse it afterwards.
#
#   scripts/build_llama_wheel.sh [PYTHON]
#
# PYTHON is the interpreter that runs pip (default: .venv/bin/python if present, else python3).
# A no-op when a wheel of LLAMA_CPP_PYTHON_VERSION built with
# exactly QUANHENG_LLAMA_CMAKE_ARGS is already in the cache (recorded in a sidecar
# <wheel>.flags file next to it). Prints the wheel's path on its last line of stdout.
#
# Why these flags: a default source build uses -march=native (GGML_NATIVE) and enables AMX, which
# this VM's CPU reports but the hypervisor does not allow -> "Illegal instruction" on first use.
# We switch native detection off and ask for AVX2/FMA/F16C/BMI2 only, which every x86-64 machine
# since ~2015 runs. --no-cache-dir so pip can never hand back a native build made with other flags.
set -euo pipefail

VERSION="${LLAMA_CPP_PYTHON_VERSION:-0.3.36}"
FLAGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"
CACHE="${QUANHENG_WHEEL_CACHE:-$HOME/.cache/quanheng/wheels}"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ $# -ge 1 ]]; then
  PY="$1"
elif [[ -x "$here/.venv/bin/python" ]]; then
  PY="$here/.venv/bin/python"
else
  PY="python3"
fi
# llama-cpp-python loads libllama through ctypes, so pip tags the wheel py3-none-<platform>:
# one wheel per version and platform, whatever the Python minor version.
PLAT="$("$PY" -c 'import sysconfig; print(sysconfig.get_platform().replace("-", "_").replace(".", "_"))')"
WANT="version=${VERSION}
platform=${PLAT}
cmake_args=${FLAGS}"

find_wheel() {
  local w
  for w in "$CACHE"/llama_cpp_python-"${VERSION}"-*-"${PLAT}".whl; do
    if [[ -f "$w" && -f "$w.flags" && "$(cat "$w.flags")" == "$WANT" ]]; then
      echo "$w"
      return 0
    fi
  done
  return 1
}

mkdir -p "$CACHE"
# One build at a time on this machine (two make targets, two clones...).
exec 9>"$CACHE/.build.lock"
flock 9

if WHEEL="$(find_wheel)"; then
  echo "llama-cpp-python ${VERSION}: cached wheel built with the expected flags: $WHEEL" >&2
  echo "$WHEEL"
  exit 0
fi

work="$(mktemp -d "$CACHE/.build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo "building llama-cpp-python ${VERSION} for ${PLAT} (several minutes)" >&2
echo "  CMAKE_ARGS=${FLAGS}" >&2
start=$(date +%s)
CMAKE_ARGS="$FLAGS" FORCE_CMAKE=1 \
  "$PY" -m pip wheel --no-deps --no-cache-dir --no-binary llama-cpp-python \
  --wheel-dir "$work" "llama-cpp-python==${VERSION}" >&2
built=( "$work"/llama_cpp_python-"${VERSION}"-*-"${PLAT}".whl )
if [[ ! -f "${built[0]}" ]]; then
  echo "error: pip produced no llama_cpp_python-${VERSION} ${PLAT} wheel in $work" >&2
  exit 1
fi
WHEEL="$CACHE/$(basename "${built[0]}")"
SIDECAR="$WHEEL.flags"
# Sidecar removed first, wheel moved in, sidecar written last: a half-finished run never looks
# done (an old wheel of another build is replaced, never mixed up with the new flags).
rm -f "$SIDECAR"
mv -f "${built[0]}" "$WHEEL.tmp"
mv -f "$WHEEL.tmp" "$WHEEL"
printf '%s' "$WANT" > "$SIDECAR.tmp"
mv -f "$SIDECAR.tmp" "$SIDECAR"
echo "built $WHEEL in $(( $(date +%s) - start ))s" >&2
echo "$WHEEL"
