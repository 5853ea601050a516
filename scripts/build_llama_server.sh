#!/usr/bin/env bash
# Build llama.cpp's own `llama-server` ONCE from the llama.cpp copy vendored in the
# llama-cpp-python sdist (the same sources as the wheel of scripts/build_llama_wheel.sh), with the
# same CPU flags, into a cache outside the repository, and reuse it afterwards.
#
#   scripts/build_llama_server.sh [PYTHON]
#
# PYTHON runs `pip download` for the sdist (default: .venv/bin/python if present, else python3).
# The binary lands in
#   ${QUANHENG_LLAMA_SERVER_CACHE:-~/.cache/quanheng/llama-server}/<version>-<flags hash>/llama-server
# next to a BUILD file recording version, sdist sha256 and cmake arguments. A no-op while that
# BUILD file matches (prints the path and exits in milliseconds). Prints the binary's path on its
# last line of stdout. Nothing is fetched at run time; the sdist comes from the configured
# registry, once, here (or from $QUANHENG_LLAMA_SDIST, a local llama_cpp_python-<version>.tar.gz).
#
# Why llama-server: llama-cpp-python's server answers one request at a time; llama-server has
# parallel slots with continuous batching, so concurrent requests share each forward pass.
# Why these flags: see build_llama_wheel.sh (GGML_NATIVE=OFF — the VM advertises AMX it cannot
# run). The web UI is neither built (no npm) nor downloaded (LLAMA_USE_PREBUILT_UI=OFF), there
# is no TLS (served on 127.0.0.1 only) and the libraries are linked statically, so the cached
# binary needs nothing from the build tree.
set -euo pipefail

VERSION="${LLAMA_CPP_PYTHON_VERSION:-0.3.36}"
FLAGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"
SERVER_ARGS="-DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF -DLLAMA_BUILD_TESTS=OFF \
-DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_UI=OFF \
-DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_CURL=OFF"
# The sdist of 0.3.36 as the registry serves it; another version is checked only by pip.
SDIST_SHA_0_3_36="832db0699007f1be95a7e41ef12e88926b02ba836461e36a36372db2760c1a2e"
ROOT="${QUANHENG_LLAMA_SERVER_CACHE:-$HOME/.cache/quanheng/llama-server}"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ $# -ge 1 ]]; then
  PY="$1"
elif [[ -x "$here/.venv/bin/python" ]]; then
  PY="$here/.venv/bin/python"
else
  PY="python3"
fi

HASH="$(printf '%s\n%s\n%s' "$VERSION" "$FLAGS" "$SERVER_ARGS" | sha256sum | cut -c1-12)"
DEST="$ROOT/${VERSION}-${HASH}"
BIN="$DEST/llama-server"
WANT="version=${VERSION}
cmake_args=${FLAGS} ${SERVER_ARGS}"

is_built() {
  [[ -x "$BIN" && -f "$DEST/BUILD" ]] && [[ "$(sed -n '1,2p' "$DEST/BUILD")" == "$WANT" ]]
}

if is_built; then  # the fast path: no lock, no Python
  echo "llama-server ${VERSION}: cached build with the expected flags: $BIN" >&2
  echo "$BIN"
  exit 0
fi

mkdir -p "$ROOT"
exec 9>"$ROOT/.build.lock"  # one build at a time on this machine
flock 9
if is_built; then
  echo "$BIN"
  exit 0
fi
for tool in cmake c++ tar sha256sum; do
  if ! command -v "$tool" >/dev/null; then
    echo "error: $tool not found — run scripts/install_system_deps.sh" >&2
    exit 1
  fi
done

work="$(mktemp -d "$ROOT/.build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
if [[ -n "${QUANHENG_LLAMA_SDIST:-}" ]]; then
  sdist="$QUANHENG_LLAMA_SDIST"
else
  echo "llama-server: downloading the llama-cpp-python ${VERSION} sdist from the registry" >&2
  "$PY" -m pip download --disable-pip-version-check -q --no-deps --no-binary :all: \
    --dest "$work" "llama-cpp-python==${VERSION}" >&2
  sdist="$(ls "$work"/llama_cpp_python-"${VERSION}".tar.gz)"
fi
SDIST_SHA="$(sha256sum "$sdist" | cut -d' ' -f1)"
if [[ "$VERSION" == "0.3.36" && "$SDIST_SHA" != "$SDIST_SHA_0_3_36" ]]; then
  echo "error: $sdist has sha256 $SDIST_SHA, expected $SDIST_SHA_0_3_36" >&2
  exit 1
fi
tar -xzf "$sdist" -C "$work"
src="$work/llama_cpp_python-${VERSION}/vendor/llama.cpp"
if [[ ! -f "$src/tools/server/CMakeLists.txt" && ! -f "$src/examples/server/CMakeLists.txt" ]]; then
  echo "error: the llama-cpp-python ${VERSION} sdist has no llama.cpp server sources" >&2
  exit 1
fi

JOBS="$(nproc 2>/dev/null || echo 2)"
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
echo "building llama-server from llama-cpp-python ${VERSION}'s llama.cpp (several minutes)" >&2
echo "  cmake ${FLAGS} ${SERVER_ARGS}" >&2
start=$(date +%s)
# shellcheck disable=SC2086  # the flag strings are lists of words
cmake -S "$src" -B "$work/build" "${generator[@]}" $FLAGS $SERVER_ARGS >&2
cmake --build "$work/build" --target llama-server -j "$JOBS" >&2
built="$work/build/bin/llama-server"
if [[ ! -x "$built" ]]; then
  echo "error: the build produced no $built" >&2
  exit 1
fi
if ! "$built" --version >&2 2>&1; then
  echo "error: $built does not run on this machine (see above)" >&2
  exit 1
fi

# Files first, BUILD last: a half-finished run never looks done.
mkdir -p "$DEST"
rm -f "$DEST/BUILD"
cp "$built" "$DEST/llama-server.tmp"
mv -f "$DEST/llama-server.tmp" "$BIN"
cp "$src/LICENSE" "$DEST/LICENSE" 2>/dev/null || true
printf '%s\nsdist_sha256=%s\n' "$WANT" "$SDIST_SHA" > "$DEST/BUILD.tmp"
mv -f "$DEST/BUILD.tmp" "$DEST/BUILD"
echo "built $BIN in $(( $(date +%s) - start ))s" >&2
echo "$BIN"
