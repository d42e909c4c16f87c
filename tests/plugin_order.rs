//! The tmux plugin's line may come before the options it reads: set after it, they still take
//! effect (the status line's `#{otop_status}` filled in, `@otop-key` bound, the watcher of
//! `@otop-mode watch` started), both when tmux starts with the configuration (it loads it before
//! the first session exists, when tmux runs no after-hooks) and when the file is sourced again
//! into a running server (each `set` then runs hooks). Each test runs its own tmux server, on
//! the demo fleet.

#![allow(clippy::unwrap_used)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use support::{TmuxServer, have_tmux, wait_for};

fn plugin() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tmux/otop.tmux")
}

/// A HOME and XDG directories of the test's own: what the server, its plugin and the watcher
/// it starts run in.
struct World {
    tmp: tempfile::TempDir,
}

impl World {
    fn new() -> World {
        let tmp = tempfile::tempdir().unwrap();
        for d in ["config", "data", "state", "run"] {
            std::fs::create_dir_all(tmp.path().join(d)).unwrap();
        }
        World { tmp }
    }

    fn env(&self) -> Vec<(&'static str, String)> {
        let at = |d: &str| self.tmp.path().join(d).display().to_string();
        vec![
            ("HOME", self.tmp.path().display().to_string()),
            ("PATH", std::env::var("PATH").unwrap_or_default()),
            ("XDG_CONFIG_HOME", at("config")),
            ("XDG_DATA_HOME", at("data")),
            ("XDG_STATE_HOME", at("state")),
            ("XDG_RUNTIME_DIR", at("run")),
            ("OTOP_DEMO", String::new()),
            ("OPENCODE_DB", String::new()),
        ]
    }

    /// `lines` as a ~/.tmux.conf whose first line runs the plugin.
    fn config(&self, lines: &[&str]) -> PathBuf {
        let mut text = format!("run-shell '{}'\n", plugin().display());
        for l in lines {
            text.push_str(l);
            text.push('\n');
        }
        let path = self.tmp.path().join("tmux.conf");
        std::fs::write(&path, text).unwrap();
        path
    }

    /// `otop doctor`'s line for `srv`, run as from one of its panes.
    fn doctor_line(&self, srv: &TmuxServer) -> String {
        let pid = srv.ok(&["display-message", "-p", "#{pid}"]);
        let out = Command::new(env!("CARGO_BIN_EXE_otop"))
            .arg("doctor")
            .envs(self.env())
            .env("TMUX", format!("{},{},0", srv.socket_str(), pid.trim()))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.lines()
            .find(|l| l.contains(&srv.socket_str()))
            .map(str::to_string)
            .unwrap_or_else(|| panic!("doctor names no {}:\n{text}", srv.socket_str()))
    }
}

/// The `@otop-bin` line: the binary under test.
fn bin_line() -> String {
    format!("set -g @otop-bin '{}'", env!("CARGO_BIN_EXE_otop"))
}

fn option(srv: &TmuxServer, name: &str) -> String {
    srv.ok(&["show-option", "-gqv", name]).trim().to_string()
}

fn binding(srv: &TmuxServer, key: &str) -> String {
    String::from_utf8_lossy(&srv.tmux(&["list-keys", "-T", "prefix", key]).stdout).into_owned()
}

/// status-right once the plugin has filled it in (at the server's start, it does so when the
/// first session is created, after the `new-session` that started the server has returned).
fn filled_status_right(srv: &TmuxServer) -> String {
    let filled = wait_for(Duration::from_secs(10), || {
        let right = option(srv, "status-right");
        (!right.contains("#{otop_status}")).then_some(right)
    });
    filled.unwrap_or_else(|| {
        panic!(
            "the plugin never filled in status-right: {}",
            option(srv, "status-right")
        )
    })
}

/// The command line of each live `otop watch` for `srv`.
fn watchers(srv: &TmuxServer) -> Vec<String> {
    let socket = srv.socket_str();
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(raw) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let argv: Vec<String> = raw
            .split(|b| *b == 0)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        if argv.iter().any(|a| a == "watch") && argv.contains(&socket) {
            found.push(argv.join(" "));
        }
    }
    found
}

/// The watcher that claimed `srv` (`@otop-watch-pid`, alive), with its command line.
fn watcher(srv: &TmuxServer) -> (String, String) {
    let found = wait_for(Duration::from_secs(10), || {
        let pid = option(srv, "@otop-watch-pid");
        let cmd = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
        let status = option(srv, "@otop_status");
        (!pid.is_empty() && !status.is_empty())
            .then(|| (pid, String::from_utf8_lossy(&cmd).replace('\0', " ")))
    });
    found.unwrap_or_else(|| {
        panic!(
            "no watcher keeps @otop_status: {}",
            srv.ok(&["show-options", "-g"])
        )
    })
}

