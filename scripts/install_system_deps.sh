#!/usr/bin/env bash
# System packages the reports need: CJK fonts (charts, HTML, PDF), Pango for WeasyPrint's PDF,
# poppler-utils (pdftoppm, pdffonts) and Chromium for the report tests, bubblewrap (bwrap) for
# the sandbox that runs model-written code, and cmake, ninja, g++ and unzip for building llama-server
# (scripts/build_llama_server.sh). Idempotent: installs only
# what `dpkg -s` does not report as installed. Run as root (or with sudo available).
set -euo pipefail
PACKAGES=(fonts-noto-cjk fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 poppler-utils chromium bubblewrap cmake ninja-build g++ unzip)
missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg -s "$pkg" >/dev/null 2>&1; then missing+=("$pkg"); fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "installing: ${missing[*]}"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
