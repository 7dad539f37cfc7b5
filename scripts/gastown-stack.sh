#!/usr/bin/env bash
# Installs the real Gas Town stack used by the integration and end-to-end tests:
# pinned builds of gt (gastown), bd (beads) and dolt, from the Go module proxy, into
#   ${GASTOWN_VSCODE_CACHE:-$HOME/.cache/gastown-vscode}/bin
# and makes sure tmux and git exist.
#
# Usage:   BIN=$(bash scripts/gastown-stack.sh) && export PATH="$BIN:$PATH"
#
# stdout:  only the bin directory, as the last (and only) line.
# stderr:  progress.
# Idempotent: a tool is rebuilt only when its stamp file (bin/.<tool>.stamp) does not match the
# pinned module version and build flags. Builds go to a temporary name and are renamed into place
# after `<tool> version` has run, so a half-built binary is never cached.
#
# Why not `go install pkg@version`: the proxy here refuses /@v/list, which `go install` needs for its
# deprecation check, and dolt's module cannot be `go install`ed. So: `go mod download` + `go build`.
set -euo pipefail

# --- pinned versions ---------------------------------------------------------------------------
GT_MODULE=github.com/steveyegge/gastown
GT_VERSION=v1.2.1            # gt 1.2.1 (the newest on the proxy): needs dolt >= 2.0.7 (internal/deps/dolt.go MinDoltVersion)
# gt is not built from the read-only module cache but from a writable copy of it, changed in two ways
# (see the README, "How to test", and gastown_prepare below):
#  - the fix: gt v1.2.1's internal/beads/database.go, doltTargetEnvFromBeadsDir, adds
#    BEADS_DOLT_DATA_DIR=<town>/.dolt-data to every bd call pinned to a rig's .beads; with it bd resolves
#    the town's .beads (the hq database) first, so `gt show` / `gt sling` report every rig bead "not
#    found". Upstream main deleted that block after v1.2.1 (unreleased); so do we.
#  - beads: gt v1.2.1 embeds beads v1.0.0 as a library and opens the databases itself; with a newer bd
#    CLI `gt install` fails ("pending schema migrations alter pre-existing dirty tables"). gt is built
#    against the same beads version as bd (upstream's advice, gastownhall/gastown#4789, PR #4662: "no
#    source changes required").
GT_FIX=no-beads-dolt-data-dir    # in gt's stamp: a change of the fix rebuilds cached builds
BD_MODULE=github.com/steveyegge/beads
# bd 1.2.2 (2026-08-15): it links exactly dolt 2.1.4's commit (the dolt pinned below). bd >= 1.0.5 routes
# rig beads by prefix from the town root (routes.jsonl; bd 1.0.0 cannot). bd 1.3.0 works too but prints
# spurious agent-bead warnings at `gt rig add` and needs go >= 1.26.5.
# Override (at your own risk) with GASTOWN_STACK_BD_VERSION and GASTOWN_STACK_GT_BEADS_VERSION (keep
# them equal: gt and bd must agree on the database schema).
BD_VERSION=${GASTOWN_STACK_BD_VERSION:-v1.2.2}
GT_BEADS_VERSION=${GASTOWN_STACK_GT_BEADS_VERSION:-v1.2.2}
DOLT_MODULE=github.com/dolthub/dolt/go
# dolt tag v2.1.4 = commit 1bf533220ab04e6afccee64f20ff8d0f5b92202e (2026-06-05, the last dolt release
# before gastown v1.2.1). The module has no v2 semver tags on the proxy, only pseudo-versions.
DOLT_VERSION=v0.40.5-0.20260605230755-1bf533220ab0
DOLT_EXPECT=2.1.4

CACHE_DIR=${GASTOWN_VSCODE_CACHE:-$HOME/.cache/gastown-vscode}
BIN_DIR=$CACHE_DIR/bin
LOG_DIR=$CACHE_DIR/logs

log() { printf '[gastown-stack] %s\n' "$*" >&2; }
die() { printf '[gastown-stack] ERROR: %s\n' "$*" >&2; exit 1; }

