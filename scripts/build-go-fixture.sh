#!/usr/bin/env bash
# Builds the Go load target (test/fixtures/go-target) offline, in GOPATH mode,
# against Debian's packaged Go libraries (the Go module proxy is not needed).
# Idempotent: installs the toolchain/packages only when missing (and only as
# root), and skips the build when the binary is newer than every source.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SRC="$ROOT/test/fixtures/go-target"
BIN="$SRC/bin/go-target"
GOPATH_DEB=/usr/share/gocode
PKGS=(golang-go golang-github-prometheus-client-golang-dev golang-google-grpc-dev golang-google-protobuf-dev golang-golang-x-net-dev)
REQUIRED_DIRS=(
  "$GOPATH_DEB/src/github.com/prometheus/client_golang/prometheus/promhttp"
  "$GOPATH_DEB/src/google.golang.org/grpc"
  "$GOPATH_DEB/src/google.golang.org/protobuf/encoding/protowire"
  "$GOPATH_DEB/src/golang.org/x/net/http2/h2c"
)

missing=0
command -v go >/dev/null 2>&1 || missing=1
for d in "${REQUIRED_DIRS[@]}"; do [ -d "$d" ] || missing=1; done

installed=""
if [ "$missing" = 1 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${PKGS[@]}" >/dev/null
    installed="installed ${PKGS[*]}; "
  else
    echo "build-go-fixture: Go or its Debian packages are missing; as root run:" >&2
    echo "  apt-get update && apt-get install -y ${PKGS[*]}" >&2
    exit 1
  fi
fi

# Up to date? (binary newer than every source file of the fixture)
if [ -x "$BIN" ] && [ -z "$(find "$SRC" -maxdepth 1 -type f -name '*.go' -newer "$BIN" -print -quit)" ]; then
  echo "build-go-fixture: ${installed}up to date: ${BIN#"$ROOT"/}"
  exit 0
fi

mkdir -p "$SRC/bin"
export GO111MODULE=off GOPATH="$GOPATH_DEB"
unset GOFLAGS
# Debian's GOPATH is read-only for non-root users; keep the build cache writable.
if [ -z "${GOCACHE:-}" ] && ! { [ -n "${HOME:-}" ] && mkdir -p "$HOME/.cache/go-build" 2>/dev/null; }; then
  export GOCACHE="${TMPDIR:-/tmp}/critpoint-go-build-cache"
fi
start=$(date +%s)
# No -trimpath: it changes the standard library's build IDs, so Go compiles all of it again instead of
# using the archives Debian ships in GOROOT (245 packages instead of 101: 35 s instead of 16 s alone on
# a cold cache, more under the test phase's load).
(cd "$SRC" && go build -o "$BIN.tmp" . && mv -f "$BIN.tmp" "$BIN")
echo "build-go-fixture: ${installed}built ${BIN#"$ROOT"/} with $(go version | awk '{print $3}') in $(( $(date +%s) - start ))s"