#[test]
fn options_after_the_plugin_line_take_effect_when_tmux_starts() {
    if !have_tmux() {
        return;
    }
    let world = World::new();
    let conf = world.config(&[
        &bin_line(),
        "set -g @otop-demo on",
        "set -g @otop-key O",
        "set -g @otop-status-args '--empty idle'",
        "set -g status-right '#{otop_status} %H:%M'",
    ]);
    let srv = TmuxServer::start_with_config(&conf, &world.env());

    let right = filled_status_right(&srv);
    assert_eq!(right.matches("#(").count(), 1, "{right}");
    assert!(
        right.contains(" --demo status --empty idle)") && right.ends_with(") %H:%M"),
        "{right}"
    );
    // What tmux runs for the bar, as it runs it: the demo's counts.
    let cmd = right.split("#(").nth(1).and_then(|c| c.split(')').next());
    let out = Command::new("sh")
        .args(["-c", cmd.unwrap()])
        .envs(world.env())
        .output()
        .unwrap();
    assert!(
        out.status.success() && !out.stdout.is_empty(),
        "`{cmd:?}`: {out:?}"
    );

    let picker = binding(&srv, "O");
    assert!(
        picker.contains("display-popup") && picker.contains("--demo pick --client"),
        "prefix + O: {picker}"
    );
    // The first run bound the default key; tmux's own binding of it is back.
    assert!(
        binding(&srv, "o").contains("select-pane -t :.+"),
        "prefix + o: {}",
        binding(&srv, "o")
    );
    let line = world.doctor_line(&srv);
    assert!(
        line.starts_with("ok") && line.contains("prefix + O opens the picker"),
        "{line}"
    );
}

#[test]
fn watch_mode_set_after_the_plugin_line_starts_the_watcher_when_tmux_starts() {
    if !have_tmux() {
        return;
    }
    let world = World::new();
    let conf = world.config(&[
        &bin_line(),
        "set -g @otop-demo on",
        "set -g @otop-mode watch",
        "set -g status-right '#{otop_status} %H:%M'",
    ]);
    let srv = TmuxServer::start_with_config(&conf, &world.env());

    assert_eq!(filled_status_right(&srv), "#{@otop_status} %H:%M");
    let (pid, cmd) = watcher(&srv);
    assert!(cmd.contains(" --demo watch --tmux"), "{cmd}");
    assert_eq!(watchers(&srv).len(), 1, "{:?}", watchers(&srv));
    let line = world.doctor_line(&srv);
    assert!(
        line.starts_with("ok") && line.contains(&format!("otop watch (pid {pid})")),
        "{line}"
    );
}

/// Sourced again into a running server, each `set` after the plugin line runs it again: in this
/// order the first watcher is started before `@otop-bin` and `@otop-demo` are set, and is
/// replaced by one with them. Writes that change nothing the plugin reads (the watcher's own,
/// every refresh) run nothing.
#[test]
fn options_after_the_plugin_line_take_effect_when_the_file_is_sourced_again() {
    if !have_tmux() {
        return;
    }
    let world = World::new();
    let srv = TmuxServer::start("t", world.tmp.path(), "sh");
    for (k, v) in world.env() {
        srv.ok(&["set-environment", "-g", k, &v]);
    }
    let conf = world.config(&[
        "set -g status-right '[#{otop_status}]'",
        "set -g @otop-mode watch",
        &bin_line(),
        "set -g @otop-demo on",
        "set -g @otop-key O",
    ]);
    srv.ok(&["source-file", &conf.display().to_string()]);

    assert_eq!(option(&srv, "status-right"), "[#{@otop_status}]");
    let (_, cmd) = watcher(&srv);
    assert!(cmd.contains(" --demo watch --tmux"), "{cmd}");
    let only_one = wait_for(Duration::from_secs(5), || {
        (watchers(&srv).len() == 1).then_some(())
    });
    assert!(only_one.is_some(), "{:?}", watchers(&srv));
    assert!(binding(&srv, "O").contains("--demo pick --client"));
    assert!(binding(&srv, "o").contains("select-pane -t :.+"));

    // Sourced once more: nothing changes, the watcher stays.
    let before = option(&srv, "@otop-watch-pid");
    srv.ok(&["source-file", &conf.display().to_string()]);
    assert_eq!(option(&srv, "@otop-watch-pid"), before);
    assert_eq!(option(&srv, "status-right"), "[#{@otop_status}]");

    // What the hook runs, swapped for a mark: only an option the plugin reads runs it.
    let mark = world.tmp.path().join("ran");
    srv.ok(&[
        "set",
        "-g",
        "@otop-plugin-run",
        &format!("echo ran >> '{}'", mark.display()),
    ]);
    for i in 0..3 {
        srv.ok(&["set", "-g", "@unrelated", &i.to_string()]);
    }
    srv.ok(&["set", "-g", "status-left", "[#S] "]);
    std::thread::sleep(Duration::from_secs(3));
    assert!(!mark.exists(), "the plugin ran on writes it ignores");
    srv.ok(&["set", "-g", "@otop-popup-width", "90%"]);
    assert_eq!(std::fs::read_to_string(&mark).unwrap(), "ran\n");
}

