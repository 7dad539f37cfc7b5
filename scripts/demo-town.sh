#!/usr/bin/env bash
# Builds a real Gas Town for tests and demos, with the real gt / bd / dolt only (from
# scripts/gastown-stack.sh), every piece of state kept under one directory.
#
# Usage:
#   scripts/demo-town.sh build  <dir>   build (or reuse) <dir>/town; prints one JSON summary line on stdout
#   scripts/demo-town.sh stop   <dir>   stop the town's Dolt server, daemon and tmux server
#   scripts/demo-town.sh status <dir>   print a JSON status line
#   scripts/demo-town.sh env    <dir>   print the `export` lines (PATH, HOME, XDG_*) to talk to the town
#
# Layout under <dir>:
#   town/        the Gas Town HQ (gt install), rig "demo", crew alice + bob, two polecats
#   home/        HOME for every command (git identity, ~/.dolt, ~/.gt, XDG dirs): the real ~ is not touched
#   upstream/    demo.git, the bare repository the rig was made from (file:// URL)
#   env.sh       the same export lines as `env`
#   summary.json the JSON summary line (facts tests read: names, the rig prefix, the Dolt port, and
#                hostileBead, the id of the rig bead whose title and description are hostile text)
#   build.log    output of every gt / bd command of the last build
#
# The Dolt server listens on 127.0.0.1 on a free port chosen at build time.
# stdout carries only the summary (build) or status (status) line; progress goes to stderr.
set -euo pipefail

DEMO_TOWN_FORMAT=4   # bump when the content built below changes, so old towns are rebuilt

usage() {
  echo "usage: $0 build|stop|status|env <dir>" >&2
  exit 2
}
[ $# -eq 2 ] || usage
CMD=$1
case "$CMD" in build | stop | status | env) ;; *) usage ;; esac

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd -P)
AGENT_JS=$REPO_ROOT/test/agent/test-agent.mjs

if [ "$CMD" = build ]; then mkdir -p "$2"; fi
[ -d "$2" ] || { echo "no such directory: $2" >&2; exit 1; }
DIR=$(cd "$2" && pwd -P)
TOWN=$DIR/town
DEMO_HOME=$DIR/home
UPSTREAM=$DIR/upstream/demo.git
STAMP=$DIR/.demo-town.stamp
SUMMARY=$DIR/summary.json
LOG=$DIR/build.log
ENV_FILE=$DIR/env.sh
RIG=demo

log() { printf '[demo-town] %s\n' "$*" >&2; }
die() { printf '[demo-town] ERROR: %s\n' "$*" >&2; exit 1; }

# The per-town tmux socket gt uses: <basename>-<first 6 hex of sha256(path)> (session/registry.go).
tmux_socket() {
  local base
  base=$(basename "$TOWN" | tr '[:upper:]' '[:lower:]' | sed 's/[^a-z0-9-]\{1,\}/-/g; s/^-*//; s/-*$//')
  printf '%s-%s' "${base:-default}" "$(printf '%s' "$TOWN" | sha256sum | cut -c1-6)"
}

# --- environment: real CLIs, HOME and config dirs redirected under <dir> -------------------------
STACK_BIN=
setup_env() {
  # The stack is resolved once, before HOME is redirected (its cache and Go's caches live in the real HOME).
  if [ -z "$STACK_BIN" ]; then
    STACK_BIN=$(bash "$SCRIPT_DIR/gastown-stack.sh") || die "gastown-stack.sh failed"
  fi
  local bin=$STACK_BIN
  # Nothing from an enclosing Gas Town / beads / git / tmux session may leak in.
  local v
  for v in $(env | sed -n 's/^\(GT_[A-Za-z0-9_]*\|BD_[A-Za-z0-9_]*\|BEADS_[A-Za-z0-9_]*\)=.*/\1/p'); do
    unset "$v"
  done
  unset TMUX TMUX_PANE GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_CEILING_DIRECTORIES \
    GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL CLAUDECODE DOLT_ROOT_PATH
  export PATH="$bin:$PATH"
  export HOME=$DEMO_HOME
  export XDG_CONFIG_HOME=$DEMO_HOME/.config XDG_DATA_HOME=$DEMO_HOME/.local/share
  export XDG_STATE_HOME=$DEMO_HOME/.local/state XDG_CACHE_HOME=$DEMO_HOME/.cache
  export NO_COLOR=1 GIT_TERMINAL_PROMPT=0
  mkdir -p "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_STATE_HOME" "$XDG_CACHE_HOME"
  cat >"$ENV_FILE" <<EOF
export PATH="$bin:\$PATH"
export HOME="$DEMO_HOME"
export XDG_CONFIG_HOME="$XDG_CONFIG_HOME"
export XDG_DATA_HOME="$XDG_DATA_HOME"
export XDG_STATE_HOME="$XDG_STATE_HOME"
export XDG_CACHE_HOME="$XDG_CACHE_HOME"
EOF
}