mkdir -p "$BIN_DIR" "$LOG_DIR"
# `dolt version` would query GitHub for the latest release and dolt would emit usage metrics: run the
# dolt commands of this script with a private dolt root whose global config turns both off (the
# user's ~/.dolt is not touched).
export DOLT_ROOT_PATH="$CACHE_DIR/dolt-root"
if [ ! -f "$DOLT_ROOT_PATH/.dolt/config_global.json" ]; then
  mkdir -p "$DOLT_ROOT_PATH/.dolt"
  printf '{"metrics.disabled":"true","versioncheck.disabled":"true"}\n' >"$DOLT_ROOT_PATH/.dolt/config_global.json"
fi
# The tool's own output (go, apt) must never reach stdout.
exec 3>&1 1>&2

# --- serialize concurrent runs ----------------------------------------------------------------
# Children get fds 3 and 9 closed (3>&- 9>&-): `dolt version` leaves a short-lived background
# process behind, which would otherwise hold the lock and the caller's $(...) pipe open.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE_DIR/.lock"
  if ! flock -n 9; then
    log "another gastown-stack.sh holds $CACHE_DIR/.lock; waiting"
    flock 9
  fi
fi

# --- system tools ------------------------------------------------------------------------------
ensure_system_tools() {
  local missing=()
  command -v tmux >/dev/null 2>&1 || missing+=(tmux)
  command -v git >/dev/null 2>&1 || missing+=(git)
  if [ ${#missing[@]} -eq 0 ]; then return 0; fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing ${missing[*]} with apt-get"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  else
    die "missing ${missing[*]}: install them (e.g. 'sudo apt-get install -y ${missing[*]}') and re-run"
  fi
}

ensure_system_tools
if ! command -v gcc >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing gcc (dolt needs cgo) with apt-get"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc libc6-dev
  else
    die "gcc is needed to build dolt (cgo): install gcc and re-run"
  fi
fi
command -v go >/dev/null 2>&1 || die "the Go toolchain (go) is needed to build gt, bd and dolt; install Go >= 1.26.2 first (beads v1.2.2 needs it)"

# --- building ------------------------------------------------------------------------------------
# module_dir MODULE VERSION -> prints the module's directory in the module cache
module_dir() {
  local json dir
  json=$(cd "$CACHE_DIR" && go mod download -json "$1@$2" 2>&1 3>&- 9>&-) || {
    printf '%s\n' "$json" >&2
    die "go mod download $1@$2 failed"
  }
  if printf '%s\n' "$json" | grep -q '"Error"'; then
    printf '%s\n' "$json" >&2
    die "go mod download $1@$2 failed"
  fi
  dir=$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' | head -n1)
  if [ -z "$dir" ] || [ ! -d "$dir" ]; then die "no module directory for $1@$2"; fi
  printf '%s\n' "$dir"
}

# wait_build PID NAME LOG: heartbeat while a background build runs; returns its status
wait_build() {
  local pid=$1 name=$2 logf=$3 start=$SECONDS
  while kill -0 "$pid" 2>/dev/null; do
    sleep 5
    if (( (SECONDS - start) % 30 < 5 )); then
      log "  ... still building $name ($((SECONDS - start))s)"
    fi
  done
  if wait "$pid"; then
    return 0
  fi
  log "build of $name failed; last lines of $logf:"
  tail -n 40 "$logf" >&2 || true
  return 1
}

# reports_version BINARY EXPECT: does `BINARY version` print EXPECT? (no pipe into grep -q:
# with pipefail, the writer's SIGPIPE would fail the test)
reports_version() {
  local out
  out=$("$1" version 2>/dev/null 3>&- 9>&-) || return 1
  case "$out" in *"$2"*) return 0 ;; *) return 1 ;; esac
}

