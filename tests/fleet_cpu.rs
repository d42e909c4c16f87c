//! What otop costs on a real fleet that reports through the companion plugin (#27): ten
//! opencode 1.18.33 TUIs in a private tmux server, the plugin installed by `otop plugin install`
//! into the fleet's own config, four of them streaming from the scripted model (two words a
//! second, so the plugin writes its file at its fastest), one waiting on a permission, five
//! idle. Measured: CPU of `otop watch --tmux` (notifications on) and of the monitor over 30 s,
//! utime+stime with reaped children (the tmux clients they run) from `/proc/<pid>/stat`; CPU of
//! `otop wait <pane> --until gone --timeout 5` (getrusage of the reaped child); and how long a
//! permission takes from the plugin's report to the desktop notification.
//!
//! A measurement, not part of `cargo test`: it takes a few minutes and both cores while the
//! TUIs start. Run it with a release build:
//! `cargo test --release --test fleet_cpu -- --ignored --nocapture`
//! (`FLEET_CPU_SECS` changes the 30 s window). It prints every figure beside its target and the
//! load average, then fails if a target was missed.
//!
//! `FLEET_BASE=path/to/other/otop` then compares the one-shot `otop status` of this build with
//! that one on the same fleet, alternately, three rounds (`FLEET_ROUNDS`): CPU time (`perf stat
//! -r 40 -e task-clock`) and instructions (`valgrind --tool=callgrind`, when the run survives
//! it); then once more with the shared log grown past the 512 KiB the status line reads of it
//! (its own lines repeated). `FLEET_HOLD=<secs>` keeps the fleet up afterwards.

mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::checks::*;
use support::fleet::{self, Fleet};
use support::{opencode, wait_for};

const READY: Duration = Duration::from_secs(600);
const STATE: Duration = Duration::from_secs(120);

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_string))
        .unwrap_or_default()
}

/// utime+stime+cutime+cstime of `pid`, in clock ticks.
fn ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .unwrap_or_else(|e| panic!("process {pid} is gone: {e}"));
    // `pid (comm) state …`: after the `)`, utime is the 12th field, cstime the 15th.
    let rest = stat.rfind(')').map_or("", |i| &stat[i + 1..]);
    rest.split_whitespace()
        .skip(11)
        .take(4)
        .map(|f| f.parse::<u64>().unwrap_or(0))
        .sum()
}

fn clock_ticks() -> f64 {
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if hz > 0 { hz as f64 } else { 100.0 }
}

/// CPU seconds (user+system) of the children this process reaped so far.
fn children_cpu() -> f64 {
    // SAFETY: getrusage writes into the struct it is given.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru) };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(ru.ru_utime) + secs(ru.ru_stime)
}

struct Figures(Vec<(String, String, bool)>);

impl Figures {
    fn row(&mut self, what: &str, value: f64, unit: &str, target: f64, load: &str) {
        let met = value <= target;
        let line = format!(
            "{what:<52} {value:>8.3} {unit:<4} target <= {target} {unit:<4} load {load}{}",
            if met { "" } else { "   ABOVE TARGET" }
        );
        println!("{line}");
        self.0.push((what.to_string(), line, met));
    }
}

