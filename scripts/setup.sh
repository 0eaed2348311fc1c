#!/usr/bin/env bash
# Installs everything huntkit's build and tests need on a fresh Debian machine
# with Rust. Idempotent: what is already there is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[setup] %s\n' "$*"; }

# Chromium and its driver, for the browser tests and the demo.
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  say "installing Debian's chromium and chromium-driver"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver zip
fi
command -v zip >/dev/null || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q zip; }

# The wasm target (rust-toolchain.toml lists it; this makes sure).
rustup target add wasm32-unknown-unknown >/dev/null

# wasm-bindgen's CLI must match the crate version in Cargo.lock exactly.
# wasm-pack would try to download it from the internet, which is not
# reachable here; a matching binary on PATH is used instead (HARNESS.md).
want=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/"/, "", $3); print $3; exit}' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  say "installing wasm-bindgen-cli $want (about 4 minutes)"
  # Not --locked: its lock file names a crate newer than the registry mirror.
  cargo install -q wasm-bindgen-cli --version "$want" --force
fi

if ! command -v wasm-pack >/dev/null; then
  say "installing wasm-pack (about 4 minutes)"
  cargo install -q wasm-pack --locked
fi

# Browser test driver and wasm-opt, from the npm registry (exact versions in
# package-lock.json; playwright-core never downloads a browser).
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ]; then
  say "installing npm dev dependencies"
  npm ci --no-audit --no-fund --loglevel=error
fi
say "ready"