# build_tool NAME MODULE VERSION PKG EXPECT LDFLAGS TAGS CGO [PREPARE STAMP_EXTRA]
#   EXPECT: a string that `NAME version` must print (the release version).
#   PREPARE: a function run in a writable copy of the module (a non-zero status fails the build), which
#     is then built with -mod=mod; STAMP_EXTRA (what PREPARE changes) goes into the stamp.
build_tool() {
  local name=$1 module=$2 version=$3 pkg=$4 expect=$5 ldflags=$6 tags=$7 cgo=$8 prepare=${9:-} extra=${10:-}
  local target="$BIN_DIR/$name" stamp="$BIN_DIR/.$name.stamp"
  local want="$module@$version pkg=$pkg tags=$tags ldflags=$ldflags cgo=$cgo${extra:+ $extra}"

  if [ -x "$target" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    if reports_version "$target" "$expect"; then
      log "$name: cached ($expect${extra:+, $extra})"
      return 0
    fi
  fi
  # A binary built by hand with the same pinned version (no stamp yet) is reused, unless this script
  # changes the module before building it (a plain build would lack those changes).
  if [ -z "$prepare" ] && [ -x "$target" ] && [ ! -f "$stamp" ] && reports_version "$target" "$expect"; then
    log "$name: reusing an unstamped build of the pinned version ($expect)"
    printf '%s\n' "$want" >"$stamp"
    return 0
  fi

  log "$name: downloading $module@$version"
  local dir
  dir=$(module_dir "$module" "$version")

  local tmp="$BIN_DIR/.$name.tmp.$$" logf="$LOG_DIR/$name-build.log" start=$SECONDS
  local src="$dir" modflag=
  rm -f "$tmp"
  : >"$logf"
  if [ -n "$prepare" ]; then
    # The module cache is read-only: copy the module and change the copy (removed after the build;
    # copies left by an interrupted run are removed here, under the lock).
    rm -rf "$CACHE_DIR/src/.$name.tmp."*
    src="$CACHE_DIR/src/.$name.tmp.$$"
    mkdir -p "$CACHE_DIR/src"
    cp -R "$dir/." "$src"
    chmod -R u+w "$src"
    log "$name: preparing a copy of the module ($extra; log: $logf)"
    if ! (cd "$src" && "$prepare") >>"$logf" 2>&1 3>&- 9>&-; then
      tail -n 20 "$logf" >&2 || true
      rm -rf "$src"
      die "could not prepare $name (see $logf)"
    fi
    # go.mod was changed: let the build record the new requirements' hashes in go.sum (proxy only).
    modflag=-mod=mod
  fi
  log "$name: building $pkg (log: $logf)"
  (
    cd "$src"
    # Without PREPARE the module cache is only read; the build writes to $tmp.
    CGO_ENABLED=$cgo GOFLAGS="-buildvcs=false${modflag:+ $modflag}" \
      go build -trimpath ${tags:+-tags "$tags"} -ldflags "$ldflags" -o "$tmp" "$pkg"
  ) >>"$logf" 2>&1 3>&- 9>&- &
  if ! wait_build $! "$name" "$logf"; then
    rm -f "$tmp"
    [ "$src" = "$dir" ] || rm -rf "$src"
    die "could not build $name"
  fi
  [ "$src" = "$dir" ] || rm -rf "$src"
  local out
  out=$("$tmp" version 2>/dev/null 3>&- 9>&- || true)
  case "$out" in
    *"$expect"*) ;;
    *) rm -f "$tmp"; die "$name built but '$name version' did not report $expect: $out" ;;
  esac
  out=$(printf '%s\n' "$out" | head -n1)
  mv -f "$tmp" "$target"
  printf '%s\n' "$want" >"$stamp"
  log "$name: built in $((SECONDS - start))s: $out"
}