# run DESC CMD...: run a gt/bd/git command, output to the build log; fail loudly.
run() {
  local desc=$1
  shift
  printf '\n[%ss] $ (%s) %s\n' "$SECONDS" "$PWD" "$*" >>"$LOG"
  if ! "$@" >>"$LOG" 2>&1; then
    log "FAILED: $desc: $*"
    tail -n 25 "$LOG" >&2
    exit 1
  fi
}

# capture CMD...: run a command and print its stdout (stderr to the log); fail loudly.
capture() {
  local out
  printf '\n[%ss] $ (%s) %s\n' "$SECONDS" "$PWD" "$*" >>"$LOG"
  if ! out=$("$@" 2>>"$LOG"); then
    log "FAILED: $*"
    tail -n 25 "$LOG" >&2
    exit 1
  fi
  printf '%s\n' "$out" >>"$LOG"
  printf '%s' "$out"
}

# (Output is captured before matching: with pipefail, `gt ... | grep -q` fails when grep exits early.)
dolt_running() {
  [ -f "$TOWN/mayor/town.json" ] || return 1
  local out
  out=$(cd "$TOWN" && gt dolt status 2>/dev/null) || true
  case "$out" in *"Dolt server is running"*) return 0 ;; *) return 1 ;; esac
}

daemon_running() {
  [ -f "$TOWN/mayor/town.json" ] || return 1
  local out
  out=$(cd "$TOWN" && gt daemon status 2>/dev/null) || true
  case "$out" in *"aemon is running"*) return 0 ;; *) return 1 ;; esac
}

dolt_port() {
  sed -n 's/^[[:space:]]*port:[[:space:]]*\([0-9]\{1,\}\).*/\1/p' "$TOWN/.dolt-data/config.yaml" 2>/dev/null | head -n1
}

# PIDs of dolt servers serving this town's data dir (only ours: matched on the town's config path).
town_dolt_pids() {
  pgrep -f -- "dolt sql-server --config $TOWN/.dolt-data/config.yaml" 2>/dev/null || true
}

do_stop() {
  if [ -f "$TOWN/mayor/town.json" ]; then
    if daemon_running; then
      log "stopping the gt daemon"
      (cd "$TOWN" && gt daemon stop >>"$LOG" 2>&1) || log "gt daemon stop failed (see $LOG)"
    fi
    if dolt_running; then
      log "stopping the Dolt server"
      (cd "$TOWN" && gt dolt stop >>"$LOG" 2>&1) || log "gt dolt stop failed (see $LOG)"
    fi
  fi
  local sock
  sock=$(tmux_socket)
  if tmux -L "$sock" ls >/dev/null 2>&1; then
    log "killing tmux server on socket $sock"
    tmux -L "$sock" kill-server 2>/dev/null || true
  fi
  # Anything gt could not stop (e.g. a half-built town): end it by PID.
  local pid
  for pid in $(town_dolt_pids); do
    log "ending leftover dolt server PID $pid"
    kill "$pid" 2>/dev/null || true
  done
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    [ -z "$(town_dolt_pids)" ] && break
    sleep 0.5
  done
  for pid in $(town_dolt_pids); do kill -9 "$pid" 2>/dev/null || true; done
}

