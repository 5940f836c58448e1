#!/usr/bin/env bash
# The production set-up of deploy/, tried: Debian's nginx (unprivileged, a self-signed
# certificate) with deploy/nginx/liaison.conf in front of two app instances started with
# deploy/liaison.env on one fresh PostgreSQL database; then check.py uses it as its users do.
#
#   LIAISON_BIN=target/release/server LIAISON_SITE_ROOT=target/site deploy/test/run.sh
#
# TEST_DATABASE_URL names the PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres);
# DEPLOY_PORT_BASE moves the ports (default 3400: instances on +1, +2; nginx HTTPS +43, HTTP +80).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DEPLOY="$(dirname "$HERE")"
BIN="$(realpath "${LIAISON_BIN:?LIAISON_BIN: the release server binary}")"
SITE="$(realpath "${LIAISON_SITE_ROOT:?LIAISON_SITE_ROOT: the built site}")"
PG="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
BASE="${DEPLOY_PORT_BASE:-3400}"
PORT_A=$((BASE + 1)) PORT_B=$((BASE + 2)) HTTPS=$((BASE + 43)) HTTP=$((BASE + 80))
WORK="$(mktemp -d /tmp/liaison-deploy.XXXXXX)"
DB="liaison_deploy_$$"
DB_URL="${PG%/*}/$DB"
PIDS=()

cleanup() {
  local code=$?
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "$code" -ne 0 ]; then
    echo "--- deploy test failed; logs:" >&2
    tail -n 30 "$WORK"/*.log "$WORK"/nginx/logs/error.log >&2 2>/dev/null || true
  fi
  psql "$PG" -qX -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
  rm -rf "$WORK"
  exit "$code"
}
trap cleanup EXIT

command -v nginx >/dev/null || { echo "nginx is missing (./dev.sh test installs it)" >&2; exit 1; }

if command -v systemd-analyze >/dev/null; then
  echo "==> the systemd unit"
  # As installed for port 3001, with this build's binary where /opt/liaison/server would be.
  sed "s|/opt/liaison/server|$BIN|" "$DEPLOY/liaison@.service" >"$WORK/liaison@3001.service"
  systemd-analyze verify "$WORK/liaison@3001.service"
  exposure=$(systemd-analyze security --offline=true "$WORK/liaison@3001.service" 2>/dev/null |
    sed -n 's/.*Overall exposure level[^:]*: \([0-9.]*\).*/\1/p')
  if [ -z "$exposure" ] || ! awk -v e="$exposure" 'BEGIN { exit !(e <= 2.0) }'; then
    echo "  FAIL the unit's exposure is '${exposure}', not 2.0 or less" >&2
    exit 1
  fi
  echo "  ok  systemd-analyze verify; exposure $exposure of 10 (2.0 or less)"
fi
psql "$PG" -qX -c "CREATE DATABASE $DB" >/dev/null

echo "==> a self-signed certificate"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost" \
  -keyout "$WORK/privkey.pem" -out "$WORK/fullchain.pem" >/dev/null 2>&1

echo "==> two instances on $DB (ports $PORT_A, $PORT_B)"
mkdir -p "$WORK/exports"
start() { # name port [flags]
  local name=$1 port=$2
  (
    set -a
    # shellcheck source=/dev/null
    . "$DEPLOY/liaison.env"
    set +a
    export LIAISON_DATABASE_URL="$DB_URL" LIAISON_LISTEN="127.0.0.1:$port" \
      LIAISON_PUBLIC_URL="https://localhost:$HTTPS" LIAISON_EXPORT_DIR="$WORK/exports" \
      LEPTOS_SITE_ROOT="$SITE" LIAISON_TICK_SECONDS=2 LIAISON_DEMO=true \
      LIAISON_PDF_FONT="${LIAISON_PDF_FONT:-/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc}"
    exec "$BIN" serve
  ) >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
  eval "PID_$name=$!"
  for _ in $(seq 1 120); do
    if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  echo "instance $name did not start" >&2
  return 1
}
# One after the other: the first migrates and loads the demo district.
start A "$PORT_A"
start B "$PORT_B"

echo "==> nginx (https://localhost:$HTTPS, http://localhost:$HTTP)"
mkdir -p "$WORK/nginx/logs" "$WORK/nginx/cache" "$WORK/nginx/tmp"
# The site file as shipped, pointed at this run's ports, certificate and cache.
sed -e "s|127.0.0.1:3001|127.0.0.1:$PORT_A|; s|127.0.0.1:3002|127.0.0.1:$PORT_B|" \
    -e "s|listen 80;|listen 127.0.0.1:$HTTP;|; s|listen 443 ssl http2;|listen 127.0.0.1:$HTTPS ssl http2;|" \
    -e "/listen \[::\]/d" \
    -e "s|/etc/ssl/liaison/|$WORK/|g; s|/var/cache/nginx/liaison|$WORK/nginx/cache|" \
    -e "s|server_name liaison.example.gov.cn;|server_name localhost;|" \
    "$DEPLOY/nginx/liaison.conf" >"$WORK/nginx/site.conf"
user_line=""
if [ "$(id -u)" = 0 ]; then user_line="user root;"; fi
cat >"$WORK/nginx/nginx.conf" <<CONF
$user_line
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    access_log $WORK/nginx/logs/access.log;
    client_body_temp_path $WORK/nginx/tmp/body;
    proxy_temp_path $WORK/nginx/tmp/proxy;
    fastcgi_temp_path $WORK/nginx/tmp/fastcgi;
    uwsgi_temp_path $WORK/nginx/tmp/uwsgi;
    scgi_temp_path $WORK/nginx/tmp/scgi;
    include $WORK/nginx/site.conf;
}
CONF
nginx -t -q -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/logs/error.log"
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/logs/error.log" -g 'daemon off;' \
  >"$WORK/nginx.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 40); do
  if curl -fsS --cacert "$WORK/fullchain.pem" "https://localhost:$HTTPS/healthz" >/dev/null 2>&1; then break; fi
  sleep 0.25
done

echo "==> checks"
DEPLOY_HTTPS_PORT=$HTTPS DEPLOY_HTTP_PORT=$HTTP DEPLOY_PORT_A=$PORT_A DEPLOY_PORT_B=$PORT_B \
DEPLOY_PID_A=$PID_A DEPLOY_PID_B=$PID_B DEPLOY_BIN="$BIN" DEPLOY_DATABASE_URL="$DB_URL" DEPLOY_CERT="$WORK/fullchain.pem" \
  python3 "$HERE/check.py"
