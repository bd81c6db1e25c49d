#!/usr/bin/env bash
# Installs what the tests, the benchmark and `npm start` need, skipping whatever is already there:
#   npm packages (npm ci), Debian's nginx/haproxy/apache2/caddy and gunicorn for the lab,
#   and with --e2e: Debian's chromium + libkrb5-dev and code-server (scripts/setup-e2e.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

want_e2e=0
for a in "$@"; do [ "$a" = "--e2e" ] && want_e2e=1; done

log() { printf '[setup] %s\n' "$*" >&2; }

# --- npm packages ---------------------------------------------------------------------------------
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

# --- Debian packages ------------------------------------------------------------------------------
apt_updated=0
apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  if [ $apt_updated -eq 0 ]; then
    log "apt-get update"
    $sudo apt-get update -qq
    apt_updated=1
  fi
  log "installing Debian packages: ${missing[*]}"
  # Packaged services must not start on install (port 80 may be taken, and there is no init here).
  local policy=/usr/sbin/policy-rc.d created_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null && $sudo chmod +x "$policy" && created_policy=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ $created_policy -eq 1 ] && $sudo rm -f "$policy"
  return 0
}

# clang + lld build dist/nginxScan.wasm (the logs scanner); without them the logs use the JavaScript path.
apt_install nginx haproxy apache2 caddy openssl curl clang lld gunicorn

if [ $want_e2e -eq 1 ]; then
  apt_install chromium libkrb5-dev
  if [ -f scripts/setup-e2e.sh ]; then bash scripts/setup-e2e.sh; fi
fi
log "ready"