stack_fingerprint() {
  cat "$(dirname "$(command -v gt)")"/.*.stamp 2>/dev/null | sha256sum | cut -c1-16
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{const p=s.address().port;s.close(()=>console.log(p))})'
}

# --- JSON helpers (node, no dependencies) ---------------------------------------------------------
json_merge_agents() {
  node - "$TOWN/settings/agents.json" "$AGENT_JS" <<'EOF'
const fs = require('fs');
const [file, agentJs] = process.argv.slice(2);
let doc = {};
try { doc = JSON.parse(fs.readFileSync(file, 'utf8')); } catch (e) { if (e.code !== 'ENOENT') throw e; }
if (typeof doc.version !== 'number') doc.version = 1;
doc.agents = doc.agents && typeof doc.agents === 'object' ? doc.agents : {};
doc.agents.testagent = {
  command: 'node',
  args: [agentJs],
  process_names: ['node'],
  ready_prompt_prefix: 'test-agent> ',
  ready_delay_ms: 3000,
  resume_flag: '--resume',
  continue_flag: '--continue',
  resume_style: 'flag',
  session_id_env: 'TEST_AGENT_SESSION_ID',
  non_interactive: { subcommand: 'exec', prompt_flag: '-p', output_flag: '--json' },
  prompt_mode: 'arg',
  hooks_provider: 'none',
};
fs.mkdirSync(require('path').dirname(file), { recursive: true });
fs.writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
EOF
}

json_merge_role_agents() {
  node - "$TOWN/settings/config.json" <<'EOF'
const fs = require('fs');
const [file] = process.argv.slice(2);
const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
doc.role_agents = Object.assign({}, doc.role_agents, {
  crew: 'testagent', polecat: 'testagent', witness: 'testagent', mayor: 'testagent',
});
// gt checks a new polecat 25 s after its startup nudge, twice, for Claude's busy indicator; the test agent
// shows none, so each spawn (gt sling) waited about 55 s for nothing. No retries in the demo town.
doc.operational = Object.assign({}, doc.operational);
doc.operational.session = Object.assign({}, doc.operational.session, { startup_nudge_max_retries: 0 });
fs.writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
EOF
}

# json_ids: read a JSON array on stdin, print one "<field>" per line
json_field_lines() {
  node -e '
    let s = ""; process.stdin.on("data", d => s += d).on("end", () => {
      const a = JSON.parse(s || "[]"); const f = process.argv[1];
      for (const x of (Array.isArray(a) ? a : [])) if (x && x[f] !== undefined) console.log(x[f]);
    });' "$1"
}

# --- the build ----------------------------------------------------------------------------------
# bead VAR TITLE ARGS...: create a bead in the current directory's database, store its id in VAR
bead() {
  local __var=$1 title=$2
  shift 2
  local id
  id=$(capture bd create "$title" --silent "$@")
  id=$(printf '%s' "$id" | tail -n1 | tr -d '[:space:]')
  [ -n "$id" ] || die "bd create returned no id for: $title"
  printf -v "$__var" '%s' "$id"
  SEEDED=$((SEEDED + 1))
}

# issue_prefix: the issue prefix of the current directory's beads database
issue_prefix() {
  local json
  json=$(capture bd config get issue_prefix --json)
  node -e 'const v=JSON.parse(process.argv[1]);console.log(String(v&&typeof v==="object"?v.value??"":v))' "$json"
}

