#!/usr/bin/env bash
# Whole-process performance figures for the README's "Performance" section, printed next to
# their targets:
#   - `otop status`: median wall time (hyperfine) and peak RSS (/usr/bin/time), one process run;
#   - the monitor in a private tmux server: time to first frame and to the first frame with
#     sessions, CPU averaged over a minute (utime+stime, children's included, from
#     /proc/<pid>/stat: the tmux clients it runs count), RSS;
#   - `otop watch --tmux` (if built with it): CPU over the same minute and RSS.
# Load: a generated database (250,000 messages, 1,000,000 parts, 2,000 sessions) and 10 live
# stand-in `opencode` processes (copies of /bin/sleep) running in the live sessions' directories.
# PLUGIN=1: every stand-in reports through a companion-plugin file, rewritten 250 ms apart
# (benches/plugin_writer.py), and `otop wait --timeout 5`'s CPU is measured too.
# MESSAGES, PARTS, SESSIONS, DIRS (directories the history spreads over), GLOBAL_EVERY (one
# directory in N outside git, 10 by default; 1: all of them) and LIVE change the load
# (benches/scale.sh uses them); ONLY=status stops after the `otop status` figures.
# REPORT=1 also times `otop report --today` (the live sessions' last two hours are today's);
# ONLY=report times only that.
#
# Usage: benches/measure.sh            (SECONDS_CPU=60 by default; RUNS=200 hyperfine runs;
#        OTOP=path/to/otop to measure another build against the same load;
#        BASE=path/to/otop to compare two builds side by side, ONLY=status to stop there)
# Needs: hyperfine (Debian package `hyperfine`), /usr/bin/time (package `time`), tmux, python3.
# The machine is shared: the load average is printed with every figure; repeat when it is high.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_CPU="${SECONDS_CPU:-60}"
RUNS="${RUNS:-200}"
MESSAGES="${MESSAGES:-250000}" PARTS="${PARTS:-1000000}" SESSIONS="${SESSIONS:-2000}"
LIVE="${LIVE:-10}" DIRS="${DIRS:-}" GLOBAL_EVERY="${GLOBAL_EVERY:-10}"
FIX="$PWD/target/bench-fixtures"
# Named as opencode names it: otop recognises a process's database among its open files by name.
if [ "$MESSAGES.$PARTS.$SESSIONS.$LIVE.$DIRS.$GLOBAL_EVERY" = "250000.1000000.2000.10..10" ]; then
  DB="$FIX/status-250k/opencode.db"
elif [ "$GLOBAL_EVERY" = 10 ]; then
  DB="$FIX/m$MESSAGES-p$PARTS-s$SESSIONS-l$LIVE-d${DIRS:-auto}/opencode.db"
else
  DB="$FIX/m$MESSAGES-p$PARTS-s$SESSIONS-l$LIVE-d${DIRS:-auto}-g$GLOBAL_EVERY/opencode.db"
fi
# The plugin writes its files under XDG_DATA_HOME, otop looks beside the database: with the
# database in `<data>/opencode/`, both are the same directory.
PLUGIN="${PLUGIN:-}"
[ -n "$PLUGIN" ] && DB="$(dirname "$DB")/plugin/opencode/opencode.db"
ROOT="$FIX/projects"
OTOP="${OTOP:-$PWD/target/release/otop}"
GEN="$PWD/target/release/examples/gen_fixture"

tools="hyperfine /usr/bin/time tmux python3"
# With the plugin (or NO_STATUS=1) the one-shot `otop status` figures are not taken: no hyperfine.
NO_STATUS="${NO_STATUS:-$PLUGIN}"
[ "${ONLY:-}" = report ] && NO_STATUS=1 && REPORT=1
[ -n "$NO_STATUS" ] && tools="/usr/bin/time tmux python3"
for tool in $tools; do
  command -v "$tool" >/dev/null || { echo "measure.sh: $tool is required" >&2; exit 1; }
done

cargo build --release --quiet --bin otop --example gen_fixture
mkdir -p "$(dirname "$DB")"
if [ ! -f "$DB" ] || [ ! -f "$DB.live" ]; then
  "$GEN" --messages "$MESSAGES" --parts "$PARTS" --sessions "$SESSIONS" --live "$LIVE" \
    ${DIRS:+--dirs "$DIRS"} --global-every "$GLOBAL_EVERY" --schema current --root "$ROOT" "$DB"
fi

