//! Notifications and unseen marks end to end: `otop watch --tmux` against private tmux servers
//! with real attached clients (`script`), a private session D-Bus whose notification service
//! records every `Notify` call, and stand-in `opencode` processes on a fixture database.

#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used)]

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use otop::collect::now_ms;
use otop::testkit::fixture::Fixture;
use support::dbus::{Bus, have_dbus};
use support::world::{Running, World, finish, running, session};
use support::{Client, TmuxServer, have_tmux, wait_for};

/// Hold states half a second, and ring both tmux channels.
const CONFIG: &str = "[notify]\nhold_secs = 0.5\ntmux = [\"message\", \"bell\"]\n";

/// The environment every otop of one test shares: its data, marks, lock, configuration, bus.
struct Env {
    vars: Vec<(String, PathBuf)>,
    bus: Option<String>,
    db: PathBuf,
}

impl Env {
    fn new(world: &World, bus: Option<&Bus>) -> Env {
        Env::with_config(world, bus, CONFIG)
    }

    fn with_config(world: &World, bus: Option<&Bus>, config: &str) -> Env {
        let root = world.tmp.path();
        std::fs::create_dir_all(root.join("config/otop")).unwrap();
        std::fs::write(root.join("config/otop/config.toml"), config).unwrap();
        let vars = [
            ("XDG_DATA_HOME", world.data.clone()),
            ("XDG_STATE_HOME", root.join("state")),
            ("XDG_RUNTIME_DIR", root.join("run")),
            ("XDG_CONFIG_HOME", root.join("config")),
        ];
        Env {
            vars: vars.map(|(k, v)| (k.to_string(), v)).to_vec(),
            bus: bus.map(|b| b.address.clone()),
            db: world.db(),
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_otop"));
        cmd.arg("--db")
            .arg(&self.db)
            .args(args)
            .env("OPENCODE_DB", "")
            .env_remove("TMUX")
            .env_remove("TMUX_PANE")
            .env(
                "DBUS_SESSION_BUS_ADDRESS",
                self.bus.as_deref().unwrap_or("unix:path=/nonexistent"),
            );
        for (k, v) in &self.vars {
            cmd.env(k, v);
        }
        cmd
    }

    fn watch(&self, srv: &TmuxServer) -> Killed {
        self.watch_every(srv, "0.2")
    }

    /// The monitor, in a new window of `srv` (it needs a terminal); its pane id.
    fn monitor(&self, srv: &TmuxServer, session: &str) -> String {
        let mut line = String::from("exec env OPENCODE_DB= TMUX= TMUX_PANE=");
        let bus = self.bus.as_deref().unwrap_or("unix:path=/nonexistent");
        line.push_str(&format!(" DBUS_SESSION_BUS_ADDRESS='{bus}'"));
        for (k, v) in &self.vars {
            line.push_str(&format!(" {k}='{}'", v.display()));
        }
        line.push_str(&format!(
            " '{}' --db '{}' --interval 0.2",
            env!("CARGO_BIN_EXE_otop"),
            self.db.display()
        ));
        srv.window(session, Path::new("/"), &line)
    }

    fn watch_every(&self, srv: &TmuxServer, interval: &str) -> Killed {
        let child = self
            .command(&[
                "watch",
                "--tmux",
                "--plain",
                "--interval",
                interval,
                "--socket",
            ])
            .arg(&srv.socket)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        Killed(child)
    }

    fn run(&self, args: &[&str]) -> (i32, String) {
        let out = self.command(args).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).trim().to_string(),
        )
    }

    fn marks(&self) -> String {
        let state = &self.vars[1].1;
        std::fs::read_to_string(state.join("otop/unseen.json")).unwrap_or_default()
    }
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn pane_state(srv: &TmuxServer, pane: &str) -> String {
    srv.pane_option(pane, "@otop_state")
}

fn until(what: &str, f: impl Fn() -> bool) {
    assert!(
        wait_for(Duration::from_secs(15), || f().then_some(())).is_some(),
        "timed out: {what}"
    );
}

/// A database with session `id` titled `title` in `dir`, mid-turn running bash (working);
/// returns it, the session id and the reply's message id.
fn working(world: &World, dir: &Path, id: &str, title: &str) -> (Fixture, String, String) {
    let t = now_ms();
    let mut fx = world.fixture();
    let sid = session(&mut fx, id, title, dir, t);
    let m = running(&mut fx, &sid, t, Running::Bash);
    (fx, sid, m)
}

