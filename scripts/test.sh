#!/usr/bin/env bash
# The whole test suite, as CI runs it: formatting, lints, tests (unit, doc, end-to-end)
# and docs. Installs what the tests need first (scripts/setup-tools.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -x scripts/setup-tools.sh ]; then
  scripts/setup-tools.sh
fi
scripts/setup-shellcheck.sh

cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked
# The fuzz targets are built (not run) here; run them with `cargo fuzz run TARGET` (nightly).
cargo build --manifest-path fuzz/Cargo.toml --locked
