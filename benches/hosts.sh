#!/usr/bin/env bash
# What a host costs the long-lived views: CPU of `otop watch --tmux` over 60 s without hosts and
# with the hosts of OTOP_BENCH_CONFIG, and of the ssh client and the remote `otop serve` the
# watcher keeps running (found by their command lines; the remote side must be this machine,
# e.g. an sshd on 127.0.0.1 and `otop = "OTOP_DEMO=1 /path/to/target/release/otop"`).
# Usage: OTOP_BENCH_CONFIG=hosts.toml benches/hosts.sh   (SECONDS_CPU=60)
set -euo pipefail
cd "$(dirname "$0")/.."
: "${OTOP_BENCH_CONFIG:?a configuration file with [[hosts]]}"
SECS="${SECONDS_CPU:-60}"
cargo build --release --quiet
B="$PWD/target/release/otop"
T=$(mktemp -d)
trap 'tmux -S "$T/s" kill-server 2>/dev/null; rm -rf "$T"' EXIT
tmux -S "$T/s" -f /dev/null new-session -d -x 100 -y 20 "sleep 3600"
hz=$(getconf CLK_TCK)
ticks() { awk '{print $14+$15+$16+$17}' "/proc/$1/stat"; }
pct() { echo "scale=2; ($2-$1)*100/$hz/$SECS" | bc; }
run() { # label, configuration file
  OTOP_CONFIG="$2" XDG_STATE_HOME="$T/st" XDG_RUNTIME_DIR="$T/run" \
    "$B" watch --tmux --socket "$T/s" --no-notify --plain >/dev/null 2>&1 &
  local w=$! line
  sleep 5
  local sp rp a s0="" r0=""
  sp=$(pgrep -P "$w" ssh | head -1 || true)
  rp=$(pgrep -f "otop 'serve' '--interval'" | head -1 || true)
  a=$(ticks "$w"); [ -n "$sp" ] && s0=$(ticks "$sp"); [ -n "$rp" ] && r0=$(ticks "$rp")
  sleep "$SECS"
  line="$1: watch $(pct "$a" "$(ticks "$w")")%"
  [ -n "$sp" ] && line+=", ssh $(pct "$s0" "$(ticks "$sp")")%"
  [ -n "$rp" ] && line+=", remote serve $(pct "$r0" "$(ticks "$rp")")%"
  echo "$line, RSS $(awk '/VmRSS/{print $2}' "/proc/$w/status") kB"
  kill "$w"; wait "$w" 2>/dev/null || true
}
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
run "no host" /nonexistent/otop-config.toml
run "with the hosts of $OTOP_BENCH_CONFIG" "$OTOP_BENCH_CONFIG"
