#!/usr/bin/env bash
# Installs everything cat needs on a fresh Debian machine with Node 20 (run as root or with sudo):
# Debian packages (Rust crates for the offline cargo source, OpenBLAS, Fashion-MNIST, Chromium
# for the report test, Open MPI for multi-process training), pnpm, the node modules, and the build
# (native addon + TypeScript).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends \
  librust-rayon-dev libopenblas-dev dataset-fashion-mnist chromium pkg-config \
  libopenmpi-dev openmpi-bin
# A Rust toolchain: keep one that is already there (rustup), else Debian's.
export PATH="$HOME/.cargo/bin:$PATH"
if ! command -v cargo >/dev/null 2>&1; then
  $SUDO apt-get install -y -q --no-install-recommends cargo rustc
fi

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "12.4.2" ]; then
  $SUDO npm i -g pnpm@12.4.2
fi
pnpm install --frozen-lockfile
pnpm build