/// A tmux server whose session `other` runs a shell and whose session `work` has opencode
/// (a stand-in in `dir`) in its second window, so a client on `other` does not see it.
fn servers(world: &World, dir: &Path) -> (TmuxServer, String) {
    let srv = TmuxServer::start("other", world.tmp.path(), "exec sleep 3600");
    srv.session("work", world.tmp.path(), "exec sleep 3600");
    let pane = srv.window("work", dir, &world.opencode());
    (srv, pane)
}

#[test]
fn a_waiting_session_is_told_once_on_the_desktop_and_in_tmux_by_one_process() {
    if !have_tmux() || !have_dbus() {
        return;
    }
    let world = World::new();
    let proj = world.project("proj");
    let (srv, pane) = servers(&world, &proj);
    let client = Client::attach(&srv, "other");
    let second = TmuxServer::start("x", world.tmp.path(), "exec sleep 3600");
    let bus = Bus::start();
    let env = Env::new(&world, Some(&bus));

    let (mut fx, sid, _) = working(&world, &proj, "ses_asks", "Colour scheme");
    // One watcher per tmux server: both see the session, one sends.
    let _a = env.watch(&srv);
    let _b = env.watch(&second);
    until("the watcher sees the session working", || {
        pane_state(&srv, &pane) == "working"
    });
    let (_, doctor) = env.run(&["doctor"]);
    let line = doctor.lines().find(|l| l.contains("notify")).unwrap_or("");
    assert!(line.starts_with("ok "), "{doctor}");
    assert!(line.contains("sent by otop watch (pid"), "{line}");
    assert!(line.contains("desktop: otop-test-notifier 1.0"), "{line}");

    let asked = Instant::now();
    running(&mut fx, &sid, now_ms(), Running::Question);
    let calls = bus.wait_calls(1, Duration::from_secs(15));
    assert_eq!(calls.len(), 1, "one notification: {calls:?}");
    let latency = calls[0].at.duration_since(asked);
    eprintln!("waiting → Notify without the plugin: {latency:?}");
    assert_eq!(calls[0].app, "otop");
    assert_eq!(calls[0].summary, "Colour scheme: waiting for you");
    assert!(calls[0].body.starts_with("asking"), "{:?}", calls[0].body);

    // tmux: the message on the client of that server, and the bell in the session's window.
    until("the message on the attached client", || {
        client
            .screen_text()
            .contains("otop: Colour scheme: waiting for you")
    });
    assert_eq!(srv.display(&pane, "#{window_bell_flag}"), "1");

    // Many refreshes later (and with two watchers), still one.
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(bus.calls().len(), 1, "{:?}", bus.calls());
}

/// The start time otop reads for process `pid`, as the companion plugin records it.
fn started_at(env: &Env, pid: u32) -> serde_json::Value {
    let (_, json) = env.run(&["sessions", "--json", "--all"]);
    let rows: serde_json::Value = serde_json::from_str(&json).unwrap();
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r["pid"] == pid)
        .map(|r| r["started_at"].clone())
        .expect("the stand-in's row")
}

/// Writes the companion plugin's file for the process `pid` started at `started` (as the
/// plugin does: a temporary file renamed over it), its session `sid` busy, with a pending
/// permission if `asks`.
fn plugin_file(world: &World, pid: u32, started: &serde_json::Value, sid: &str, asks: bool) {
    let mut live = serde_json::json!({"status": "busy"});
    if asks {
        live["permission"] = serde_json::json!({"tool": "bash", "pattern": "rm -rf build"});
    }
    let file = serde_json::json!({
        "format": 1, "pid": pid, "started_at": started, "session_id": sid,
        "written_at": now_ms(), "sessions": {sid: live},
    });
    let dir = world.data.join("opencode/otop");
    std::fs::create_dir_all(&dir).unwrap();
    let tmp = dir.join(format!("{pid}.json.tmp"));
    std::fs::write(&tmp, file.to_string()).unwrap();
    std::fs::rename(&tmp, dir.join(format!("{pid}.json"))).unwrap();
}