# align_rig_prefix PREFIX: make the rig database's issue prefix the one gt registered in mayor/rigs.json.
# gt v1.2.1's `gt rig add` sets the prefix of the rig's server-side database (named after the rig) with
# `bd config set issue_prefix <prefix>`, which newer bd refuses ("issue_prefix cannot be set via 'bd
# config set' ... bd rename-prefix"; gt only warns). The database then keeps the rig's name as its
# prefix ("demo" instead of "de"), and bd creates "demo-…" beads that neither the routes nor gt's
# prefix lookups know. `bd rename-prefix <prefix>- --repair` sets the prefix and renames the beads gt
# already created with the other one (its patrol molecules; --repair: gt's own "de-rig-demo" is there too).
align_rig_prefix() {
  local want=$1 have
  (
    cd "$TOWN/$RIG"
    have=$(issue_prefix)
    if [ "$have" != "$want" ]; then
      log "rig database prefix is \"$have\"; renaming it to \"$want\" (mayor/rigs.json)"
      run "bd rename-prefix" bd rename-prefix "$want-" --repair
      have=$(issue_prefix)
      [ "$have" = "$want" ] || die "bd rename-prefix left the rig database prefix at \"$have\", not \"$want\""
    fi
  )
}

# mail_id_by_subject ADDRESS SUBJECT: id of the newest message with that subject in the inbox
mail_id_by_subject() {
  local json
  json=$(capture gt mail inbox "$1" --all --json)
  node -e '
    const a = JSON.parse(process.argv[1] || "[]"); const m = a.find(x => x.subject === process.argv[2]);
    if (!m) process.exit(1); console.log(m.id);' "$json" "$2" || die "no mail '$2' in $1's inbox"
}

