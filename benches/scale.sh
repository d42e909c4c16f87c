#!/usr/bin/env bash
# Scale figures for the README's Performance table (issue: flat in stored sessions, comfortable
# at 50 live ones), each through benches/measure.sh:
#   1. `otop status` with 10 live sessions on 2,000 and on 100,000 stored sessions (one message
#      each, 500 directories), measured in alternation, ROUNDS times, so a change in the
#      machine's load hits both alike; the ratio of the medians is the figure.
#   2. 50 live sessions in 50 directories: `otop status`, the monitor and `otop watch --tmux`.
#   3. `otop report --today` on the 100,000 stored sessions (#30: under 100 ms).
# GLOBAL_EVERY=1 makes every directory outside git (opencode's `global` project); OTOP= another
# build.
# Usage: benches/scale.sh   (ROUNDS=2, RUNS=100 hyperfine runs per round; SECONDS_CPU=60)
set -euo pipefail
cd "$(dirname "$0")"
ROUNDS="${ROUNDS:-2}"
export RUNS="${RUNS:-100}"
small() { ONLY=status SESSIONS=2000 MESSAGES=3000 PARTS=9000 DIRS=500 LIVE=10 bash measure.sh; }
large() { ONLY=status SESSIONS=100000 MESSAGES=101000 PARTS=300000 DIRS=500 LIVE=10 bash measure.sh; }
for r in $(seq "$ROUNDS"); do
  echo "== round $r: 2,000 stored sessions"
  small | grep -E 'sees|otop status'
  echo "== round $r: 100,000 stored sessions"
  large | grep -E 'sees|otop status'
done
echo "== otop report --today, 100,000 stored sessions"
ONLY=report SESSIONS=100000 MESSAGES=101000 PARTS=300000 DIRS=500 LIVE=10 bash measure.sh | grep -E 'report|sessions in'
echo "== 50 live sessions in 50 directories"
SESSIONS=2000 MESSAGES=10000 PARTS=30000 DIRS=50 LIVE=50 bash measure.sh