/// With the companion plugin, its report of a permission request is told at once: the file's
/// change wakes the watcher (whose refresh is every 2 s), and a reported state needs no hold.
#[test]
fn a_permission_the_plugin_reports_is_told_within_a_second() {
    if !have_tmux() || !have_dbus() {
        return;
    }
    let world = World::new();
    let proj = world.project("proj");
    let (srv, pane) = servers(&world, &proj);
    let bus = Bus::start();
    let env = Env::with_config(&world, Some(&bus), "[notify]\ntmux = []\n");
    let (_fx, sid, _) = working(&world, &proj, "ses_plug", "Clean build");
    let pid = srv.pane_pid(&pane);
    let started = started_at(&env, pid);
    plugin_file(&world, pid, &started, &sid, false);
    let _w = env.watch_every(&srv, "2");
    until("working, through the plugin", || {
        pane_state(&srv, &pane) == "working"
    });
    // Past the start-up refresh and one more, so the wake is what sees the request.
    std::thread::sleep(Duration::from_millis(2500));

    let asked = Instant::now();
    plugin_file(&world, pid, &started, &sid, true);
    let calls = bus.wait_calls(1, Duration::from_secs(10));
    assert_eq!(calls.len(), 1, "{calls:?}");
    let latency = calls[0].at.duration_since(asked);
    eprintln!("permission.asked → Notify with the plugin: {latency:?}");
    assert!(latency < Duration::from_secs(1), "{latency:?}");
    assert_eq!(calls[0].body, "permission: bash rm -rf build");
}

/// The monitor tells as the watcher does; with both running, once.
#[test]
fn with_a_monitor_and_a_watcher_running_a_request_is_told_once() {
    if !have_tmux() || !have_dbus() {
        return;
    }
    let world = World::new();
    let proj = world.project("proj");
    let (srv, pane) = servers(&world, &proj);
    let bus = Bus::start();
    let env = Env::new(&world, Some(&bus));
    let (mut fx, sid, _) = working(&world, &proj, "ses_both", "Both");
    let monitor = env.monitor(&srv, "other");
    srv.wait_text(&monitor, "Both");
    let _w = env.watch(&srv);
    until("working", || pane_state(&srv, &pane) == "working");
    let (_, doctor) = env.run(&["doctor"]);
    assert!(doctor.contains("sent by otop monitor"), "{doctor}");

    running(&mut fx, &sid, now_ms(), Running::Question);
    let calls = bus.wait_calls(1, Duration::from_secs(15));
    assert_eq!(calls.len(), 1, "{calls:?}");
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(bus.calls().len(), 1, "{:?}", bus.calls());
    // The monitor shows the session waiting; quitting it leaves sending to the watcher.
    srv.wait_text(&monitor, "asking");
    srv.send(&monitor, &["q"]);
    until("the watcher holds the lock", || {
        env.run(&["doctor"]).1.contains("sent by otop watch")
    });
}

#[test]
fn nothing_is_told_while_the_pane_is_in_front_of_an_attached_client() {
    if !have_tmux() || !have_dbus() {
        return;
    }
    let world = World::new();
    let proj = world.project("proj");
    let (srv, pane) = servers(&world, &proj);
    // The client shows `work`, whose current window is the session's pane.
    srv.ok(&["select-window", "-t", &pane]);
    let client = Client::attach(&srv, "work");
    let bus = Bus::start();
    let env = Env::new(&world, Some(&bus));

    let (mut fx, sid, _) = working(&world, &proj, "ses_seen", "Looked at");
    let _w = env.watch(&srv);
    until("working", || pane_state(&srv, &pane) == "working");
    let q = running(&mut fx, &sid, now_ms(), Running::Question);
    until("waiting", || pane_state(&srv, &pane) == "waiting");
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        bus.calls().is_empty(),
        "told while in front: {:?}",
        bus.calls()
    );

    // Not in front any more: the next request is told.
    srv.ok(&["switch-client", "-c", &client.name, "-t", "other"]);
    finish(&mut fx, &q);
    running(&mut fx, &sid, now_ms(), Running::Bash);
    until("working again", || pane_state(&srv, &pane) == "working");
    running(&mut fx, &sid, now_ms(), Running::Question);
    let calls = bus.wait_calls(1, Duration::from_secs(15));
    assert_eq!(calls.len(), 1, "{calls:?}");
}