# gastown_prepare: run in the writable copy of gt's module (see GT_FIX and GT_BEADS_VERSION above).
gastown_prepare() {
  local f=internal/beads/database.go
  [ -f "$f" ] || { echo "gastown_prepare: no $f in $GT_MODULE@$GT_VERSION" >&2; return 1; }
  # (a) Delete, inside func doltTargetEnvFromBeadsDir, the block
  #       if townRoot := FindTownRoot(...); townRoot != "" {
  #           env = append(env, "BEADS_DOLT_DATA_DIR="+filepath.Join(townRoot, ".dolt-data"))
  #       }
  #     found by its content. Exactly one match, or the build fails: a gt version where the block moved
  #     or is already gone needs a look, not a silent build without the fix.
  if ! perl -0777 -i -pe '
      $n = s/(\nfunc doltTargetEnvFromBeadsDir\((?:(?!\n\}\n).)*?)\n[ \t]*if [^\n]*\{\n[ \t]*env = append\(env, "BEADS_DOLT_DATA_DIR="[^\n]*\n[ \t]*\}(?=\n)/$1/s;
      END { exit($n == 1 ? 0 : 3) }' "$f"; then
    echo "gastown_prepare: the BEADS_DOLT_DATA_DIR block of doltTargetEnvFromBeadsDir was not found in $f" \
      "($GT_MODULE@$GT_VERSION). Check whether this gt version still needs the fix (GT_FIX in scripts/gastown-stack.sh)." >&2
    return 1
  fi
  local body
  body=$(awk '/^func doltTargetEnvFromBeadsDir\(/,/^}/' "$f")
  case "$body" in
    *BEADS_DOLT_DATA_DIR*)
      echo "gastown_prepare: doltTargetEnvFromBeadsDir in $f still sets BEADS_DOLT_DATA_DIR after the fix" >&2
      return 1 ;;
  esac
  echo "gastown_prepare: removed the BEADS_DOLT_DATA_DIR block from doltTargetEnvFromBeadsDir ($f)"
  # (b) The beads library gt is built against: the bd CLI's version. go.sum gets its hashes here; the
  #     build (-mod=mod) adds those of the requirements it brings along.
  # (`set -e` does not apply in here: the caller tests the status.)
  go mod edit -require="$BD_MODULE@$GT_BEADS_VERSION" || return 1
  go mod download "$BD_MODULE@$GT_BEADS_VERSION" || return 1
}

GT_LDFLAGS="-s -w -X $GT_MODULE/internal/cmd.Build=$GT_VERSION -X $GT_MODULE/internal/cmd.BuiltProperly=1"
BD_LDFLAGS="-s -w -X main.Build=$BD_VERSION"
DOLT_LDFLAGS="-s -w"

total_start=$SECONDS
# gt and bd: CGO off gives server-mode-only bd, which is what Gas Town uses (bd init --server).
build_tool bd "$BD_MODULE" "$BD_VERSION" ./cmd/bd "${BD_VERSION#v}" "$BD_LDFLAGS" "" 0
build_tool gt "$GT_MODULE" "$GT_VERSION" ./cmd/gt "${GT_VERSION#v}" "$GT_LDFLAGS" "" 0 \
  gastown_prepare "fix=$GT_FIX beads=$GT_BEADS_VERSION"
# dolt: needs cgo (github.com/dolthub/gozstd compiles bundled zstd C sources; with CGO_ENABLED=0 the
# build fails with "undefined: DefaultCompressionLevel"). gms_pure_go keeps go-mysql-server on its
# pure-Go regex engine, so ICU headers are not needed.
build_tool dolt "$DOLT_MODULE" "$DOLT_VERSION" ./cmd/dolt "dolt version $DOLT_EXPECT" "$DOLT_LDFLAGS" gms_pure_go 1

for t in gt bd dolt; do
  "$BIN_DIR/$t" version >/dev/null 2>&1 3>&- 9>&- || die "$BIN_DIR/$t version failed"
done
first_line() { local out; out=$("$@" 2>/dev/null 3>&- 9>&- || true); printf '%s' "${out%%$'\n'*}"; }
log "ready in $((SECONDS - total_start))s: $(first_line "$BIN_DIR/gt" version); $(first_line "$BIN_DIR/bd" version); $(first_line "$BIN_DIR/dolt" version); $(tmux -V); $(git --version)"

printf '%s\n' "$BIN_DIR" >&3
