#!/usr/bin/env bash
# Liaison's two commands, each doing all the set-up a fresh machine needs (and skipping what is there):
#
#   ./dev.sh run    build the app and serve it on SQLite with demo data at http://127.0.0.1:3000
#   ./dev.sh test   run every test: fmt, clippy (ssr and hydrate), unit + integration tests, browser tests
#
# Environment: CARGO_TARGET_DIR (build cache), TEST_DATABASE_URL (also run integration tests on
# PostgreSQL), LIAISON_* (server settings, see README).
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD

CARGO_LEPTOS_VERSION=0.3.10
BINARYEN_BIN="$ROOT/end2end/node_modules/.bin"
export PATH="$HOME/.cargo/bin:$BINARYEN_BIN:$PATH"
# cargo-leptos compiles with this set; every other cargo command must too, or they rebuild
# leptos back and forth (and the server would ask for the wrong wasm file name).
export LEPTOS_OUTPUT_NAME=liaison
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "need root for: $*" >&2; return 1; fi
}

apt_install() {
  say "installing $* (apt)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

setup_build() {
  command -v cargo >/dev/null || { echo "Rust is needed: https://rustup.rs" >&2; exit 1; }
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    say "installing cargo-leptos $CARGO_LEPTOS_VERSION"
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
  fi
  # wasm-bindgen must match the version in Cargo.lock exactly.
  local wbg
  wbg=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $wbg\$"; then
    say "installing wasm-bindgen-cli $wbg"
    # no --locked: its lock file names a crate the registry no longer has
    cargo install wasm-bindgen-cli --version "$wbg"
  fi
  if ! command -v npm >/dev/null; then apt_install nodejs npm; fi
  # wasm-opt (npm's binaryen; Debian's is too old) and Playwright live in end2end/node_modules.
  if [ ! -x "$BINARYEN_BIN/wasm-opt" ] || [ ! -x "$BINARYEN_BIN/playwright" ] \
    || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    say "installing npm packages (binaryen, Playwright)"
    (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
  fi
}

setup_fonts() {
  # PDF exports draw Chinese text with Noto Sans CJK (face 2 of the collection: Simplified Chinese).
  if [ ! -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ]; then apt_install fonts-noto-cjk; fi
}

setup_pdf_tools() {
  # pdftotext, pdffonts and pdfinfo read the PDF exports back in the tests.
  if ! command -v pdftotext >/dev/null || ! command -v pdffonts >/dev/null; then apt_install poppler-utils; fi
}

setup_office() {
  # LibreOffice Calc (headless soffice) opens the XLSX exports in the tests, as a person would,
  # and converts them to CSV to read back.
  if ! command -v soffice >/dev/null; then apt_install libreoffice-calc-nogui; fi
}

setup_browser() {
  # Browsers cannot be downloaded here: use Debian's Chromium.
  if [ ! -x /usr/bin/chromium ]; then apt_install chromium; fi
  # The browser tests count rows in the test server's SQLite file with Python's sqlite3.
  if ! command -v python3 >/dev/null; then apt_install python3; fi
}

setup_deploy() {
  # The production set-up's test: Debian's nginx (run unprivileged, never as a service),
  # openssl for its certificate, psql for its database; pg_dump / pg_restore for the backups of
  # a PostgreSQL database (`server backup`, and their tests).
  if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
    # Installed for the test to run: the package must not start a system-wide server on :80.
    local policy=/usr/sbin/policy-rc.d made=""
    if [ ! -e "$policy" ]; then
      printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null && as_root chmod +x "$policy" && made=1
    fi
    apt_install nginx
    if [ -n "$made" ]; then as_root rm -f "$policy"; fi
  fi
  if ! command -v openssl >/dev/null; then apt_install openssl; fi
  if ! command -v psql >/dev/null || ! command -v pg_dump >/dev/null || ! command -v pg_restore >/dev/null; then
    apt_install postgresql-client
  fi
}

deploy_test() {
  local pg="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
  if ! psql "$pg" -qtAX -c 'SELECT 1' >/dev/null 2>&1; then
    if [ "${LIAISON_REQUIRE_POSTGRES:-}" = 1 ]; then
      echo "the deploy test needs PostgreSQL at $pg" >&2
      return 1
    fi
    say "deploy test skipped: no PostgreSQL at $pg"
    return 0
  fi
  say "deploy test (nginx, TLS, two instances on PostgreSQL)"
  PATH="$PATH:/usr/sbin" LIAISON_BIN="$TARGET_DIR/release/server" LIAISON_SITE_ROOT="$ROOT/target/site" \
    TEST_DATABASE_URL="$pg" deploy/test/run.sh
}

build() {
  # --precompress: brotli and gzip copies of the bundle, made once here instead of per request.
  say "building (cargo leptos build --release --precompress)"
  cargo leptos build --release --precompress
}

case "${1:-}" in
  run)
    setup_build
    setup_fonts
    build
    say "serving http://127.0.0.1:3000 — sign in as sysadmin, supervisor or cadre01 / demo-liaison"
    exec "$TARGET_DIR/release/server" serve --demo "${@:2}"
    ;;
  test)
    setup_build
    setup_fonts
    setup_pdf_tools
    setup_office
    setup_browser
    setup_deploy
    say "cargo fmt --check"
    cargo fmt --all -- --check
    say "clippy (ssr)"
    cargo clippy --release -p app -p server -p migrations --all-targets -- -D warnings
    say "clippy (hydrate)"
    cargo clippy --profile wasm-release -p app --lib --target wasm32-unknown-unknown --features hydrate -- -D warnings
    build
    say "unit and integration tests${TEST_DATABASE_URL:+ (SQLite and PostgreSQL)}"
    cargo test --release --workspace
    say "browser tests (Chromium, 390×844)"
    (cd end2end && LIAISON_BIN="$TARGET_DIR/release/server" LIAISON_SITE_ROOT="$ROOT/target/site" npx playwright test)
    deploy_test
    ;;
  *)
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