#[test]
#[ignore]
fn plugin_fleet_cpu() {
    if !support::have_tmux() || !support::dbus::have_dbus() {
        return;
    }
    let Some(bin) = opencode::ensure(opencode::VERSION) else {
        return;
    };
    let secs: u64 = std::env::var("FLEET_CPU_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let mut fleet = Fleet::new(bin, opencode::VERSION);
    fleet.otop(&["plugin", "install"]);
    let otop = env!("CARGO_BIN_EXE_otop");

    // The watcher, telling a notification service on a bus of its own; started before the TUIs,
    // as a status bar's watcher would be.
    let bus = support::dbus::Bus::start();
    let watch = {
        let mut cmd = Command::new(otop);
        cmd.args(["watch", "--tmux", "--socket"])
            .arg(&fleet.tmux.socket)
            .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
            .env_remove("TMUX")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (k, v) in fleet.env() {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("start otop watch");
        let pid = child.id();
        fleet.adopt(child);
        pid
    };

    fleet.ask_before_bash("perm");
    let busy = ["busy1", "busy2", "busy3", "busy4"];
    let idle = ["idle1", "idle2", "idle3", "plain1", "plain2"];
    let mut list = vec![("perm", "perm")];
    list.extend(busy.iter().map(|n| (*n, *n)));
    list.extend(idle.iter().map(|n| (*n, *n)));
    let specs = fleet::specs(&list);
    fleet.start_tuis(&specs, READY);
    for n in idle {
        fleet.prompt(n, &format!("hello marker-{n}"));
    }
    for n in busy {
        fleet.prompt(n, &format!("SLOW 900 marker-{n}"));
    }
    fleet.prompt("perm", "BASH 5 marker-perm");
    let f = &fleet;

    for s in &specs {
        let pid = f.tui(s.name).pid;
        wait_for(STATE, || f.plugin_state(pid))
            .unwrap_or_else(|| panic!("{}: no plugin file", s.name));
    }
    let rows = wait_rows(f, true, "ten rows reported by the plugin", STATE, |rows| {
        let n = rows
            .iter()
            .filter(|r| r["plugin"] == true && pid_of(r).is_some())
            .count();
        (n == specs.len()).then_some(n)
    });
    println!("{rows} TUIs report through the plugin");

    let mut figures = Figures(Vec::new());

    // The permission, from the plugin's report to the desktop.
    let perm = f.wait_session_with("marker-perm", STATE);
    let told = |c: &support::dbus::Notified| c.body == "permission: bash sleep 5";
    let call = wait_for(Duration::from_secs(30), || {
        bus.calls().into_iter().find(told)
    })
    .expect("no Notify for the permission request");
    let asked = f
        .plugin_state(f.tui("perm").pid)
        .and_then(|s| s["sessions"][perm.as_str()]["updated_at"].as_i64())
        .unwrap_or_default();
    figures.row(
        "permission: plugin report -> Notify",
        (call.at_ms - asked) as f64,
        "ms",
        1000.0,
        &load(),
    );

    // The monitor, in a window of the fleet's server (tmux sets TMUX for it).
    let env: Vec<String> = f.env().iter().map(|(k, v)| format!("{k}='{v}'")).collect();
    let pane = f.tmux.window(
        "b",
        &f.root,
        &format!(
            "exec env DBUS_SESSION_BUS_ADDRESS='{}' {} '{otop}'",
            bus.address,
            env.join(" ")
        ),
    );
    let monitor = f.tmux.pane_pid(&pane);
    f.tmux
        .wait_screen(&pane, "the monitor's header with the sessions", |s| {
            s.lines().any(|l| {
                l.starts_with("otop ") && l.contains(" sessions") && !l.starts_with("otop 0 ")
            })
        });
    // Past the first collections (the all-time totals read the whole message table once).
    std::thread::sleep(Duration::from_secs(5));
    let hz = clock_ticks();
    let load0 = load();
    let (w0, m0, t0) = (ticks(watch), ticks(monitor), Instant::now());
    std::thread::sleep(Duration::from_secs(secs));
    let (w1, m1, took) = (ticks(watch), ticks(monitor), t0.elapsed().as_secs_f64());
    let window = format!("{load0} -> {}", load());
    let percent = |a: u64, b: u64| (b - a) as f64 / hz / took * 100.0;
    figures.row(
        &format!("otop watch --tmux: CPU over {secs} s (% of a core)"),
        percent(w0, w1),
        "%",
        0.5,
        &window,
    );
    figures.row(
        &format!("monitor: CPU over {secs} s (% of a core)"),
        percent(m0, m1),
        "%",
        1.0,
        &window,
    );
    let still_busy = busy
        .iter()
        .filter(|n| f.model.streaming(&format!("marker-{n}")))
        .count();
    println!(
        "{still_busy} of {} TUIs were streaming throughout",
        busy.len()
    );
    assert_eq!(still_busy, busy.len(), "the working TUIs stopped working");

    // `otop wait` on an idle pane that stays: it times out after 5 s.
    let target = f.tui("idle1").pane.clone();
    let mut spent = Vec::new();
    let l = load();
    for _ in 0..3 {
        let before = children_cpu();
        let mut cmd = Command::new(otop);
        cmd.args(["wait", &target, "--until", "gone", "--timeout", "5"])
            .env("TMUX", format!("{},0,0", f.tmux.socket.display()))
            .env_remove("TMUX_PANE");
        for (k, v) in f.env() {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("run otop wait");
        assert_eq!(
            out.status.code(),
            Some(124),
            "otop wait {target} did not time out: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        spent.push(children_cpu() - before);
    }
    spent.sort_by(f64::total_cmp);
    println!("otop wait CPU, three runs: {spent:.3?} s");
    figures.row(
        "otop wait <pane> --until gone --timeout 5: CPU (median)",
        spent[1],
        "s",
        0.1,
        &l,
    );

    if let Some(base) = std::env::var_os("FLEET_BASE") {
        compare_status(f, otop, std::path::Path::new(&base));
    }

    // FLEET_HOLD=<secs>: the fleet stays up that long, for measuring by hand.
    if let Some(secs) = std::env::var("FLEET_HOLD")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        let env: Vec<String> = f
            .env()
            .iter()
            .map(|(k, v)| format!("export {k}='{v}'"))
            .collect();
        let file = f.root.join("env.sh");
        std::fs::write(&file, env.join("\n") + "\nunset TMUX TMUX_PANE\n").expect("write env.sh");
        println!("holding the fleet for {secs} s: . {}", file.display());
        std::thread::sleep(Duration::from_secs(secs));
    }

    drop(fleet);
    let missed: Vec<&str> = figures
        .0
        .iter()
        .filter(|(_, _, met)| !met)
        .map(|(w, _, _)| w.as_str())
        .collect();
    assert!(missed.is_empty(), "above target: {missed:?}");
}

/// `<program> <args> <bin> status` in the fleet's environment, outside tmux.
fn status_under(f: &Fleet, program: &str, args: &[&str], bin: &std::path::Path) -> String {
    let mut cmd = Command::new(program);
    cmd.args(args)
        .arg(bin)
        .arg("status")
        .env_remove("TMUX")
        .env_remove("TMUX_PANE")
        .stdout(Stdio::null());
    for (k, v) in f.env() {
        cmd.env(k, v);
    }
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("run {program}: {e}"));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `perf stat -r 40 -e task-clock <bin> status`: mean CPU ms.
fn task_clock(f: &Fleet, bin: &std::path::Path) -> f64 {
    let err = status_under(
        f,
        "perf",
        &["stat", "-x,", "-r", "40", "-e", "task-clock"],
        bin,
    );
    err.lines()
        .find(|l| l.contains("task-clock"))
        .and_then(|l| l.split(',').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("perf stat printed no task-clock: {err}"))
}

/// Instructions of one `<bin> status` run, counted by callgrind; None when the run died under
/// valgrind (seen on 1.18.33 fleets: SIGSEGV on an address past a mapping, both builds alike),
/// whose partial count would mean nothing.
fn instructions(f: &Fleet, bin: &std::path::Path) -> Option<u64> {
    let args = ["--tool=callgrind", "--callgrind-out-file=/dev/null"];
    let err = status_under(f, "valgrind", &args, bin);
    if err.contains("Process terminating") {
        return None;
    }
    err.lines()
        .find_map(|l| {
            l.split_once("Collected :")
                .map(|(_, n)| n.trim().to_string())
        })
        .and_then(|n| n.parse().ok())
}

fn compare_status(f: &Fleet, otop: &str, base: &std::path::Path) {
    let main = std::path::Path::new(otop);
    let rounds: usize = std::env::var("FLEET_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let log = f.log_path();
    let size = || std::fs::metadata(&log).map_or(0, |m| m.len());
    println!(
        "\notop status, this build vs {} (shared log {} KiB, no TMUX):",
        base.display(),
        size() >> 10
    );
    let round = |label: &str| {
        let l = load();
        let (a, b) = (task_clock(f, main), task_clock(f, base));
        let counted = match (instructions(f, main), instructions(f, base)) {
            (Some(ia), Some(ib)) => format!(
                "instructions {ia} vs {ib} ({:+.1} %)",
                (ia as f64 / ib as f64 - 1.0) * 100.0
            ),
            _ => "instructions: a run died under valgrind, no count".to_string(),
        };
        println!(
            "{label}: task-clock {a:.2} ms vs {b:.2} ms ({:+.1} %); {counted}; load {l}",
            (a / b - 1.0) * 100.0
        );
    };
    for r in 1..=rounds {
        round(&format!("round {r}"));
    }
    // Past the 512 KiB the one-shot status reads of it: the log's own lines, repeated.
    let text = std::fs::read(&log).unwrap_or_default();
    if !text.is_empty() {
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&log)
            .expect("open the shared log");
        while size() < 1 << 20 {
            std::io::Write::write_all(&mut file, &text).expect("grow the shared log");
        }
        round(&format!("shared log {} KiB", size() >> 10));
    }
}