#[test]
fn a_finished_turn_is_marked_until_its_pane_is_selected_or_jumped_to() {
    if !have_tmux() {
        return;
    }
    let world = World::new();
    let proj = world.project("proj");
    let (srv, pane) = servers(&world, &proj);
    let client = Client::attach(&srv, "other");
    let env = Env::new(&world, None);

    let (mut fx, sid, m) = working(&world, &proj, "ses_done", "Release notes");
    let watcher = env.watch(&srv);
    until("working", || pane_state(&srv, &pane) == "working");
    finish(&mut fx, &m);
    until("done", || pane_state(&srv, &pane) == "done");
    assert_eq!(env.run(&["status", "--plain"]), (0, "✓1".to_string()));
    let (_, json) = env.run(&["status", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!((v["done"].as_u64(), v["idle"].as_u64()), (Some(1), Some(0)));
    assert_eq!(v["sessions"][0]["unseen"], true);

    // Kept across a restart, and the restart marks nothing new nor clears anything.
    drop(watcher);
    assert!(env.marks().contains("ses_done"), "{}", env.marks());
    let _watcher = env.watch(&srv);
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(pane_state(&srv, &pane), "done");

    // The client selects the pane: seen.
    srv.ok(&["switch-client", "-c", &client.name, "-t", &pane]);
    until("seen", || pane_state(&srv, &pane) == "idle");
    assert_eq!(env.run(&["status", "--plain"]), (0, "○1".to_string()));
    assert!(!env.marks().contains("ses_done"), "{}", env.marks());

    // Another turn finishes unseen; a jump from otop clears it at once.
    srv.ok(&["switch-client", "-c", &client.name, "-t", "other"]);
    let m = running(&mut fx, &sid, now_ms(), Running::Bash);
    until("working again", || pane_state(&srv, &pane) == "working");
    finish(&mut fx, &m);
    until("done again", || pane_state(&srv, &pane) == "done");
    let (code, said) = env.run(&["jump", "ses_done", "--client", &client.name]);
    assert_eq!(code, 0, "{said}");
    assert!(!env.marks().contains("ses_done"), "{}", env.marks());
    assert_eq!(client.showing(&srv).split(' ').nth(2), Some(pane.as_str()));
}

#[test]
fn wait_returns_when_the_state_is_reached_and_124_on_timeout() {
    if !have_tmux() {
        return;
    }
    let world = World::new();
    let proj = world.project("proj");
    let (srv, pane) = servers(&world, &proj);
    let env = Env::new(&world, None);
    let (mut fx, _, m) = working(&world, &proj, "ses_wait", "Deploy");

    let started = Instant::now();
    let (code, _) = env.run(&["wait", "ses_wait", "--until", "idle", "--timeout", "1"]);
    assert_eq!(code, 124);
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(env.run(&["wait", "ses_nope", "--until", "idle"]).0, 1);

    // By pane: done once the turn finishes.
    let mut waiter = env
        .command(&["wait", &pane, "--until", "done", "--timeout", "30"])
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(1));
    assert!(
        waiter.try_wait().unwrap().is_none(),
        "done before the turn ended"
    );
    finish(&mut fx, &m);
    let status = wait_for(Duration::from_secs(15), || waiter.try_wait().unwrap());
    assert_eq!(status.and_then(|s| s.code()), Some(0));
    // Already idle: `idle` at once; `done` only for a turn that ends after the wait began.
    assert_eq!(env.run(&["wait", "ses_wait", "--until", "idle"]).0, 0);
    assert_eq!(
        env.run(&["wait", "ses_wait", "--until", "done", "--timeout", "1"])
            .0,
        124
    );

    let mut gone = env
        .command(&["wait", "ses_wait", "--until", "gone", "--timeout", "30"])
        .spawn()
        .unwrap();
    let pid = srv.pane_pid(&pane);
    let _ = Command::new("kill").arg(pid.to_string()).status();
    let status = wait_for(Duration::from_secs(15), || gone.try_wait().unwrap());
    assert_eq!(status.and_then(|s| s.code()), Some(0));
}

/// The README's latency figures, at the default hold (3 s) and refresh interval (2 s): from
/// the moment a session starts waiting to the `Notify` call, without the plugin (a question in
/// the database) and with it (its file reports a permission). Not a test:
/// `cargo test --test notify latency -- --ignored --nocapture`.
#[test]
#[ignore]
fn latency_at_the_defaults() {
    if !have_tmux() || !have_dbus() {
        return;
    }
    for plugin in [false, true] {
        let mut got = Vec::new();
        for _ in 0..5 {
            let world = World::new();
            let proj = world.project("proj");
            let (srv, pane) = servers(&world, &proj);
            let bus = Bus::start();
            let env = Env::with_config(&world, Some(&bus), "");
            let (mut fx, sid, _) = working(&world, &proj, "ses_lat", "Latency");
            let pid = srv.pane_pid(&pane);
            let started = started_at(&env, pid);
            if plugin {
                plugin_file(&world, pid, &started, &sid, false);
            }
            let _w = env.watch_every(&srv, "2");
            until("working", || pane_state(&srv, &pane) == "working");
            // Land anywhere in the refresh cycle.
            std::thread::sleep(Duration::from_millis(2_000 + (now_ms() % 2_000) as u64));
            let asked = Instant::now();
            if plugin {
                plugin_file(&world, pid, &started, &sid, true);
            } else {
                running(&mut fx, &sid, now_ms(), Running::Question);
            }
            let calls = bus.wait_calls(1, Duration::from_secs(15));
            got.push(calls[0].at.duration_since(asked).as_millis());
        }
        got.sort_unstable();
        eprintln!(
            "{}: median {} ms, {:?}",
            if plugin {
                "with the plugin"
            } else {
                "without it"
            },
            got[got.len() / 2],
            got
        );
    }
}

/// Issue 28: a `[notify] command` added to the file while the watcher runs is used from its
/// next refresh; doctor shows the settings the sending process uses, and says so when it keeps
/// older ones (a broken edit).
#[test]
fn an_edited_configuration_file_reaches_the_running_watcher() {
    if !have_tmux() {
        return;
    }
    let world = World::new();
    let proj = world.project("edited");
    let (srv, pane) = servers(&world, &proj);
    let quiet = "[notify]\nhold_secs = 0.5\ndesktop = false\ntmux = []\n";
    let env = Env::with_config(&world, None, quiet);
    let (mut fx, sid, _) = working(&world, &proj, "ses_edited", "Edited later");
    let _w = env.watch(&srv);
    until("the watcher sees the session working", || {
        pane_state(&srv, &pane) == "working"
    });
    let notify_line = || {
        let (_, doctor) = env.run(&["doctor"]);
        doctor
            .lines()
            .find(|l| l.contains(" notify "))
            .unwrap_or("")
            .to_string()
    };
    assert!(notify_line().contains("off: [notify] turns no channel on"));

    let told = world.tmp.path().join("told.json");
    let config = world.tmp.path().join("config/otop/config.toml");
    std::fs::write(
        &config,
        format!(
            "{quiet}command = [\"sh\", \"-c\", \"cat >> '{}'\"]\n",
            told.display()
        ),
    )
    .unwrap();
    until("doctor: the watcher sends with the file's settings", || {
        let l = notify_line();
        l.starts_with("ok")
            && l.contains("sent by otop watch (pid")
            && l.contains("with the file's settings")
    });
    running(&mut fx, &sid, now_ms(), Running::Question);
    until("the added command is run", || {
        std::fs::read_to_string(&told).is_ok_and(|t| t.contains("\"waiting\""))
    });

    // A broken edit: the watcher keeps what it read last, and doctor says so.
    std::fs::write(&config, "[notify]\ncommand = 3\n").unwrap();
    let line = wait_for(Duration::from_secs(15), || {
        let l = notify_line();
        l.contains("last read well").then_some(l)
    })
    .expect("doctor says the watcher runs with older settings");
    assert!(line.starts_with("!!"), "{line}");
    assert!(
        line.contains("with older settings (no channel") || line.contains("command sh -c"),
        "{line}"
    );
}

/// Issue 28: the default desktop channel with no notification service shows nothing: doctor
/// does not call that `ok` (`--` while tmux still tells; `!!` when it is the only channel).
#[test]
fn doctor_does_not_call_a_desktop_that_shows_nothing_ok() {
    let world = World::new();
    let line = |config: &str| {
        let (code, doctor) = Env::with_config(&world, None, config).run(&["doctor"]);
        let l = doctor
            .lines()
            .find(|l| l.contains(" notify "))
            .unwrap_or("")
            .to_string();
        (code, l)
    };
    let (_, l) = line("");
    assert!(l.starts_with("-- "), "{l}");
    assert!(
        l.contains("desktop: nothing is shown, no notification service answers"),
        "{l}"
    );
    let (code, l) = line("[notify]\ntmux = []\n");
    assert!(l.starts_with("!! "), "{l}");
    assert!(l.contains("the only channel, delivers nothing"), "{l}");
    assert_eq!(code, 1);
}