# Bead ids are kept in named locals (set by `bead` through printf -v); not all of them are used later.
# shellcheck disable=SC2034
build_town() {
  local start=$SECONDS
  : >"$LOG"
  log "building a Gas Town in $TOWN (log: $LOG)"

  # git identity for the overseer, in the redirected HOME
  mkdir -p "$DEMO_HOME"
  run "git identity" git config --global user.name "Demo Overseer"
  run "git identity" git config --global user.email "overseer@demo.invalid"
  run "git identity" git config --global init.defaultBranch main
  run "git identity" git config --global advice.detachedHead false
  # dolt: no release check against GitHub, no usage metrics (this HOME's ~/.dolt only)
  run "dolt config" dolt config --global --add metrics.disabled true
  run "dolt config" dolt config --global --add versioncheck.disabled true

  # the project the rig is made from: a bare repo with one commit
  local seed=$DIR/upstream/seed
  rm -rf "$DIR/upstream"
  mkdir -p "$seed/src"
  cat >"$seed/README.md" <<'EOF'
# demo

A small project managed by the demo Gas Town.
EOF
  # shellcheck disable=SC2016 # JavaScript template literal, not a shell expansion
  printf 'export function greet(name) {\n  return `hello ${name}`;\n}\n' >"$seed/src/greet.js"
  printf '{\n  "name": "demo",\n  "version": "0.1.0",\n  "type": "module"\n}\n' >"$seed/package.json"
  (cd "$seed" && run "seed repo" git init -q && run "seed repo" git add -A && run "seed repo" git commit -qm "Initial commit")
  run "bare upstream" git clone -q --bare "$seed" "$UPSTREAM"
  rm -rf "$seed"

  # gt install: HQ with git, Dolt server on a free loopback port
  local port
  port=$(free_port)
  log "gt install (Dolt port $port)"
  (cd "$DIR" && run "gt install" gt install "$TOWN" --git --dolt-port "$port")
  cd "$TOWN"

  log "gt rig add $RIG"
  run "gt rig add" gt rig add "$RIG" "file://$UPSTREAM"
  local prefix
  prefix=$(node -e 'const r=require(process.argv[1]).rigs[process.argv[2]];console.log(r.beads.prefix.replace(/-$/,""))' "$TOWN/mayor/rigs.json" "$RIG")
  [ -n "$prefix" ] || die "no beads prefix for rig $RIG in mayor/rigs.json"
  align_rig_prefix "$prefix"
  log "gt crew add alice, bob"
  run "gt crew add" gt crew add alice --rig "$RIG"
  run "gt crew add" gt crew add bob --rig "$RIG"
  log "gt polecat pool-init (2 polecats)"
  run "gt polecat pool-init" gt polecat pool-init "$RIG" --size 2

  # agent preset + role agents
  run "gt config set" gt config set default_agent claude
  json_merge_agents
  json_merge_role_agents

  local crew_json polecat_json
  crew_json=$(capture gt crew list --rig "$RIG" --json)
  polecat_json=$(capture gt polecat list "$RIG" --json)
  local pc1 pc2
  pc1=$(printf '%s' "$polecat_json" | json_field_lines name | sed -n 1p)
  pc2=$(printf '%s' "$polecat_json" | json_field_lines name | sed -n 2p)
  if [ -z "$pc1" ] || [ -z "$pc2" ]; then die "gt polecat list shows fewer than 2 polecats"; fi

  # --- beads in the rig database (the rig's .beads lives at <town>/<rig>/.beads) ---
  log "filling the rig with beads"
  SEEDED=0
  cd "$TOWN/$RIG"
  local alice="$RIG/crew/alice" bob="$RIG/crew/bob" p1="$RIG/polecats/$pc1" p2="$RIG/polecats/$pc2"
  local E1 E2 E3
  bead E1 "Epic: Session lifecycle" -t epic -p 1 -l sessions -d "Start, resume and watch agent sessions per role."
  bead E2 "Epic: Mail and notifications" -t epic -p 2 -l mail -d "Inbox, threads, unread badges."
  bead E3 "Epic: Onboarding docs" -t epic -p 3 -l docs -d "Everything a new overseer reads first."

  local S1 S2 S3 S4 S5
  bead S1 "Start agent in its role home directory" -t feature -p 1 --parent "$E1" -l sessions
  bead S2 "Resume a session with --resume" -t feature -p 1 --parent "$E1" -l sessions
  bead S3 "Detect the ready prompt" -t task -p 2 --parent "$E1" -l sessions
  bead S4 "Terminal leaks NODE_OPTIONS into the agent" -t bug -p 0 --parent "$E1" -l sessions,security
  bead S5 "Crash detection for the tmux host" -t task -p 2 --parent "$E1" -l sessions,tmux

  local M1 M2 M3 M4
  bead M1 "Unread badge in the status bar" -t feature -p 2 --parent "$E2" -l mail,ui
  bead M2 "Reply loses the thread id" -t bug -p 1 --parent "$E2" -l mail
  bead M3 "Mark a message read when it is opened" -t task -p 3 --parent "$E2" -l mail
  bead M4 "Refactor the mail parser" -t chore -p 4 --parent "$E2" -l mail

  local D1 D2 D3
  bead D1 "Write the quickstart" -t task -p 3 --parent "$E3" -l docs
  bead D2 "Record the demo GIF" -t task -p 4 --parent "$E3" -l docs
  bead D3 "Fix typos in the README" -t chore -p 4 --parent "$E3" -l docs

  local B1 B2 B3 B4 B5 B6 B7
  bead B1 "Status bar flickers on refresh" -t bug -p 2 -l ui
  bead B2 "Crash when rigs.json is missing" -t bug -p 0 -l model
  bead B3 "Wrong icon for the refinery" -t bug -p 4 -l ui
  bead B4 "Tree loses its selection after reload" -t bug -p 3 -l ui
  bead B5 "Escalation count is off by one" -t bug -p 1 -l escalations
  bead B6 "Welcome view shows while loading" -t bug -p 2 -l ui
  bead B7 "Dolt port not re-read after a restart" -t bug -p 1 -l cli

  local F1 F2 F3 F4 F5 F6 F7
  bead F1 "Convoy progress view" -t feature -p 2 -l convoys,ui
  bead F2 "Quick pick for sling targets" -t feature -p 3 -l ui
  bead F3 "Polecat log viewer" -t feature -p 2 -l polecats
  bead F4 "Dark theme icons" -t feature -p 4 -l ui
  bead F5 "Search beads by label" -t feature -p 2 -l beads
  bead F6 "Hook status panel" -t feature -p 2 -l hooks
  bead F7 "Nudge an agent from the context menu" -t feature -p 3 -l ui

  local T1 T2 T3 T4 T5 T6 T7
  bead T1 "Add zod schemas for gt status" -t task -p 1 -l cli
  bead T2 "Benchmark the refresh cost" -t task -p 3 -l perf
  bead T3 "Integration tests for mail" -t task -p 2 -l mail,tests
  bead T4 "Update the CHANGELOG" -t task -p 4 -l release
  bead T5 "Review the hooks installer" -t task -p 2 -l hooks
  bead T6 "Document the settings" -t task -p 3 -l docs
  bead T7 "Measure activation time" -t task -p 4 -l perf

  local C1 C2 C3 C4 C5
  bead C1 "Bump esbuild" -t chore -p 4 -l build
  bead C2 "Clean up test fixtures" -t chore -p 3 -l tests
  bead C3 "Rename context values" -t chore -p 3 -l ui
  bead C4 "Tidy the lint config" -t chore -p 4 -l build
  bead C5 "Remove the dead refresh timer" -t chore -p 2 -l perf

  # blocking dependencies: <blocked> depends on <blocker>
  run "bd dep add" bd dep add "$S3" "$S1"
  run "bd dep add" bd dep add "$S2" "$S3"
  run "bd dep add" bd dep add "$B5" "$T1"
  run "bd dep add" bd dep add "$T5" "$F6"
  run "bd dep add" bd dep add "$F1" "$M1"

  # statuses and assignees
  run "bd update" bd update "$S1" -s in_progress -a "$alice"
  run "bd update" bd update "$B2" -s in_progress -a "$alice"
  run "bd update" bd update "$F5" -s in_progress -a "$bob"
  run "bd update" bd update "$M1" -s in_progress -a "$p1"
  run "bd update" bd update "$T3" -s in_progress -a "$p2"
  run "bd update" bd update "$C4" -s in_progress -a "$bob"
  run "bd update" bd update "$E2" -s in_progress
  run "bd update" bd update "$S3" -s blocked
  run "bd update" bd update "$B5" -s blocked
  run "bd update" bd update "$T5" -s blocked -a "$bob"
  run "bd update" bd update "$S2" -a "$alice"
  run "bd update" bd update "$S4" -a "$p1"

  run "bd close" bd close "$M3" -r "Done in the inbox view"
  run "bd close" bd close "$D1" -r "Published"
  run "bd close" bd close "$D2" -r "Recorded"
  run "bd close" bd close "$D3" -r "Fixed"
  run "bd close" bd close "$E3" -r "All onboarding docs written"
  run "bd close" bd close "$B3" -r "New icon"
  run "bd close" bd close "$F4" -r "Shipped"
  run "bd close" bd close "$T4" -r "Released 0.1.0"
  run "bd close" bd close "$C2" -r "Fixtures removed"
  run "bd comment" bd comments add "$S4" "Seen with VS Code 1.9x: NODE_OPTIONS carries the debugger hook."
  run "bd comment" bd comments add "$S4" "Fix: the launcher sets NODE_OPTIONS to an empty string."

  # A bead whose text is hostile: Markdown, HTML, command substitutions. Views must show it as text.
  # (Single quotes: this script expands none of it either.)
  local HOSTILE hostile_body=$DIR/.hostile-description.md
  # shellcheck disable=SC2016
  local hostile_title='Fix [link](http://example.com) ![img](http://example.com/i.png) $(alert) <script>alert(1)</script> `rm -rf /` $(touch /tmp/gt-pwned)'
  cat >"$hostile_body" <<'HOSTILE_TEXT'
# Heading in a description

- a list item with a [link](http://example.com/x)
- an image tag <img src=x onerror=alert(1)>
- a script <script>alert(2)</script>
- a substitution $(touch /tmp/gt-pwned2) and `backticks`

```sh
echo "$(touch /tmp/gt-pwned3)"  # a fenced code block
```
HOSTILE_TEXT
  bead HOSTILE "$hostile_title" -t bug -p 2 -l hostile --body-file "$hostile_body"
  rm -f "$hostile_body"

  # Every bead of the rig carries the prefix mayor/rigs.json registers (routes and gt's lookups use it).
  local stray
  stray=$(capture bd list --all --limit 0 --json)
  stray=$(printf '%s' "$stray" | json_field_lines id | grep -v "^$prefix-" || true)
  [ -z "$stray" ] || die "rig beads without the prefix $prefix- (mayor/rigs.json): $(printf '%s' "$stray" | tr '\n' ' ')"
  local rig_seeded=$SEEDED

  # --- town (hq) beads: convoys track these too, and gt can read their progress from the town root ---
  cd "$TOWN"
  SEEDED=0
  local H1 H2 H3
  bead H1 "Town: rotate the Dolt logs" -t chore -p 3
  bead H2 "Town: write the on-call runbook" -t task -p 2
  bead H3 "Town: review polecat pool size" -t task -p 3
  run "bd close" bd close "$H1" -r "Rotated"
  local town_seeded=$SEEDED

  # hooked work: the mayor hooks a town bead from its own home. (`gt hook <bead> <target>` needs the
  # target's tmux pane.)
  (cd "$TOWN/mayor" && run "gt hook" gt hook "$H2")

  # --- convoys ---
  log "convoys"
  run "gt convoy create" gt convoy create "Session lifecycle sprint" "$S1" "$S2" "$S3" "$B3" "$T4"
  run "gt convoy create" gt convoy create "Town ops week" "$H1" "$H2" "$H3" --owner mayor/

  # --- mail (the overseer works from the town root; the mayor from <town>/mayor) ---
  log "mail"
  run "gt mail send" gt mail send mayor/ -s "Welcome to the demo town" -m "Hello mayor, this is the overseer. The demo rig is ready."
  run "gt mail send" gt mail send mayor/ --urgent -s "URGENT: Dolt disk almost full" -m "The .dolt-data volume is at 95%. Please look now."
  run "gt mail send" gt mail send mayor/ -s "Plan for the session lifecycle sprint" -m "Convoy is up; alice owns the session start work."
  run "gt mail send" gt mail send overseer --from mayor/ -s "Status report" -m "All rigs nominal. Two polecats idle, crew busy."
  run "gt mail send" gt mail send overseer --from "$RIG/witness" -s "Polecat $pc2 looks stuck" -m "No progress on $T3 for 40 minutes."
  run "gt mail send" gt mail send "$alice" -s "Please pick up the session resume work" -m "See $S2; it is blocked until $S3 lands."
  local status_id welcome_id reply1_id
  status_id=$(mail_id_by_subject overseer "Status report")
  run "gt mail reply" gt mail reply "$status_id" -m "Thanks mayor. Keep the polecats busy."
  reply1_id=$(mail_id_by_subject mayor/ "Re: Status report")
  (cd "$TOWN/mayor" && run "gt mail reply" gt mail reply "$reply1_id" -m "Will do. Next report at noon.")
  welcome_id=$(mail_id_by_subject mayor/ "Welcome to the demo town")
  (cd "$TOWN/mayor" && run "gt mail mark-read" gt mail mark-read "$welcome_id")
  local stuck_id
  stuck_id=$(mail_id_by_subject overseer "Polecat $pc2 looks stuck")
  run "gt mail mark-read" gt mail mark-read "$stuck_id"

  # --- escalations, one per severity; the high one acknowledged ---
  log "escalations"
  local esc_json esc_ids=()
  local sev
  for sev in critical high medium low; do
    esc_json=$(capture gt escalate "Demo $sev escalation: $(case $sev in
      critical) echo "Dolt server refuses writes" ;;
      high) echo "Refinery merge queue stalled" ;;
      medium) echo "Polecat $pc2 idle for 40 minutes" ;;
      low) echo "Stale branch on the upstream" ;;
      esac)" -s "$sev" -r "Raised by demo-town.sh ($sev)" --source demo-town --json)
    esc_ids+=("$(node -e 'console.log(JSON.parse(process.argv[1]).id)' "$esc_json")")
  done
  run "gt escalate ack" gt escalate ack "${esc_ids[1]}"

  # --- summary ---
  local crew_names polecat_names beads_total
  crew_names=$(printf '%s' "$crew_json" | json_field_lines name)
  polecat_names=$(printf '%s' "$polecat_json" | json_field_lines name)
  beads_total=$(cd "$TOWN/$RIG" && capture bd list --all --limit 0 --json |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const w=new Set(["bug","feature","task","epic","chore"]);console.log(JSON.parse(s).filter(i=>w.has(i.issue_type)).length)})')
  [ "$beads_total" -ge "$rig_seeded" ] || die "bd list shows $beads_total work beads, expected $rig_seeded"
  node -e '
    const [town, rig, prefix, crew, polecats, port, beads, townBeads, sock, home, env, hostileBead] = process.argv.slice(1);
    const lines = s => s.split("\n").filter(Boolean);
    console.log(JSON.stringify({
      town, rig, prefix, crew: lines(crew), polecats: lines(polecats), doltPort: Number(port),
      beads: Number(beads), townBeads: Number(townBeads), tmuxSocket: sock, home, env, hostileBead,
    }));' "$TOWN" "$RIG" "$prefix" "$crew_names" "$polecat_names" "$(dolt_port)" "$beads_total" \
    "$town_seeded" "$(tmux_socket)" "$DEMO_HOME" "$ENV_FILE" "$HOSTILE" >"$SUMMARY"

  printf 'format=%s stack=%s\n' "$DEMO_TOWN_FORMAT" "$(stack_fingerprint)" >"$STAMP"
  log "built in $((SECONDS - start))s"
}