tmp="$(mktemp -d)"
pids=()
mon_pid="" watch_pid="" holder="" writer=""
cleanup() {
  [ -n "$writer" ] && kill "$writer" 2>/dev/null || true
  for p in $mon_pid $watch_pid; do kill "$p" 2>/dev/null || true; done
  tmux -S "$tmp/sock" kill-server 2>/dev/null || true
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -n "$holder" ] && kill -- "-$holder" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# Stand-ins: `opencode 3600` in each live session's directory, using the generated database.
# Each holds 45 descriptors as opencode 1.18 does: its log at fd 19 and 23, the database at 24.
mkdir -p "$tmp/bin" "$tmp/data/opencode/log"
cp /bin/sleep "$tmp/bin/opencode"
# Marks and the notification lock stay in the run's own directories.
datadir="$tmp/data"
[ -n "$PLUGIN" ] && datadir="$(dirname "$(dirname "$DB")")"
export OPENCODE_DB="$DB" XDG_DATA_HOME="$datadir" XDG_STATE_HOME="$tmp/state" XDG_RUNTIME_DIR="$tmp/run"
unset TMUX TMUX_PANE
log="$tmp/data/opencode/log/opencode.log"
: >"$log"
standin() {
  local fd
  for fd in $(seq 3 47); do eval "exec $fd</dev/null"; done
  eval "exec 19>>\"\$log\" 23>>\"\$log\" 24<\"\$DB\""
  exec "$tmp/bin/opencode" 3600
}
while IFS=$'\t' read -r _id dir; do
  mkdir -p "$dir"
  (cd "$dir" && standin) &
  pids+=($!)
done <"$DB.live"
# opencode keeps the database open (WAL and shared-memory files exist while it runs): so does
# this stand-in connection, or every otop run would set up the -shm file itself.
# Its own process group: `python3` may be a wrapper (pyenv's shim) whose child outlives it.
setsid python3 -c 'import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1]); c.execute("SELECT count(*) FROM session").fetchall(); time.sleep(86400)' "$DB" &
holder=$!
sleep 0.5
# The sessions show activity after their processes started, as real TUIs' would.
"$GEN" --touch "$DB"
if [ -n "$PLUGIN" ]; then
  rm -rf "$datadir/opencode/otop"
  i=0
  while IFS=$'\t' read -r id _dir; do
    printf '%s\t%s\n' "${pids[$i]}" "$id"
    i=$((i + 1))
  done <"$DB.live" >"$tmp/pairs"
  python3 "$PWD/benches/plugin_writer.py" "$datadir/opencode/otop" "$tmp/pairs" &
  writer=$!
  sleep 1
fi

