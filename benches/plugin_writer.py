#!/usr/bin/env python3
"""Stand-in for otop's companion plugin in the benchmarks: for each `pid<TAB>session` line of
argv[2], rewrites `<argv[1]>/<pid>.json` the way the plugin does (a temporary file renamed over
the old one), one write per event at the plugin's fastest, 250 ms apart per process: a busy
fleet streaming. Start times are read from /proc, as the plugin reads them, so otop takes the
files as the live processes'. Runs until killed."""
import json, os, sys, time

out, pairs = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
hz = os.sysconf("SC_CLK_TCK")
btime = next(int(l.split()[1]) for l in open("/proc/stat") if l.startswith("btime"))


def started_ms(pid):
    stat = open(f"/proc/{pid}/stat").read()
    return btime * 1000 + int(stat.rsplit(")", 1)[1].split()[19]) * 1000 // hz


procs = []
for line in open(pairs):
    pid, sid = line.split()
    procs.append((int(pid), sid, started_ms(pid)))

EVERY = 0.25
n = 0
while True:
    t0 = time.time()
    for i, (pid, sid, started) in enumerate(procs):
        now = int(time.time() * 1000)
        state = {
            "format": 1, "pid": pid, "started_at": started, "opencode_version": "1.18.33",
            "session_id": sid, "written_at": now, "channel": True,
            "sessions": {sid: {"status": "busy", "updated_at": now}},
        }
        path = os.path.join(out, f"{pid}.json")
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w") as f:
            json.dump(state, f)
        os.rename(tmp, path)
        # Spread the fleet's writes over the period, as independent processes' would be.
        time.sleep(max(0.0, t0 + EVERY * (i + 1) / len(procs) - time.time()))
    n += 1