# --- commands -------------------------------------------------------------------------------------
case "$CMD" in
  env)
    [ -f "$ENV_FILE" ] || die "no town built in $DIR"
    cat "$ENV_FILE"
    ;;

  status)
    if [ -f "$ENV_FILE" ]; then
      # shellcheck disable=SC1090
      . "$ENV_FILE"
    fi
    built=false
    [ -f "$STAMP" ] && [ -f "$TOWN/mayor/town.json" ] && built=true
    running=false
    if command -v gt >/dev/null 2>&1 && dolt_running; then running=true; fi
    tmux_up=false
    tmux -L "$(tmux_socket)" ls >/dev/null 2>&1 && tmux_up=true
    printf '{"town":"%s","built":%s,"doltRunning":%s,"doltPort":%s,"tmuxSocket":"%s","tmuxRunning":%s}\n' \
      "$TOWN" "$built" "$running" "$(dolt_port | grep . || echo null)" "$(tmux_socket)" "$tmux_up"
    ;;

  stop)
    if [ -f "$ENV_FILE" ]; then
      setup_env
    fi
    do_stop
    log "stopped"
    ;;

  build)
    total_start=$SECONDS
    had_previous=false
    if [ -e "$TOWN" ] || [ -e "$STAMP" ] || [ -e "$DEMO_HOME" ] || [ -e "$DIR/upstream" ]; then had_previous=true; fi
    setup_env
    want="format=$DEMO_TOWN_FORMAT stack=$(stack_fingerprint)"
    if [ -f "$TOWN/mayor/town.json" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && [ -f "$SUMMARY" ]; then
      if ! dolt_running; then
        log "starting the Dolt server"
        (cd "$TOWN" && gt dolt start >>"$LOG" 2>&1) || die "gt dolt start failed (see $LOG)"
      fi
      log "town already built; Dolt server running (${SECONDS}s)"
      cat "$SUMMARY"
      exit 0
    fi
    if [ "$had_previous" = true ]; then
      log "removing a previous (incomplete or outdated) build"
      do_stop
      rm -rf "$TOWN" "$DEMO_HOME" "$DIR/upstream" "$STAMP" "$SUMMARY"
      setup_env
    fi
    build_town
    log "total ${SECONDS}s (build $((SECONDS - total_start))s)"
    cat "$SUMMARY"
    ;;
esac
