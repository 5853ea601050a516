#!/usr/bin/env bash
# Build llama.cpp's own `llama-server` ONCE from the llama.cpp copy vendored in the
# llama-cpp-python sdist — the same sources as the wheel of scripts/build_llama_wheel.sh — linked
# against THAT wheel's own libraries (libllama, libggml*, libllama-common, libmtmd), so both
# servers run the very same compiled kernels; cache it outside the repository and reuse it.
#
#   scripts/build_llama_server.sh [PYTHON]
#
# PYTHON runs pip (default: .venv/bin/python if present, else python3). The result is
#   ${QUANHENG_LLAMA_SERVER_CACHE:-~/.cache/quanheng/llama-server}/<version>-<hash>/llama-server
# with the wheel's libraries in lib/ beside it (found through RUNPATH $ORIGIN/lib) and a BUILD
# file recording version, cmake arguments, wheel and sdist sha256. <hash> covers the version, the
# flags and the wheel's sha256. A no-op while that BUILD file exists (prints the path and exits in
# milliseconds). Prints the binary's path on its last line of stdout. Nothing is fetched at run
# time; the sdist comes from the configured registry, once, here (or from $QUANHENG_LLAMA_SDIST,
# a local llama_cpp_python-<version>.tar.gz).
#
# Why llama-server: llama-cpp-python's server answers one request at a time; llama-server has
# parallel slots with continuous batching, so concurrent requests share each forward pass.
# Why these flags: see build_llama_wheel.sh (GGML_NATIVE=OFF — the VM advertises AMX it cannot
# run). Only the server's own objects are compiled (17 files, CMAKE_OPTIMIZE_DEPENDENCIES skips
# the libraries the wheel already has); the web UI is neither built (no npm) nor downloaded
# (LLAMA_USE_PREBUILT_UI=OFF); LLAMA_OPENSSL stays ON because the wheel's libllama-common was
# built with it and its HTTP classes must have the same layout here.
set -euo pipefail

VERSION="${LLAMA_CPP_PYTHON_VERSION:-0.3.36}"
FLAGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"
SERVER_ARGS="-DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF -DLLAMA_BUILD_TESTS=OFF \
-DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_UI=OFF \
-DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_OPENSSL=ON -DLLAMA_CURL=OFF -DCMAKE_OPTIMIZE_DEPENDENCIES=ON"
# The sdist of 0.3.36 as the registry serves it; another version is checked only by pip.
SDIST_SHA_0_3_36="832db0699007f1be95a7e41ef12e88926b02ba836461e36a36372db2760c1a2e"
ROOT="${QUANHENG_LLAMA_SERVER_CACHE:-$HOME/.cache/quanheng/llama-server}"
# What is compiled here; everything else comes from the wheel.
TARGETS=(tools/server/libserver-context.a tools/server/libllama-server-impl.a
  tools/ui/libllama-ui.a vendor/hash/libvendor-hash.a
  tools/server/CMakeFiles/llama-server.dir/main.cpp.o)
WHEEL_LIBS=(libggml-base libggml-cpu libggml libllama libllama-common libmtmd)

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ $# -ge 1 ]]; then
  PY="$1"
elif [[ -x "$here/.venv/bin/python" ]]; then
  PY="$here/.venv/bin/python"
else
  PY="python3"
fi

# The wheel first (a no-op when cached): the server is linked against its libraries.
WHEEL="$("$here/scripts/build_llama_wheel.sh" "$PY" | tail -n 1)"
WHEEL_SHA="$(sha256sum "$WHEEL" | cut -d' ' -f1)"
HASH="$(printf '%s\n%s\n%s\n%s' "$VERSION" "$FLAGS" "$SERVER_ARGS" "$WHEEL_SHA" | sha256sum | cut -c1-12)"
DEST="$ROOT/${VERSION}-${HASH}"
BIN="$DEST/llama-server"
WANT="version=${VERSION}
cmake_args=${FLAGS} ${SERVER_ARGS}
wheel_sha256=${WHEEL_SHA}"

is_built() {
  [[ -x "$BIN" && -f "$DEST/BUILD" ]] && [[ "$(sed -n '1,3p' "$DEST/BUILD")" == "$WANT" ]]
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
for tool in cmake ninja c++ tar unzip sha256sum; do
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
echo "building llama-server from llama-cpp-python ${VERSION}'s llama.cpp, linked against $WHEEL" >&2
echo "  cmake ${FLAGS} ${SERVER_ARGS}" >&2
start=$(date +%s)
# shellcheck disable=SC2086  # the flag strings are lists of words
cmake -S "$src" -B "$work/build" -G Ninja $FLAGS $SERVER_ARGS >&2
ninja -C "$work/build" -j "$JOBS" "${TARGETS[@]}" >&2

# The wheel's libraries (lib/ holds all six; they find each other through RUNPATH $ORIGIN).
unzip -q "$WHEEL" 'lib/*.so*' -d "$work/wheel"
b="$work/build"
c++ -O3 -DNDEBUG "$b/tools/server/CMakeFiles/llama-server.dir/main.cpp.o" -o "$b/llama-server" \
  "$b/tools/server/libllama-server-impl.a" "$b/tools/server/libserver-context.a" \
  "$b/tools/ui/libllama-ui.a" "$b/vendor/hash/libvendor-hash.a" \
  -L"$work/wheel/lib" -lmtmd -lllama-common -lllama -lggml -lggml-cpu -lggml-base \
  -lssl -lcrypto -lpthread -ldl -lm -Wl,-rpath,'$ORIGIN/lib' >&2
mkdir -p "$work/out/lib"
for lib in "${WHEEL_LIBS[@]}"; do
  cp -L "$work/wheel/lib/$lib.so.0" "$work/out/lib/$lib.so.0"  # the sonames the binary needs
done
cp "$b/llama-server" "$work/out/llama-server"
cp "$src/LICENSE" "$work/out/LICENSE" 2>/dev/null || true
if ! "$work/out/llama-server" --version >&2 2>&1; then
  echo "error: the llama-server built in $work does not run on this machine (see above)" >&2
  exit 1
fi

# Everything in place first, BUILD last: a half-finished run never looks done.
rm -rf "$DEST"
mv "$work/out" "$DEST"
printf '%s\nsdist_sha256=%s\n' "$WANT" "$SDIST_SHA" > "$DEST/BUILD.tmp"
mv -f "$DEST/BUILD.tmp" "$DEST/BUILD"
echo "built $BIN in $(( $(date +%s) - start ))s" >&2
echo "$BIN"