load() { cut -d' ' -f1 /proc/loadavg; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
row() { printf '%-44s %12s   target %-10s load %s\n' "$1" "$2" "$3" "$4"; }

total="$("$OTOP" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')"
echo "otop status sees $total sessions ($LIVE expected): $("$OTOP" status --plain)"
echo

# --- otop status -----------------------------------------------------------------------------
if [ -z "$NO_STATUS" ]; then
l="$(load)"
hyperfine -N --warmup 50 --runs "$RUNS" --export-json "$tmp/status.json" "$OTOP status" >/dev/null 2>&1
status_ms="$(python3 -c 'import json,sys,statistics as s; r=json.load(open(sys.argv[1]))["results"][0]; print("%.2f" % (s.median(r["times"])*1000))' "$tmp/status.json")"
row "otop status: median wall time" "${status_ms} ms" "<= 5 ms" "$l"
# CPU time as well where perf can count it: on a loaded machine it varies less than wall time.
if command -v perf >/dev/null && perf stat -e task-clock true >/dev/null 2>&1; then
  l="$(load)"
  cpu_ms="$(perf stat -x, -r "$((RUNS / 5 + 1))" -e task-clock "$OTOP" status 2>&1 >/dev/null | awk -F, '/task-clock/ {printf "%.2f", $1}')"
  row "otop status: CPU time (perf stat task-clock)" "${cpu_ms} ms" "(none)" "$l"
fi

l="$(load)"
for _ in $(seq 20); do /usr/bin/time -f %M "$OTOP" status 2>&1 >/dev/null | tail -1; done >"$tmp/rss"
status_rss="$(median <"$tmp/rss")"
row "otop status: peak RSS (median of 20)" "$((status_rss / 1024)).$(((status_rss % 1024) * 10 / 1024)) MB" "<= 10 MB" "$l"
fi

# BASE=path/to/another/otop: both builds side by side on this load, alternated (CPU time by
# `perf stat`, ROUNDS rounds) and by instructions (callgrind: steady on a busy machine).
if [ -n "${BASE:-}" ]; then
  for round in $(seq "${ROUNDS:-3}"); do
    # Each build first in every other round: the second of two back-to-back runs was seen
    # to come out cheaper.
    order="$OTOP $BASE"
    [ $((round % 2)) = 0 ] && order="$BASE $OTOP"
    for bin in $order; do
      cpu="$(perf stat -x, -r 40 -e task-clock "$bin" status 2>&1 >/dev/null | awk -F, '/task-clock/ {printf "%.2f", $1}')"
      row "round $round: $bin CPU" "${cpu} ms" "(none)" "$(load)"
    done
  done
  # CG_DIR=dir keeps each build's profile there (callgrind_annotate reads it).
  n=0
  for bin in "$OTOP" "$BASE"; do
    n=$((n + 1))
    valgrind --tool=callgrind --callgrind-out-file="${CG_DIR:-$tmp}/cg.$n.out" "$bin" status >/dev/null 2>"$tmp/cg.err" || true
    ir="$(sed -n 's/.*Collected : //p' "$tmp/cg.err")"
    row "$bin: instructions (callgrind)" "$ir" "(none)" "$(load)"
  done
fi

# --- otop report (#30) -----------------------------------------------------------------------
if [ -n "${REPORT:-}" ]; then
  "$OTOP" report --today | head -3
  l="$(load)"
  hyperfine -N --warmup 5 --runs "$RUNS" --export-json "$tmp/report.json" "$OTOP report --today" >/dev/null 2>&1
  report_ms="$(python3 -c 'import json,sys,statistics as s; r=json.load(open(sys.argv[1]))["results"][0]; print("%.2f" % (s.median(r["times"])*1000))' "$tmp/report.json")"
  row "otop report --today: median wall time" "${report_ms} ms" "< 100 ms" "$l"
fi

[ "${ONLY:-}" = status ] || [ "${ONLY:-}" = report ] && exit 0

# --- monitor ---------------------------------------------------------------------------------
tm() { tmux -S "$tmp/sock" "$@"; }
tm -f /dev/null new-session -d -x 200 -y 50 -s m "sleep 3600"
now_ms() { date +%s%3N; }
start="$(now_ms)"
tm respawn-pane -k -t m "exec env OPENCODE_DB='$DB' XDG_DATA_HOME='$datadir' '$OTOP'"
first="" data=""
for _ in $(seq 2000); do
  screen="$(tm capture-pane -p -t m 2>/dev/null || true)"
  if [ -z "$first" ] && grep -q '^otop .*sessions' <<<"$screen"; then first=$(($(now_ms) - start)); fi
  if [ -z "$data" ] && grep -qE '^otop [1-9][0-9]* sessions' <<<"$screen"; then data=$(($(now_ms) - start)); break; fi
  sleep 0.005
done
row "monitor: first frame (header drawn)" "${first:-?} ms" "<= 150 ms" "$(load)"
row "monitor: first frame with sessions" "${data:-?} ms" "(none)" "$(load)"

mon_pid="$(tm display -p -t m '#{pane_pid}')"
if "$OTOP" watch --help >/dev/null 2>&1; then
  tm new-window -d -t m "exec env OPENCODE_DB='$DB' XDG_DATA_HOME='$datadir' TMUX='$tmp/sock,0,0' '$OTOP' watch --tmux"
  sleep 1
  watch_pid="$(pgrep -f "$OTOP watch --tmux" | head -1 || true)"
fi

ticks() { awk '{print $14 + $15 + $16 + $17}' "/proc/$1/stat"; }
hz="$(getconf CLK_TCK)"
sleep 5 # past the first collections (the all-time totals read the whole message table once)
l0="$(load)"
m0="$(ticks "$mon_pid")"
[ -n "$watch_pid" ] && w0="$(ticks "$watch_pid")"
t0="$(now_ms)"
sleep "$SECONDS_CPU"
m1="$(ticks "$mon_pid")"
[ -n "$watch_pid" ] && w1="$(ticks "$watch_pid")"
t1="$(now_ms)"
l="$l0..$(load)"
cpu() { python3 -c "print('%.2f' % (($2 - $1) / $hz / (($t1 - $t0) / 1000) * 100))"; }
rss() { awk '/^VmRSS/ {printf "%.1f MB", $2/1024}' "/proc/$1/status"; }
hwm() { awk '/^VmHWM/ {printf "%.1f MB", $2/1024}' "/proc/$1/status"; }
row "monitor: CPU over ${SECONDS_CPU}s (% of one core)" "$(cpu "$m0" "$m1") %" "<= 1 %" "$l"
row "monitor: RSS (peak)" "$(rss "$mon_pid") ($(hwm "$mon_pid"))" "<= 25 MB" "$l"
if [ -n "$watch_pid" ]; then
  row "watch --tmux: CPU over ${SECONDS_CPU}s" "$(cpu "$w0" "$w1") %" "(none)" "$l"
  row "watch --tmux: RSS (peak)" "$(rss "$watch_pid") ($(hwm "$watch_pid"))" "(none)" "$l"
fi

# --- otop wait (PLUGIN=1) --------------------------------------------------------------------
if [ -n "$PLUGIN" ]; then
  sid="$(head -1 "$DB.live" | cut -f1)"
  l="$(load)"
  for _ in 1 2 3; do
    { /usr/bin/time -f '%U %S' "$OTOP" wait "$sid" --until gone --timeout 5 2>&1 >/dev/null || true; } | tail -1
  done | awk '{printf "%.2f\n", $1 + $2}' >"$tmp/wait"
  row "wait --timeout 5: CPU (median of 3)" "$(median <"$tmp/wait") s" "<= 0.1 s" "$l"
fi

# STRACE=1: what the watcher's system calls are over 10 s (for finding what costs).
if [ -n "${STRACE:-}" ] && [ -n "$watch_pid" ]; then
  timeout -s INT 10 strace -c -f -p "$watch_pid" 2>&1 | head -25 || true
fi
