//! A hostile or broken host, with a local command standing in for ssh (first on PATH): what it
//! prints is all otop gets from that host. Every dimension is bounded: a snapshot line of
//! millions of small objects in a field otop never reads, a line too long, an endless stderr,
//! and the host costs one line, never the run.

#![allow(clippy::unwrap_used)]

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What the fake `ssh` does, whatever it is asked: `script` (sh).
struct Host {
    dir: tempfile::TempDir,
}

impl Host {
    fn new(script: &str) -> Host {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        std::fs::write(bin.join("ssh"), format!("#!/bin/sh\n{script}\n")).unwrap();
        Command::new("chmod")
            .arg("+x")
            .arg(bin.join("ssh"))
            .status()
            .unwrap();
        std::fs::write(
            dir.path().join("config.toml"),
            "[[hosts]]\nname = \"box\"\nssh = \"box\"\ntimeout = 2\n",
        )
        .unwrap();
        Host { dir }
    }

    fn path(&self, name: &str) -> std::path::PathBuf {
        self.dir.path().join(name)
    }

    /// `otop ARGS` against this host, as a command to start; with at most `data_mib` MiB of
    /// heap (`ulimit -d`) if given.
    fn command(&self, data_mib: Option<u64>, args: &[&str]) -> Command {
        let p = |s: &str| self.path(s).display().to_string();
        let path = format!("{}:{}", p("bin"), std::env::var("PATH").unwrap_or_default());
        let limit = data_mib.map_or(String::new(), |m| format!("ulimit -d {}; ", m * 1024));
        let mut c = Command::new("sh");
        c.arg("-c")
            .arg(format!("{limit}exec \"$0\" \"$@\""))
            .arg(env!("CARGO_BIN_EXE_otop"))
            .args(["--db", &p("none.db")])
            .args(args)
            .env("PATH", path)
            .env("OTOP_CONFIG", p("config.toml"))
            .env("XDG_STATE_HOME", p("state"))
            .env("XDG_CACHE_HOME", p("cache"))
            .env("XDG_RUNTIME_DIR", p("run"))
            .env_remove("TMUX")
            .env_remove("OPENCODE_DB");
        c
    }

    /// `otop ARGS` against this host with at most `data_mib` MiB of heap: exit code, stdout,
    /// stderr.
    fn otop(&self, data_mib: u64, args: &[&str]) -> (i32, String, String) {
        let out = self.command(Some(data_mib), args).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

/// A snapshot line of `mib` MiB whose bulk is small objects in a field otop does not read.
fn unread_field_line(file: &Path, mib: usize) {
    let head = r#"{"otop_format":"1.0","otop":"x","taken_at":0,"rows":[],"junk":["#;
    let unit = r#"{"a":[]},"#;
    let n = ((mib << 20) - head.len()) / unit.len();
    let text = format!("{head}{}{{}}]}}\n", unit.repeat(n));
    std::fs::write(file, text).unwrap();
}

/// 4 MiB of small objects in an unread field cost about 340 MB as a tree of JSON values (the
/// old decoder): under a 150 MiB heap otop ran out of memory. Now the field is skipped unbuilt.
#[test]
fn a_big_line_of_small_objects_costs_no_tree() {
    let host = Host::new("exec cat \"$(dirname \"$0\")/../line\"");
    unread_field_line(&host.path("line"), 4);
    let (code, out, err) = host.otop(150, &["status", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["unreachable"], serde_json::json!([]), "{out}");
}

/// A line over 8 MiB is not read to its end: the host is one line, "unreachable" with why.
#[test]
fn a_line_too_long_is_refused_unread() {
    let host = Host::new("exec cat \"$(dirname \"$0\")/../line\"");
    unread_field_line(&host.path("line"), 32);
    let (code, out, err) = host.otop(150, &["status", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let why = v["unreachable"][0]["why"].as_str().unwrap_or_default();
    assert_eq!(why, "sent a line longer than 8 MiB", "{out}");
}

/// A host that says nothing on stdout and floods stderr without end: otop reads 1 MiB of it,
/// keeps its last 4 KiB, and closes it (the flood then ends on a broken pipe); the host is one
/// line saying the last thing it said.
#[test]
fn an_endless_stderr_costs_the_host_its_answer_only() {
    let host = Host::new("yes 'ssh: a very long complaint' >&2");
    let started = std::time::Instant::now();
    let (code, out, err) = host.otop(150, &["status", "--json"]);
    assert_eq!(code, 0, "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let why = v["unreachable"][0]["why"].as_str().unwrap_or_default();
    assert_eq!(why, "ssh: a very long complaint", "{out}");
}

/// CPU ticks (user + system) the process `pid` has used.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = after.split(' ').collect();
    f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap()
}

/// A host printing snapshots as fast as the pipe takes them kept `otop watch --tmux` above one
/// core; now the connection is ended after a burst, the host shown down (one line), and asked
/// again after 30 s: the watcher idles.
#[test]
fn a_host_flooding_snapshots_costs_the_watcher_no_cpu() {
    if !support::have_tmux() {
        return;
    }
    let snap = Command::new(env!("CARGO_BIN_EXE_otop"))
        .args(["serve", "--once"])
        .env("OTOP_DEMO", "1")
        .output()
        .unwrap();
    assert!(snap.status.success());
    let host = Host::new("while :; do cat \"$(dirname \"$0\")/../line\"; done");
    std::fs::write(host.path("line"), &snap.stdout).unwrap();
    let srv = support::TmuxServer::start("s", host.dir.path(), "sleep 600");
    let socket = srv.socket.display().to_string();
    let mut watcher = host
        .command(
            None,
            &[
                "watch",
                "--tmux",
                "--socket",
                &socket,
                "--interval",
                "1",
                "--no-notify",
            ],
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Past start-up: the connection, its burst and its end.
    std::thread::sleep(Duration::from_secs(2));
    let (t0, ticks0) = (Instant::now(), cpu_ticks(watcher.id()));
    std::thread::sleep(Duration::from_secs(4));
    let used = cpu_ticks(watcher.id()) - ticks0;
    let hz = 100.0; // USER_HZ on Linux
    let share = used as f64 / hz / t0.elapsed().as_secs_f64();
    let status = srv.tmux(&["show", "-gv", "@otop_status"]);
    let _ = watcher.kill();
    let _ = watcher.wait();
    assert!(
        share < 0.2,
        "the watcher used {:.0}% of a core",
        share * 100.0
    );
    let status = String::from_utf8_lossy(&status.stdout).into_owned();
    assert!(status.contains('↯'), "the host is shown down: {status:?}");
}