/// Issue 28: `set -g @otop-demo off` in the file, sourced, ends the demo (tmux keeps an option
/// whose line was only removed, so the README says to write `off`): the watcher started for
/// the demo is replaced by one on the real sessions, and the picker's key no longer shows the
/// demo.
#[test]
fn demo_off_in_the_file_ends_the_demo_and_replaces_the_watcher() {
    if !have_tmux() {
        return;
    }
    let world = World::new();
    let srv = TmuxServer::start("t", world.tmp.path(), "sh");
    for (k, v) in world.env() {
        srv.ok(&["set-environment", "-g", k, &v]);
    }
    let lines = |demo: &str| {
        world.config(&[
            "set -g status-right '[#{otop_status}]'",
            "set -g @otop-mode watch",
            &bin_line(),
            &format!("set -g @otop-demo {demo}"),
        ])
    };
    srv.ok(&["source-file", &lines("on").display().to_string()]);
    let (demo_pid, cmd) = watcher(&srv);
    assert!(cmd.contains(" --demo watch --tmux"), "{cmd}");
    assert!(binding(&srv, "o").contains("--demo pick --client"));

    srv.ok(&["source-file", &lines("off").display().to_string()]);
    let replaced = wait_for(Duration::from_secs(10), || {
        let (pid, cmd) = watcher(&srv);
        (pid != demo_pid).then_some(cmd)
    })
    .expect("the demo's watcher is replaced");
    assert!(!replaced.contains("--demo"), "{replaced}");
    assert!(
        !binding(&srv, "o").contains("--demo"),
        "{}",
        binding(&srv, "o")
    );
    assert!(binding(&srv, "o").contains(" pick --client"));
    let only_one = wait_for(Duration::from_secs(5), || {
        (watchers(&srv).len() == 1).then_some(())
    });
    assert!(only_one.is_some(), "{:?}", watchers(&srv));
}

/// `@otop-restore on`: the plugin runs `otop restore --socket <this server>` once, and a session
/// the fleet record has on this server comes back in a new tmux session and window of its
/// recorded name, started with its recorded program and `-s ID` in its recorded directory.
#[test]
fn otop_restore_on_brings_the_servers_sessions_back() {
    if !have_tmux() {
        return;
    }
    let world = World::new();
    let conf = world.config(&[&bin_line(), "set -g status-right 'x'"]);
    let srv = TmuxServer::start_with_config(&conf, &world.env());
    let tmp = world.tmp.path();
    // A stand-in for opencode: says how it was started, then waits.
    let program = tmp.join("fake-opencode");
    std::fs::write(
        &program,
        "#!/bin/sh\necho \"$PWD $*\" > \"$PWD/started\"\nexec sleep 600\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
    let project = tmp.join("project");
    std::fs::create_dir_all(&project).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    let record = serde_json::json!({"format": 1, "sessions": [{
        "id": "ses_plugin", "kind": "tui", "directory": project, "executable": program,
        "args": ["--model", "p/m"], "socket": srv.socket_str(), "session": "lost",
        "window": 4, "window_name": "api", "pane": 0, "last_seen": now as i64,
    }]});
    std::fs::create_dir_all(tmp.join("state/otop")).unwrap();
    std::fs::write(tmp.join("state/otop/fleet.json"), record.to_string()).unwrap();
    // The plugin's runs at the server's start have ended (two at once would each restore).
    let applied = |end: &str| {
        let settled = wait_for(Duration::from_secs(10), || {
            let a = option(&srv, "@otop-plugin-applied");
            (a.contains(env!("CARGO_BIN_EXE_otop")) && a.ends_with(end)).then_some(())
        });
        assert!(
            settled.is_some(),
            "{}",
            option(&srv, "@otop-plugin-applied")
        );
    };
    applied("|");
    srv.ok(&["set", "-g", "@otop-restore", "on"]);
    let started = wait_for(Duration::from_secs(15), || {
        std::fs::read_to_string(project.join("started")).ok()
    });
    assert_eq!(
        started.as_deref(),
        Some(format!("{} --model p/m -s ses_plugin\n", project.display()).as_str())
    );
    assert_eq!(
        srv.ok(&["display", "-p", "-t", "=lost:4", "#W"]).trim(),
        "api"
    );
    assert_eq!(option(&srv, "@otop-plugin-restored"), "1");
    // Once per server: the option set again restores nothing more.
    applied("|on");
    srv.ok(&["set", "-g", "@otop-restore", "off"]);
    applied("|off");
    srv.ok(&["set", "-g", "@otop-restore", "on"]);
    applied("|on");
    std::thread::sleep(Duration::from_millis(500));
    let windows = srv.ok(&["list-windows", "-a", "-F", "#S:#I"]);
    assert_eq!(windows.matches("lost:").count(), 1, "{windows}");
}
